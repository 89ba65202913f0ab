"""`winback saves report`: in process, against a SQLite store filled through the store's own methods;
the `--json` contract byte for byte (tests/golden/saves-report.json), the table, bad input (exit 2).

Re-record the golden file deliberately:

    WINBACK_RECORD_GOLDEN=1 .venv/bin/pytest tests/test_commands_saves_report.py
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from activities.store import Store, database_url
from campaigns.save_report import AtRiskAccount
from contracts.save_followup import CHURNED, HELD, RENEWAL_CHECK, FollowUpRecord
from contracts.saves import SaveOutcomeRecord
from tests.cli import EXAMPLES
from winback.cli import cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "saves-report.json"
CAMPAIGN = "saves-2027-03"
T0 = datetime(2027, 3, 2, 9, tzinfo=UTC)


def outcome(
    account: str, outcome: str, effort: str, mode: str, root_cause: str, days: int
) -> SaveOutcomeRecord:
    return SaveOutcomeRecord(
        workflow_id=f"save-{account}",
        run_id="run-1",
        account_id=account,
        campaign_id=CAMPAIGN,
        outcome=outcome,
        reason="",
        effort=effort,
        mode=mode,
        root_cause=root_cause,
        renewal_on="2027-04-15",
        started_at=T0,
        ended_at=T0 + timedelta(days=days),
        tasks_done=3,
        tasks_total=5,
    )


def fill(data_dir: Path) -> None:
    """Nine at-risk accounts, six saves started, five ended; ACC-9 ended with no launch record."""
    with Store.open(database_url(data_dir)) as store:
        arr = {"ACC-1": 86_000, "ACC-2": 32_000, "ACC-3": 12_500.5, "ACC-4": 8_000, "ACC-5": 4_000}
        store.record_at_risk(
            [AtRiskAccount(CAMPAIGN, a, date(2027, 3, 1), v, True) for a, v in arr.items()]
            + [AtRiskAccount(CAMPAIGN, "ACC-6", date(2027, 3, 1), 20_000, True)]
            + [AtRiskAccount(CAMPAIGN, f"ACC-{n}", date(2027, 3, 1), 1_000, False) for n in (7, 8, 10)]
        )
        for rec in (
            outcome("ACC-1", "saved", "full", "compressed", "value_perception", 20),
            outcome("ACC-2", "saved", "full", "comprehensive", "situational", 35),
            outcome("ACC-3", "lost", "standard", "compressed", "product_fit", 30),
            outcome("ACC-4", "saved", "light", "emergency", "service", 9),
            outcome("ACC-5", "cancelled", "none", "emergency", "service", 2),
            outcome("ACC-9", "saved", "light", "emergency", "service", 12),
        ):
            assert store.record_save_outcome(rec)


def report(tmp_path: Path, *args: str) -> Result:
    env = {"WINBACK_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "127.0.0.1:1", "DATABASE_URL": ""}
    return CliRunner(env=env).invoke(cli, ["saves", "report", *args], catch_exceptions=False)


def test_json_contract_on_a_fixed_store(tmp_path: Path) -> None:
    fill(tmp_path)
    done = report(tmp_path, "--config", str(EXAMPLES / "saves.yaml"), "--json")
    assert done.exit_code == 0, done.output
    if os.environ.get("WINBACK_RECORD_GOLDEN") == "1":
        GOLDEN.write_text(done.output)
    assert done.output == GOLDEN.read_text()
    data = json.loads(done.output)
    assert (data["at_risk"], data["started"], data["attempt_rate"]) == (9, 6, 66.7)
    o = data["overall"]
    assert (o["ended"], o["saved"], o["lost"], o["cancelled"], o["success_rate"]) == (6, 4, 1, 1, 80.0)
    assert o["high_success_warning"] is True and data["warnings"][0].startswith(
        "all saves: success rate 80 %"
    )
    assert (o["saved_arr"], o["saved_arr_unknown"]) == (126_000, 1)  # ACC-9 has no launch record
    assert (o["hours"], o["cost"]) == (40 + 40 + 15 + 4 + 1 + 4, 104 * 85)
    assert o["median_days_to_save"] == 16.0  # 9, 12, 20, 35
    assert o["retention_at_next_renewal"] is None


def test_the_table(tmp_path: Path) -> None:
    fill(tmp_path)
    done = report(tmp_path, "--config", str(EXAMPLES / "saves.yaml"))
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == (
        "saves report: 6 of 9 at-risk accounts started a save, attempt rate 66.7 %; cost at 85 EUR an hour"
    )
    assert lines[3].split() == [
        "all", "saves", "6", "4", "1", "1", "0", "80", "%", "!", "126,000", "(+1", "unknown)",
        "104", "8,840", "14.25", "16", "not", "yet", "known",
    ]  # fmt: skip
    assert "! success above 70 %:" in lines


def test_since_and_no_config(tmp_path: Path) -> None:
    fill(tmp_path)
    done = report(tmp_path, "--since", "2027-03-03", "--json")
    data = json.loads(done.output)
    assert data["since"] == "2027-03-03" and data["currency"] is None and data["hourly_cost"] is None
    assert data["at_risk"] == 0 and data["attempt_rate"] is None and data["overall"]["ended"] == 0
    assert data["overall"]["cost"] is None and data["warnings"] == []


def test_an_empty_store(tmp_path: Path) -> None:
    done = report(tmp_path)
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == (
        "saves report: 0 of 0 at-risk accounts started a save, attempt rate n/a; "
        "no cost: give --config with the hourly cost"
    )


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "saves.yaml"
    bad.write_text("currency: EUR\nhourly_cost: lots\n")
    done = report(tmp_path, "--config", str(bad))
    assert done.exit_code == 2
    assert (
        done.output.strip()
        == f"{bad}: hourly_cost: 'lots' is not a number from 0 to 100,000; write e.g. 85 or 92.5"
    )
    done = report(tmp_path, "--since", "March")
    assert done.exit_code == 2 and "--since: 'March' is not a date" in done.output


def test_retention_reads_the_renewal_checks_that_followed_saved_saves(tmp_path: Path) -> None:
    fill(tmp_path)
    with Store.open(database_url(tmp_path)) as store:
        # ACC-1 held at its next renewal, ACC-2 churned; a check from before ACC-4's save ended
        # belongs to an earlier save and does not count for it.
        for account, result, at in (
            ("ACC-1", HELD, T0 + timedelta(days=400)),
            ("ACC-2", CHURNED, T0 + timedelta(days=410)),
            ("ACC-4", HELD, T0 - timedelta(days=30)),
        ):
            store.record_follow_up(
                FollowUpRecord(
                    workflow_id=f"save-followup-{account}",
                    run_id="run-1",
                    step=RENEWAL_CHECK,
                    account_id=account,
                    result=result,
                    detail="",
                    at=at,
                )
            )
    done = report(tmp_path, "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["overall"]["retention_at_next_renewal"] == 50.0
