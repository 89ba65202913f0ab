"""Store benchmark: the store's bulk writes against a plain executemany insert of the same rows.

    .venv/bin/python bench/store_import.py [--accounts 10000] [--rounds 3]
                                           [--database-url postgresql://...] [--json]

Each round, on fresh empty stores (SQLite files in a temporary folder; with --database-url, a
new schema per store in that PostgreSQL database, dropped afterwards), nothing from the network:

import        Store.import_accounts over --accounts accounts (bench/accounts_csv.py rows, read
              with campaigns/accounts.py as `winback launch` reads a CRM export) into an empty
              store: what `winback launch` and `winback plan` pay before they plan.
reimport      The same accounts again, one of them with a new ARR: 1 updated, the rest unchanged.
plain         The rows the import wrote (accounts and contacts, read back from that store)
              inserted into a second empty store with one plain executemany per table
              (SQLAlchemy Core insert, one transaction): the floor any import of them pays here.
launch        Store.create_launch with as many items (a 3 KB payload each, about a sequence
              input's size), as `winback launch` stores its plan for the LaunchWorkflow.
launch_read   Every item read back with Store.launch_items, 500 at a time (the batch walk).
launch_plain  The launch's rows inserted into a second empty store with plain executemany.

The rounds interleave the phases, so other load on the machine (other people's test runs on
these cores) hits each alike; the figures are medians over the rounds, and each ratio to the
plain insert compares two medians of the same run. tests/test_store.py checks what these
writes store; how long they take is measured here, against TARGET_SECONDS (the budget the
tests used to assert). The run exits 0 either way (it is a measurement) and prints a
"TARGET MISSED" line per missed target.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Table, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

BENCH_DIR: Final = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))  # run as a script from anywhere: its sibling modules

from accounts_csv import write_accounts  # noqa: E402
from output import log, run_in_scratch  # noqa: E402

from activities.store import (  # noqa: E402
    LaunchItem,
    Store,
    masked,
    normalise_url,
    schema,
)
from campaigns.accounts import load_accounts  # noqa: E402
from campaigns.model import Account  # noqa: E402

# The budget tests/test_store.py asserted for each of these with 10,000 accounts or items,
# "generous for a loaded CI machine"; SQLite does them in a fraction of it.
TARGET_SECONDS: Final = 2.0
TARGETED: Final = ("import", "reimport", "launch", "launch_read")
NOW: Final = datetime(2026, 3, 1, tzinfo=UTC)
LABELS: Final = {
    "import": "Store.import_accounts, empty store",
    "reimport": "Store.import_accounts again, 1 changed",
    "plain": "plain executemany of the same rows",
    "launch": "Store.create_launch",
    "launch_read": "Store.launch_items, 500 at a time",
    "launch_plain": "plain executemany of the same rows",
}
# Each store write, and the plain insert of its rows it is compared with.
RATIOS: Final = {"import": "plain", "launch": "launch_plain"}
LABELS_ACCOUNTS: Final = ("import", "reimport", "plain")
LABELS_LAUNCH: Final = ("launch", "launch_read", "launch_plain")


def load(root: Path, count: int) -> list[Account]:
    path = write_accounts(root / "accounts.csv", count, date.today())
    loaded = load_accounts(path)
    if loaded.errors:
        raise SystemExit(f"generated accounts are invalid: {loaded.errors[:3]}")
    return list(loaded.accounts)


@contextmanager
def empty_store_url(root: Path, server_url: str | None, name: str) -> Iterator[str]:
    """A URL of an empty database: a new SQLite file, or a new PostgreSQL schema dropped after."""
    if server_url is None:
        yield f"sqlite:///{root}/{name}.db"
        return
    schema_name = f"winback_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema_name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
        admin.dispose()


def written_rows(store: Store, tables: Sequence[Table]) -> list[list[dict[str, Any]]]:
    with store.engine.connect() as conn:
        return [[dict(row) for row in conn.execute(select(table)).mappings()] for table in tables]


def plain_insert(url: str, tables: Sequence[Table], rows: Sequence[list[dict[str, Any]]]) -> float:
    """Seconds to insert the rows with one plain executemany per table, in one transaction."""
    with Store.open(url) as plain:
        began = time.perf_counter()
        with plain.engine.begin() as conn:
            for table, table_rows in zip(tables, rows, strict=True):
                conn.execute(insert(table), table_rows)
        seconds = time.perf_counter() - began
        with plain.engine.connect() as conn:
            counts = [conn.scalar(select(func.count()).select_from(table)) for table in tables]
    if counts != [len(table_rows) for table_rows in rows]:
        raise SystemExit(f"the plain insert did not write every row: {counts}")
    return seconds


def accounts_round(
    accounts: Sequence[Account], root: Path, server_url: str | None, n: int
) -> dict[str, float]:
    changed = [*accounts[:-1], replace(accounts[-1], arr=accounts[-1].arr + 1_000.0)]
    seconds: dict[str, float] = {}
    with empty_store_url(root, server_url, f"import-{n}") as url, Store.open(url) as store:
        began = time.perf_counter()
        first = store.import_accounts(accounts, now=NOW)
        seconds["import"] = time.perf_counter() - began
        began = time.perf_counter()
        again = store.import_accounts(changed, now=NOW)
        seconds["reimport"] = time.perf_counter() - began
        if first.inserted != len(accounts) or (again.updated, again.unchanged) != (1, len(accounts) - 1):
            raise SystemExit(f"the import did not do what it should: {first}, then {again}")
        tables = (schema.accounts, schema.contacts)
        rows = written_rows(store, tables)
    with empty_store_url(root, server_url, f"plain-{n}") as url:
        seconds["plain"] = plain_insert(url, tables, rows)
    return seconds


def launch_items(count: int) -> list[LaunchItem]:
    """As tests/test_store.py builds them: every tenth starts at once, the rest staggered."""
    payload = '{"account": "%s", "padding": "' + "x" * 3000 + '"}'
    return [
        LaunchItem(
            position=i,
            account_id=f"ACC-{i}",
            start_at=None if i % 10 == 0 else NOW + timedelta(minutes=i),
            payload=payload % i,
        )
        for i in range(count)
    ]


def launch_round(items: Sequence[LaunchItem], root: Path, server_url: str | None, n: int) -> dict[str, float]:
    seconds: dict[str, float] = {}
    with empty_store_url(root, server_url, f"launch-{n}") as url, Store.open(url) as store:
        began = time.perf_counter()
        store.create_launch("bench-launch", "bench-campaign", items, created_at=NOW)
        seconds["launch"] = time.perf_counter() - began
        began = time.perf_counter()
        read = [
            item
            for offset in range(0, len(items), 500)
            for item in store.launch_items("bench-launch", offset, 500)
        ]
        seconds["launch_read"] = time.perf_counter() - began
        if read != list(items):
            raise SystemExit("the launch items did not read back as written")
        tables = (schema.launches, schema.launch_items)
        rows = written_rows(store, tables)
    with empty_store_url(root, server_url, f"launch-plain-{n}") as url:
        seconds["launch_plain"] = plain_insert(url, tables, rows)
    return seconds


def measure(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    server_url = normalise_url(args.database_url) if args.database_url else None
    accounts = load(root, args.accounts)
    items = launch_items(args.accounts)
    backend = "sqlite" if server_url is None else "postgresql"
    log(f"store: {len(accounts)} accounts and launch items, {args.rounds} rounds on {backend}")
    rounds: list[dict[str, float]] = []
    for n in range(args.rounds):
        rounds.append(
            accounts_round(accounts, root, server_url, n) | launch_round(items, root, server_url, n)
        )
        log(f"  round {n + 1}: " + ", ".join(f"{k} {v:.3f} s" for k, v in rounds[-1].items()))
    medians = {phase: round(statistics.median(r[phase] for r in rounds), 3) for phase in LABELS}
    missed = [
        f"TARGET MISSED: {LABELS[phase]} of {len(accounts)} took {medians[phase]:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s)"
        for phase in TARGETED
        if medians[phase] >= TARGET_SECONDS
    ]
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "backend": backend,
        "database": None if server_url is None else masked(server_url),
        "accounts": len(accounts),
        "rounds": [{k: round(v, 3) for k, v in r.items()} for r in rounds],
        "seconds": medians,
        "per_second": {k: round(len(accounts) / v) if v else None for k, v in medians.items()},
        "ratios": {
            f"{k}/{plain}": round(medians[k] / medians[plain], 2) if medians[plain] else None
            for k, plain in RATIOS.items()
        },
        "targets_missed": missed,
    }


def table(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    n = figures["accounts"]
    lines = [
        f"Winback store benchmark  {m['when']}  {m['cpus']} CPUs  {figures['backend']}"
        + (f" {figures['database']}" if figures["database"] else ""),
        f"{n} accounts, and a launch of {n} items; median of {len(figures['rounds'])} rounds",
    ]
    for title, unit, phases in (
        ("accounts", "accounts/s", LABELS_ACCOUNTS),
        ("launch items", "items/s", LABELS_LAUNCH),
    ):
        lines += ["", f"{title:<42}{'seconds':>10}{unit:>12}"]
        for phase in phases:
            rate = figures["per_second"][phase]
            lines.append(f"  {LABELS[phase]:<40}{figures['seconds'][phase]:>10.3f}{rate or 0:>12}")
    lines.append("")
    for key, ratio in figures["ratios"].items():
        lines.append(f"RATIO {key.replace('/', ' / '):<30}" + ("-" if ratio is None else f"{ratio:.2f}x"))
    lines += [
        f"target: {', '.join(TARGETED)} under {TARGET_SECONDS:.0f} s each: "
        + ("TARGET MISSED" if figures["targets_missed"] else "met"),
        *figures["targets_missed"],
    ]
    return "\n".join(lines).rstrip() + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--accounts", type=int, default=10_000, help="accounts imported per round")
    p.add_argument("--rounds", type=int, default=3, help="rounds; the figures are their medians")
    p.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database to measure in (a new schema per store, dropped after); "
        "default: SQLite files in a temporary folder",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args(argv)
    if args.accounts < 1 or args.rounds < 1:
        p.error("--accounts and --rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run_in_scratch("winback-bench-store-", parse_args(argv), measure, table)


if __name__ == "__main__":
    sys.exit(main())
