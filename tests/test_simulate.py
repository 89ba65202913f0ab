"""`winback simulate --json`: a contract other tools read, so its shape is tested to the letter."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from campaigns.model import Preference
from tests.cli import EXAMPLES, Run, env_for, winback
from tests.factories import temp_store

# Each test runs the real `winback` command in a subprocess: end to end, so it runs in `make test`
# and CI, not in the quick `pytest -m "not integration"` run.
pytestmark = pytest.mark.integration

CAMPAIGN = EXAMPLES / "spring-winback.yaml"
ACCOUNTS = EXAMPLES / "accounts.csv"
# "locale" was added with the translations: the language the touch was written in.
TOUCH_KEYS = {"account_id", "touch", "channel", "template", "at_utc", "at_local", "deferred", "locale"}
CLOSE_KEYS = {"account_id", "outcome", "reason"}


def next_march_15() -> str:
    return f"{datetime.now(UTC).year + 1}-03-15T05:00:00Z"


async def simulate_json(accounts: Path, tmp_path: Path, start: str | None = None) -> Run:
    return await winback(
        "simulate",
        str(CAMPAIGN),
        "--accounts",
        str(accounts),
        "--start",
        start or next_march_15(),
        "--json",
        env=env_for(None, tmp_path),
        timeout=300,
    )


async def test_simulate_prints_every_touch_and_one_closing_row_per_account(tmp_path: Path) -> None:
    run = await simulate_json(ACCOUNTS, tmp_path)
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    with ACCOUNTS.open() as fh:
        ids = [r["account_id"] for r in csv.DictReader(fh)]

    by_account: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_account.setdefault(str(row["account_id"]), []).append(row)
    assert list(by_account) == ids  # file order

    for account_id, account_rows in by_account.items():
        *touches, closing = account_rows
        assert set(closing) == CLOSE_KEYS, account_id
        assert all(set(t) == TOUCH_KEYS for t in touches)
        assert [t["touch"] for t in touches] == list(range(1, len(touches) + 1))
        if closing["outcome"] == "not_started":
            assert not touches
            continue
        assert closing["outcome"] == "completed_no_reply"
        assert 3 <= len(touches) <= 5
        previous = None
        for t in touches:
            at_utc = datetime.fromisoformat(str(t["at_utc"]))
            at_local = datetime.fromisoformat(str(t["at_local"]))
            assert at_utc.utcoffset() is not None and at_local.utcoffset() is not None
            assert at_utc == at_local  # the same instant, shown two ways
            assert time(9) <= at_local.time() < time(17), t  # the campaign's window
            assert at_local.weekday() < 5, t
            assert previous is None or at_utc > previous
            previous = at_utc
            assert isinstance(t["deferred"], list)

    [structural] = by_account["ACC-1012"]
    assert structural["outcome"] == "not_started"
    assert str(structural["reason"]).startswith("structural churn") and "never contacted" in str(
        structural["reason"]
    )
    assert by_account["ACC-1013"][0]["outcome"] == "not_started"
    assert "below 1,000" in str(by_account["ACC-1013"][0]["reason"])
    # Staggered like a launch: the first touches do not all go out in the same minute.
    first = [str(r["at_utc"])[:16] for r in rows if r.get("touch") == 1]
    assert len(set(first)) > len(first) // 2
    deferrals = [d for r in rows for d in r.get("deferred", [])]
    assert any(d.endswith(": quarter-end blackout") for d in deferrals)


async def test_an_invalid_row_is_reported_as_not_started(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    lines = ACCOUNTS.read_text().splitlines()
    bad = lines[1].replace("ACC-1001", "ACC-9999").replace(",86000,", ",ten,")
    accounts.write_text("\n".join([lines[0], lines[1], bad]) + "\n")
    run = await simulate_json(accounts, tmp_path)
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    closing = rows[-1]
    assert closing["account_id"] == "ACC-9999" and closing["outcome"] == "not_started"
    assert "arr" in closing["reason"]
    assert rows[0]["account_id"] == "ACC-1001" and rows[0]["touch"] == 1


async def test_a_start_in_the_past_is_refused_with_the_fix(tmp_path: Path) -> None:
    run = await simulate_json(ACCOUNTS, tmp_path, start="2020-01-01T00:00:00Z")
    assert run.code == 2
    assert run.out == ""
    assert "--start" in run.err and "in the past" in run.err


# Slow end to end (100 sequences simulated to their last touch, about 10 s): out of the quick
# `pytest -m "not integration"` run, though it needs only the time-skipping server; CI runs it.
@pytest.mark.integration
async def test_a_hundred_sequences_start_together_without_workflow_task_failures(tmp_path: Path) -> None:
    # Regression: the first holiday lookups, made inside 100 workflow tasks at once, outlasted
    # the SDK's deadlock guard until workers loaded the holidays registry before polling.
    with ACCOUNTS.open() as fh:
        rows = [
            r for r in csv.DictReader(fh) if r["churn_reason"] != "structural" and float(r["arr"]) >= 1000
        ]
    accounts = tmp_path / "accounts.csv"
    with accounts.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        for i in range(100):
            writer.writerow({**rows[i % len(rows)], "account_id": f"ACC-{5000 + i}"})
    run = await simulate_json(accounts, tmp_path)
    assert run.code == 0, run.err[-2000:]
    closing = [r for r in json.loads(run.out) if "outcome" in r]
    assert len(closing) == 100 and {r["outcome"] for r in closing} == {"completed_no_reply"}
    assert "deadlock" not in run.err.lower() and "Failed handling activation" not in run.err


async def test_whom_the_store_says_declined_is_left_out_of_the_simulation(tmp_path: Path) -> None:
    store = temp_store(tmp_path)  # the data folder the command uses
    today = date.today()
    store.record_preference(
        Preference(
            email="aino.korhonen@revontuli.example",  # ACC-1001's contact
            account_id="ACC-1001",
            kind="declined",
            since=today.isoformat(),
            until=(today + timedelta(days=400)).isoformat(),
            reason="not this year",
        )
    )
    store.close()
    run = await simulate_json(ACCOUNTS, tmp_path)
    assert run.code == 0, run.err
    rows = [r for r in json.loads(run.out) if r["account_id"] == "ACC-1001"]
    assert len(rows) == 1 and rows[0]["outcome"] == "not_started"
    assert "declined" in rows[0]["reason"]
