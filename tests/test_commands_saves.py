"""`winback saves plan`: the JSON contract on the example file, the table, and bad rows (exit 2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from activities.store import Store, database_url
from inbound.intent_events import IntentEvent
from tests.cli import EXAMPLES, env_for, winback
from tests.test_saves_plan import KEYS
from winback.cli import cli

RENEWALS = EXAMPLES / "renewals.csv"

# Per row of the example, as of 2027-03-01: every key but the reasons, and the reasons' gist.
GOLDEN: dict[str, dict[str, Any]] = {
    "ACC-2001": {
        "included": True,
        "risk": "at_risk",
        "flags": ["engagement_drop", "competitor_evaluation", "low_health_score"],
        "save_probability": "medium",
        "value": "high",
        "effort": "full",
        "mode": "compressed",
        "days_to_renewal": 45,
        "executive_escalation": True,
    },
    "ACC-2002": {  # strategic: ARR 32,000 is medium, raised to high; full effort, but ARR < 50,000
        "included": True,
        "risk": "at_risk",
        "flags": ["champion_left", "usage_decline"],
        "save_probability": "high",
        "value": "high",
        "effort": "full",
        "mode": "comprehensive",
        "days_to_renewal": 136,
        "executive_escalation": False,
    },
    "ACC-2003": {  # alternative committed: low; high value with low probability is light
        "included": True,
        "risk": "at_risk",
        "flags": ["negative_feedback", "budget_pressure", "low_health_score"],
        "save_probability": "low",
        "value": "high",
        "effort": "light",
        "mode": "emergency",
        "days_to_renewal": 19,
        "executive_escalation": False,
    },
    "ACC-2004": {  # competitor_evaluation alone
        "included": True,
        "risk": "at_risk",
        "flags": ["competitor_evaluation"],
        "save_probability": "medium",
        "value": "medium",
        "effort": "standard",
        "mode": "compressed",
        "days_to_renewal": 70,
        "executive_escalation": False,
    },
    "ACC-2005": {  # engagement_drop listed twice counts once; low value, low probability: graceful exit
        "included": True,
        "risk": "at_risk",
        "flags": ["engagement_drop", "usage_decline"],
        "save_probability": "low",
        "value": "low",
        "effort": "none",
        "mode": "compressed",
        "days_to_renewal": 32,
        "executive_escalation": False,
    },
    "ACC-2006": {  # one flag: watch; factors empty
        "included": False,
        "risk": "watch",
        "flags": ["engagement_drop"],
        "save_probability": None,
        "value": "medium",
        "effort": None,
        "mode": None,
        "days_to_renewal": 92,
        "executive_escalation": False,
    },
    "ACC-2007": {
        "included": False,
        "risk": "none",
        "flags": [],
        "save_probability": None,
        "value": "low",
        "effort": None,
        "mode": None,
        "days_to_renewal": 213,
        "executive_escalation": False,
    },
    "ACC-2008": {  # at risk, but the renewal is past
        "included": False,
        "risk": "at_risk",
        "flags": ["competitor_evaluation", "budget_pressure", "low_health_score"],
        "save_probability": "medium",
        "value": "medium",
        "effort": None,
        "mode": None,
        "days_to_renewal": -9,
        "executive_escalation": False,
    },
    "ACC-2009": {  # health 45 alone: watch
        "included": False,
        "risk": "watch",
        "flags": ["low_health_score"],
        "save_probability": "high",
        "value": "medium",
        "effort": None,
        "mode": None,
        "days_to_renewal": 183,
        "executive_escalation": False,
    },
}
# One phrase each row's reasons must hold: why it is in or out, and its deciding rule.
GIST = {
    "ACC-2001": "executive escalation: ARR 86,000 >= 50,000 and effort full",
    "ACC-2002": "raised one level as a strategic account",
    "ACC-2003": "alternative committed makes any save unlikely",
    "ACC-2004": "risk at_risk: competitor_evaluation alone is enough",
    "ACC-2005": "effort none (no save: a graceful exit)",
    "ACC-2006": "not included: one red flag is watched, not saved",
    "ACC-2007": "not included: nothing to save",
    "ACC-2008": "not included: the renewal was 9 days ago: too late for a save (renewal on 2027-02-20)",
    "ACC-2009": "red flag: low_health_score (45 below 50)",
}


def saves_plan(tmp_path: Path, *args: str) -> Result:
    runner = CliRunner(env={"WINBACK_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    return runner.invoke(cli, ["saves", "plan", *args])


def test_saves_plan_json_is_the_contract_on_the_example(tmp_path: Path) -> None:
    result = saves_plan(tmp_path, "--accounts", str(RENEWALS), "--as-of", "2027-03-01", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert list(doc) == ["accounts", "totals"]
    assert [row["account_id"] for row in doc["accounts"]] == list(GOLDEN)  # every row, file order
    for row in doc["accounts"]:
        assert list(row) == KEYS
        assert {k: v for k, v in row.items() if k not in ("account_id", "reasons")} == GOLDEN[
            row["account_id"]
        ]
        assert any(GIST[row["account_id"]] in reason for reason in row["reasons"]), row["reasons"]
    assert doc["totals"]["included"] == 5 and doc["totals"]["arr_at_risk"] == 201_900


def test_saves_plan_prints_a_table_without_json(tmp_path: Path) -> None:
    result = saves_plan(tmp_path, "--accounts", str(RENEWALS), "--as-of", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "saves plan as of 2027-03-01: 5 of 9 accounts included, ARR at risk 201,900"
    assert sum(line.startswith("ACC-") for line in lines) == 9


def test_as_of_moves_the_days(tmp_path: Path) -> None:
    result = saves_plan(tmp_path, "--accounts", str(RENEWALS), "--as-of", "2027-02-20", "--json")
    past = {row["account_id"]: row for row in json.loads(result.stdout)["accounts"]}["ACC-2008"]
    assert (past["included"], past["days_to_renewal"], past["mode"]) == (True, 0, "emergency")


def test_bad_rows_are_one_line_each_and_exit_2(tmp_path: Path) -> None:
    lines = RENEWALS.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "renewals.csv"
    bad.write_text(
        "\n".join(
            [
                lines[0],
                lines[1].replace("competitor_evaluation;engagement_drop", "competitor_evalution"),
                lines[2].replace(",2027-07-15,", ",2027-15-07,"),
                lines[3].replace(",58000,,", ",58000,2026-12-01,"),
                lines[4],
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = saves_plan(tmp_path, "--accounts", str(bad), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}: row 2, column signals: unknown signal 'competitor_evalution'; "
        "did you mean 'competitor_evaluation'?",
        f"{bad}: row 3, column renewal_on: '2027-15-07' is not a date; write it as YYYY-MM-DD such as "
        "2026-03-01, the day the contract renews",
        f"{bad}: row 4, column churned_on: '2026-12-01' is filled, but a saves file lists accounts still "
        "to renew; clear it, or plan this account's win-back with `winback plan`",
    ]


def test_a_missing_file_and_a_bad_as_of_are_one_line_and_exit_2(tmp_path: Path) -> None:
    result = saves_plan(tmp_path, "--accounts", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert "nope.csv: file not found" in result.stderr
    result = saves_plan(tmp_path, "--accounts", str(RENEWALS), "--as-of", "March")
    assert result.exit_code == 2
    assert result.stderr == "--as-of: 'March' is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01\n"


@pytest.mark.integration  # runs the real winback command in a subprocess
async def test_the_real_command_prints_the_same_json(tmp_path: Path) -> None:
    args = ("saves", "plan", "--accounts", str(RENEWALS), "--as-of", "2027-03-01", "--json")
    run = await winback(*args, env=env_for(None, tmp_path))
    assert run.code == 0, run.err
    in_process = saves_plan(tmp_path, *args[2:])
    assert json.loads(run.out) == json.loads(in_process.stdout)


def test_a_stored_cancel_intent_is_one_more_red_flag_in_the_plan(tmp_path: Path) -> None:
    """ACC-2006 has one red flag (a review, not a save); the product reported an abandoned
    cancel flow three weeks before: two flags, at risk, and its save plan says why."""
    with Store.open(database_url(tmp_path)) as store:
        event = IntentEvent(
            dedup_key="id:evt-1",
            event_id="id:evt-1",
            account_id="ACC-2006",
            kind="cancel_flow_abandoned",
            occurred_at=datetime(2027, 2, 8, 16, tzinfo=UTC),
            detail="",
        )
        store.record_intent_events([event], received_at=event.occurred_at)
    result = saves_plan(tmp_path, "--accounts", str(RENEWALS), "--as-of", "2027-03-01", "--json")
    assert result.exit_code == 0, result.stderr
    row = next(r for r in json.loads(result.stdout)["accounts"] if r["account_id"] == "ACC-2006")
    assert row["flags"][-1] == "cancel_intent" and row["risk"] == "at_risk"
    assert any("cancel_intent" in reason for reason in row["reasons"])
    # Ninety days on, the intent no longer counts.
    later = saves_plan(tmp_path, "--accounts", str(RENEWALS), "--as-of", "2027-05-10", "--json")
    row = next(r for r in json.loads(later.stdout)["accounts"] if r["account_id"] == "ACC-2006")
    assert "cancel_intent" not in row["flags"]
