"""`--json` output is a contract other tools read: byte for byte what it was on the example files.

The golden files in tests/golden/ were written by the code before the "one home per rule"
restructuring; any change to them is a change of contract and needs a deliberate re-record:

    WINBACK_RECORD_GOLDEN=1 .venv/bin/pytest tests/test_json_contracts.py
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path

import pytest

from campaigns.eligibility import add_months
from tests.cli import EXAMPLES, env_for, winback

# Each test runs the real `winback` command in a subprocess: end to end, so it runs in `make test`
# and CI, not in the quick `pytest -m "not integration"` run.
pytestmark = pytest.mark.integration

GOLDEN = Path(__file__).resolve().parent / "golden"
RECORD = os.environ.get("WINBACK_RECORD_GOLDEN") == "1"
CAMPAIGNS = ("demo-campaign", "spring-winback")
# The simulator's clock starts at today and only moves forward, so its golden run happens
# years ahead, with every churn date moved by the same number of months: the accounts stand
# where the examples stand in March 2027, and the output does not change as the years pass.
SHIFT_MONTHS = 12 * 9
SIMULATE_START = "2036-03-24T08:00:00Z"


def check(name: str, out: str) -> None:
    path = GOLDEN / name
    if RECORD:
        path.parent.mkdir(exist_ok=True)
        path.write_text(out)
    assert path.exists(), f"{path} is missing; record it with WINBACK_RECORD_GOLDEN=1"
    assert out == path.read_text(), f"{name}: the output differs from the contract in {path}"


@pytest.mark.parametrize("campaign", CAMPAIGNS)
@pytest.mark.parametrize("as_of", ["2026-11-30", "2027-03-01", "2027-09-15"])
async def test_plan_json_is_byte_identical(campaign: str, as_of: str, tmp_path: Path) -> None:
    done = await winback(
        "plan",
        str(EXAMPLES / f"{campaign}.yaml"),
        "--accounts",
        str(EXAMPLES / "accounts.csv"),
        "--as-of",
        as_of,
        "--json",
        env=env_for(None, tmp_path),
    )
    assert done.code == 0, done.err
    check(f"plan-{campaign}-{as_of}.json", done.out)


@pytest.mark.parametrize("as_of", ["2027-03-01"])
async def test_saves_plan_json_is_byte_identical(as_of: str, tmp_path: Path) -> None:
    done = await winback(
        "saves",
        "plan",
        "--accounts",
        str(EXAMPLES / "renewals.csv"),
        "--as-of",
        as_of,
        "--json",
        env=env_for(None, tmp_path),
    )
    assert done.code == 0, done.err
    check(f"saves-plan-{as_of}.json", done.out)


def shifted_accounts(folder: Path) -> Path:
    rows = list(csv.DictReader(io.StringIO((EXAMPLES / "accounts.csv").read_text())))
    for row in rows:
        if row["churned_on"]:
            row["churned_on"] = add_months(date.fromisoformat(row["churned_on"]), SHIFT_MONTHS).isoformat()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "accounts.csv"
    path.write_text(out.getvalue())
    return path


@pytest.mark.parametrize("campaign", CAMPAIGNS)
async def test_simulate_json_is_byte_identical(campaign: str, tmp_path: Path) -> None:
    accounts = shifted_accounts(tmp_path)
    done = await winback(
        "simulate",
        str(EXAMPLES / f"{campaign}.yaml"),
        "--accounts",
        str(accounts),
        "--start",
        SIMULATE_START,
        "--json",
        env=env_for(None, tmp_path / "data"),
    )
    assert done.code == 0, done.err
    assert '"touch": 1' in done.out  # the run reached real sequences, not only exclusions
    check(f"simulate-{campaign}.json", done.out)
