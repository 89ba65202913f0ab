"""How fast headlines become matched events, and that the cost per headline does not grow with
the number of accounts: extraction (signals/extract.py) plus matching against one
`AccountIndex` (signals/matching.py) of 1,000, 10,000 and 100,000 accounts. Targets: at least
5,000 entries/s, and the per-entry cost at 100,000 accounts within about 1.5x of that at 1,000
(flat), far ahead of the naive loop that compares every account's name with every headline.

Accounts are synthetic (names from syllables, with legal forms of many countries, and a domain
each); the 10,000 headlines are of mixed kinds, about one in ten about one of the first 1,000
accounts (so every index size sees the same hits), the rest about other companies or no event
at all. Index build time is reported on its own. The naive loop (for each entry, for each
account, `normalise(name)` as whole words in the folded headline; names normalised once
beforehand, which flatters it) runs on a sample and is extrapolated.

    .venv/bin/python bench/match.py [--entries 10000] [--accounts 100000] [--naive-sample 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))  # tests.factories builds the accounts

from campaigns.model import Account  # noqa: E402
from signals.extract import events_of  # noqa: E402
from signals.matching import AccountIndex  # noqa: E402
from signals.names import fold, normalise  # noqa: E402
from signals.records import Entry  # noqa: E402
from tests.factories import make_account  # noqa: E402

_SYLLABLES_TEXT = (
    "ka la ri no ve ta lu mi so ra ne ko ti va sa lo be do fi gu ha jo ke ly ma nu or pe qu "
    "ru si tu ul vo wa xi yo ze an el in on ar en ir os ax ex ix ul um"
)
SYLLABLES = _SYLLABLES_TEXT.split()
WORDS = ("Analytics", "Robotics", "Software", "Health", "Logistics", "Systems", "Labs", "Data", "Energy", "")
SUFFIXES = (
    *(
        "Inc",
        "Ltd",
        "Oy",
        "GmbH",
        "AB",
        "AS",
        "SAS",
        "BV",
        "SpA",
        "Pty Ltd",
        "KK",
        "Sdn Bhd",
        "LLC",
        "PLC",
        "",
    ),
)
TEMPLATES = (
    "{c} raises ${n}M Series {r} to expand into Europe",
    "Exclusive: {c} secures €{n} million seed round",
    "{o} acquires {c} for ${n}M",
    "{c} to be acquired by {o}",
    "{c} names former {o} executive as CEO",
    "{c} CEO steps down after {n} years",
    "{c} lays off {n} employees",
    "{c} raises prices by {n}%",
    "{c} suffers major outage",
    "{c} opens new office in Berlin",
    "{c} publishes report on the state of {w}",
    "Why {c} thinks {w} will change in {n} years",
    "{o} customers react as {c} raises ${n}M",
)
NON_EVENTS = (
    "Markets slide as Fed signals more hikes",
    "The notion that AI will replace analysts raises eyebrows",
    "Box office records tumble as summer blockbusters soar",
    "Ten tools every startup needs on Monday morning",
    "How to negotiate your first SaaS contract",
)


def company_name(rng: random.Random) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
    return " ".join(p for p in (stem, rng.choice(WORDS), rng.choice(SUFFIXES)) if p)


def make_accounts(n: int, rng: random.Random) -> list[Account]:
    base = make_account()
    seen: set[str] = set()
    accounts: list[Account] = []
    while len(accounts) < n:
        name = company_name(rng)
        key = normalise(name)
        if key in seen:
            continue
        seen.add(key)
        i = len(accounts)
        domain = key.replace(" ", "") + ".example"
        accounts.append(replace(base, account_id=f"B{i:06d}", company=name, domain=domain))
    return accounts


def make_entries(n: int, accounts: list[Account], rng: random.Random) -> list[Entry]:
    known = accounts[:1000]
    entries: list[Entry] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.1:
            title = NON_EVENTS[i % len(NON_EVENTS)]
        else:
            company = rng.choice(known).company if roll < 0.2 else company_name(rng) + "x"
            title = rng.choice(TEMPLATES).format(
                c=company,
                o=company_name(rng) + "q",
                n=rng.randint(2, 400),
                r="ABCD"[i % 4],
                w=rng.choice(WORDS),
            )
        entries.append(Entry(source="bench", title=title, url=f"https://news.example/{i}", summary=""))
    return entries


def run_indexed(index: AccountIndex, entries: list[Entry]) -> tuple[float, int, int]:
    start = time.perf_counter()
    events = matched = 0
    for entry in entries:
        for event in events_of(entry):
            events += 1
            if index.match(event).account_id is not None:
                matched += 1
    return time.perf_counter() - start, events, matched


def run_naive(accounts: list[Account], entries: list[Entry]) -> float:
    names = [(a.account_id, f" {normalise(a.company)} ") for a in accounts]
    start = time.perf_counter()
    for entry in entries:
        title = f" {fold(entry.title)} "
        _ = [account_id for account_id, name in names if name in title]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(20261130)
    all_accounts = make_accounts(args.accounts, rng)
    entries = make_entries(args.entries, all_accounts, rng)
    sizes = [s for s in (1_000, 10_000, 100_000) if s < args.accounts] + [args.accounts]
    sizes = sorted(set(sizes))

    start = time.perf_counter()
    for entry in entries:
        events_of(entry)
    extract_only = time.perf_counter() - start
    print(f"{len(entries):,} entries; extraction alone: {len(entries) / extract_only:,.0f} entries/s")

    per_entry: dict[int, float] = {}
    for size in sizes:
        accounts = all_accounts[:size]
        start = time.perf_counter()
        index = AccountIndex.build(accounts)
        build = time.perf_counter() - start
        elapsed = min(run_indexed(index, entries)[0] for _ in range(3))
        _, events, matched = run_indexed(index, entries)
        per_entry[size] = elapsed / len(entries)
        print(
            f"{size:>7,} accounts: build {build:6.2f} s; "
            f"extract+match {len(entries) / elapsed:8,.0f} entries/s "
            f"({per_entry[size] * 1e6:6.1f} µs/entry; {events:,} events, {matched:,} matched)"
        )
    ratio = per_entry[sizes[-1]] / per_entry[sizes[0]]
    print(f"per-entry cost {sizes[-1]:,} / {sizes[0]:,} accounts: {ratio:.2f}x (target <= ~1.5: flat)")

    sample = entries[: args.naive_sample]
    naive = run_naive(all_accounts, sample) / len(sample)
    print(
        f"naive loop at {len(all_accounts):,} accounts: {naive * 1e3:.1f} ms/entry "
        f"(sample of {len(sample)}; {naive * len(entries):,.0f} s for {len(entries):,} entries, "
        "extrapolated)"
    )
    print(f"index vs naive at {len(all_accounts):,} accounts: {naive / per_entry[sizes[-1]]:,.0f}x faster")
    best = len(entries) / (per_entry[sizes[-1]] * len(entries))
    print(f"target >= 5,000 entries/s at {sizes[-1]:,} accounts: {'met' if best >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main()
