"""`plan`, `launch`, `simulate`: what they decide before any server is involved."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from campaigns.plan import build_plan
from tests.cli import EXAMPLES
from tests.factories import make_account, make_campaign
from winback.cli import cli
from winback.commands.campaigns import exclusion_lines, parse_as_of, parse_start, timeline_lines

CAMPAIGN = str(EXAMPLES / "spring-winback.yaml")
ACCOUNTS = str(EXAMPLES / "accounts.csv")


def winback(tmp_path: Path, *args: str) -> Result:
    runner = CliRunner(env={"WINBACK_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    return runner.invoke(cli, list(args), prog_name="winback")


def assert_one_line_exit_2(result: Result, line: str) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == line + "\n"


@pytest.mark.integration  # runs the real winback command in a subprocess
@pytest.mark.parametrize("text", ["next week", "2027-3-1", "2027-02-30", "2027-03-01T08:00"])
def test_a_bad_as_of_is_one_line_and_exit_2(tmp_path: Path, text: str) -> None:
    result = winback(tmp_path, "plan", CAMPAIGN, "--accounts", ACCOUNTS, "--as-of", text)
    assert_one_line_exit_2(
        result, f"--as-of: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01"
    )
    assert not (tmp_path / "winback.db").exists()


def test_as_of_is_a_day_or_today() -> None:
    assert parse_as_of("2027-03-01") == date(2027, 3, 1)
    assert parse_as_of(None) == date.today()


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_a_bad_start_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = winback(tmp_path, "simulate", CAMPAIGN, "--accounts", ACCOUNTS, "--start", "soon")
    assert_one_line_exit_2(
        result, "--start: 'soon' is not an ISO 8601 moment; write e.g. 2027-03-22T08:00:00Z"
    )


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_a_start_in_the_past_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = winback(tmp_path, "simulate", CAMPAIGN, "--accounts", ACCOUNTS, "--start", "2020-01-01")
    assert_one_line_exit_2(
        result,
        "--start 2020-01-01T00:00:00+00:00 is in the past; the simulator's clock starts now and only "
        "moves forward: give a future moment or leave --start out",
    )


def test_start_is_a_future_moment_in_utc_unless_it_says_otherwise() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_start(None, now=now) is None
    assert parse_start("2027-03-22T08:00:00Z", now=now) == datetime(2027, 3, 22, 8, tzinfo=UTC)
    assert parse_start("2027-03-22T08:00:00", now=now) == datetime(2027, 3, 22, 8, tzinfo=UTC)
    helsinki = parse_start("2027-03-22T10:00:00+02:00", now=now)
    assert helsinki == datetime(2027, 3, 22, 8, tzinfo=UTC)


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_an_unknown_only_id_is_refused_before_temporal_is_asked(tmp_path: Path) -> None:
    result = winback(tmp_path, "launch", CAMPAIGN, "--accounts", ACCOUNTS, "--only", "ACC-NOPE")
    assert_one_line_exit_2(
        result,
        f"{ACCOUNTS}: --only names account ids not in the file: ACC-NOPE; check the account_id column",
    )


def test_a_launch_names_few_exclusions_and_counts_many() -> None:
    campaign = make_campaign()
    today = date(2027, 3, 1)
    few = [
        make_account(account_id="IN"),
        make_account(account_id="GONE", churn_reason="structural"),
        make_account(account_id="SMALL", arr=500.0),
    ]
    plan = build_plan(few, campaign, as_of=today, preferences=[], enrolments=[])
    lines = exclusion_lines(plan)
    assert [line.split(":")[0] for line in lines] == ["  not started  GONE", "  not started  SMALL"]
    assert "structural churn" in lines[0]

    many = [make_account(account_id=f"S{i}", churn_reason="structural") for i in range(40)]
    many += [make_account(account_id=f"L{i}", arr=500.0) for i in range(11)]
    plan = build_plan(many, campaign, as_of=today, preferences=[], enrolments=[])
    assert exclusion_lines(plan) == [
        "  not started  40 accounts: structural",
        "  not started  11 accounts: below_min_arr",
        "  (`winback plan` lists every account and why)",
    ]


def test_the_timeline_reads_one_line_per_touch_and_per_end() -> None:
    rows: list[dict[str, Any]] = [
        {
            "account_id": "ACC-1001",
            "touch": 1,
            "channel": "email",
            "template": "product_gap/01_whats_new",
            "at_utc": "2027-03-22T08:00:00+00:00",
            "at_local": "2027-03-22T10:00:00+02:00",
            "deferred": [],
        },
        {
            "account_id": "ACC-1001",
            "touch": 2,
            "channel": "linkedin",
            "template": "product_gap/02_linkedin_note",
            "at_utc": "2027-03-29T07:00:00+00:00",
            "at_local": "2027-03-29T10:00:00+03:00",
            "deferred": ["2027-03-27 10:00 -> 2027-03-29 10:00: weekend"],
        },
        {"account_id": "ACC-1001", "outcome": "completed_no_reply", "reason": "all 2 touches done"},
    ]
    assert timeline_lines(rows) == [
        "ACC-1001       touch 1  email     2027-03-22T10:00:00+02:00",
        "ACC-1001       touch 2  linkedin  2027-03-29T10:00:00+03:00"
        "  (deferred: 2027-03-27 10:00 -> 2027-03-29 10:00: weekend)",
        "ACC-1001       -> completed_no_reply: all 2 touches done",
    ]
