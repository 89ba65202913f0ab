"""Bad-input benchmark: how long `winback plan` takes to refuse a large CSV whose every row has
the same misspelt time zone.

    .venv/bin/python bench/accounts_bad_zone.py [--rows 175000] [--rounds 1] [--json]

The file is bench/accounts_csv.py's rows (valid otherwise) with timezone "Europe/Helsinky" in
every row. The real `winback plan campaigns/examples/spring-winback.yaml --accounts <file>` runs
as a subprocess with an empty temporary data folder and no Temporal: the clock runs from
spawning it until it exits, so its imports, reading and validating the file, the "did you
mean" and printing one line per row to stderr all count. The run checks what a user would see
(exit 2, one line per row, each with the suggestion) and exits 0 either way (it is a
measurement), with a "TARGET MISSED" line if the median is over TARGET_SECONDS.

A fuzzy match per row once took 381 s for 175,000 rows; campaigns/accounts.py now asks for the
suggestion once per distinct bad value.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

BENCH_DIR: Final = Path(__file__).resolve().parent
REPO: Final = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))  # run as a script from anywhere: its sibling modules

from accounts_csv import generate  # noqa: E402
from output import log, run_in_scratch  # noqa: E402

from campaigns.accounts import COLUMNS  # noqa: E402

CAMPAIGN: Final = REPO / "campaigns" / "examples" / "spring-winback.yaml"
BAD_ZONE: Final = "Europe/Helsinky"
EXPECTED: Final = "is not an IANA time zone; did you mean 'Europe/Helsinki'?"
TARGET_SECONDS: Final = 15.0


def write_file(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in generate(rows, date.today()):
            writer.writerow({**row, "timezone": BAD_ZONE})
    return path


def plan_once(accounts: Path, data_dir: Path, rows: int) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "WINBACK_", "DATABASE_URL"))}
    env["WINBACK_DATA_DIR"] = str(data_dir)
    env["TEMPORAL_ADDRESS"] = "127.0.0.1:1"  # nothing listens: refusing a file needs no cluster
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "winback", "plan", str(CAMPAIGN), "--accounts", str(accounts)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    lines = done.stderr.splitlines()
    refused = done.returncode == 2 and not done.stdout and len(lines) == rows
    if not refused or not all(EXPECTED in line for line in lines):
        raise SystemExit(
            f"`winback plan` did not refuse the file as it should: exit {done.returncode}, "
            f"{len(lines)} lines on stderr; first: {lines[:2]}"
        )
    return seconds


def measure(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    accounts = write_file(root / "accounts.csv", args.rows)
    size = accounts.stat().st_size / 1e6
    log(f"accounts_bad_zone: {args.rows} rows ({size:.0f} MB), {args.rounds} rounds")
    rounds: list[float] = []
    for n in range(args.rounds):
        data_dir = root / f"data-{n}"
        data_dir.mkdir()
        rounds.append(plan_once(accounts, data_dir, args.rows))
        log(f"  round {n + 1}: {rounds[-1]:.2f} s")
    median = round(statistics.median(rounds), 2)
    missed = (
        [f"TARGET MISSED: refusing {args.rows} rows took {median:.2f} s (target < {TARGET_SECONDS:.0f} s)"]
        if median >= TARGET_SECONDS
        else []
    )
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "rows": args.rows,
        "rounds": [round(r, 2) for r in rounds],
        "seconds": median,
        "rows_per_second": round(args.rows / median) if median else None,
        "targets_missed": missed,
    }


def table(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    lines = [
        f"Winback bad-input benchmark  {m['when']}  {m['cpus']} CPUs",
        f"`winback plan` refusing {figures['rows']} rows with timezone {BAD_ZONE!r}; "
        f"median of {len(figures['rounds'])} rounds",
        f"  seconds {figures['seconds']:.2f}   rows/s {figures['rows_per_second']}",
        f"target: under {TARGET_SECONDS:.0f} s: " + ("TARGET MISSED" if figures["targets_missed"] else "met"),
        *figures["targets_missed"],
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--rows", type=int, default=175_000, help="account rows in the file")
    p.add_argument("--rounds", type=int, default=1, help="rounds; the figure is their median")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args(argv)
    if args.rows < 1 or args.rounds < 1:
        p.error("--rows and --rounds must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run_in_scratch("winback-bench-bad-zone-", parse_args(argv), measure, table)


if __name__ == "__main__":
    sys.exit(main())
