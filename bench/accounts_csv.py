"""Large, realistic accounts CSVs for the benchmarks, made from campaigns/examples/accounts.csv.

Every generated row is valid and included by the eligibility rules of a campaign without an
audience filter (spring-winback.yaml): ARR >= 1,000, a churn date 6-24 months before `today`,
no structural churn. Countries, time zones, tiers, churn reasons, departures, locales and
owners cycle through the example rows, so the stagger, the calendar and the playbooks see
the same mix a real CRM export gives them; ids, domains and emails are unique per row
(the store and the suppression rules key on them).
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from campaigns.accounts import COLUMNS

EXAMPLES: Final = Path(__file__).resolve().parent.parent / "campaigns" / "examples" / "accounts.csv"
# Comfortably inside the 6-24 month sweet spot whatever the day of the month: 200 days is
# over 6 calendar months, 700 days under 23.
MIN_DAYS_SINCE_CHURN: Final = 200
MAX_DAYS_SINCE_CHURN: Final = 700
# ARR multipliers: together with the example rows' ARR they cover T1, T2 and T3.
ARR_FACTORS: Final = (1.0, 0.45, 0.12, 2.0, 0.3)


def base_rows() -> list[dict[str, str]]:
    """The example rows a campaign includes; structural churn and ARR < 1,000 never are."""
    with EXAMPLES.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if r["churn_reason"] != "structural" and float(r["arr"]) >= 1000]


def generate(count: int, today: date, *, seed: int = 7, prefix: str = "BENCH") -> list[dict[str, str]]:
    rng = random.Random(seed)  # the same file every run: runs stay comparable
    bases = base_rows()
    out: list[dict[str, str]] = []
    for i in range(count):
        base = bases[i % len(bases)]
        row = {column: base.get(column, "") for column in COLUMNS}
        stem = base["domain"].removesuffix(".example")
        domain = f"{stem}-{i:06d}.example"
        row["account_id"] = f"{prefix}-{i:06d}"
        row["company"] = f"{base['company']} {i:06d}"
        row["domain"] = domain
        # Accounts without a churn date (at-risk renewals) get one too: the brief is a win-back.
        churned = today - timedelta(days=rng.randint(MIN_DAYS_SINCE_CHURN, MAX_DAYS_SINCE_CHURN))
        row["churned_on"] = churned.isoformat()
        arr = max(1000.0, float(base["arr"]) * ARR_FACTORS[(i // len(bases)) % len(ARR_FACTORS)])
        row["arr"] = f"{round(arr)}"
        row["contact_email"] = f"{base['contact_email'].split('@', 1)[0]}@{domain}"
        if base["exec_email"]:
            row["exec_email"] = f"{base['exec_email'].split('@', 1)[0]}@{domain}"
        if base["linkedin_url"]:
            row["linkedin_url"] = f"{base['linkedin_url']}-{i:06d}"
        out.append(row)
    return out


def write_accounts(path: Path, count: int, today: date, *, seed: int = 7) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(generate(count, today, seed=seed))
    return path
