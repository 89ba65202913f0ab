"""The saves file: the example, and one exact line per problem (row, column, fix)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from campaigns.errors import ConfigError
from campaigns.renewals import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, RenewalsFile, load_renewals
from campaigns.save_probability import Factors
from tests.test_accounts import GOOD as GOOD_ACCOUNT

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns" / "examples" / "renewals.csv"
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)

GOOD: dict[str, str] = {
    **GOOD_ACCOUNT,
    "churned_on": "",
    "renewal_on": "2027-06-30",
    "health_score": "42",
    "signals": "engagement_drop",
    "root_cause": "service",
    "relationship": "strong",
    "alternative": "none",
    "budget": "confirmed",
    "stakeholders": "engaged",
    "strategic": "",
}


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    Path("renewals.csv").write_text(out.getvalue(), encoding="utf-8")
    return Path("renewals.csv")


def load(*changes: dict[str, str]) -> RenewalsFile:
    """One row per change, each the good row with those values replaced (ids made distinct)."""
    rows = [{**GOOD, "account_id": f"ACC-{i + 1}", **c} for i, c in enumerate(changes)]
    return load_renewals(write(rows))


def problems(**change: str) -> list[str]:
    loaded = load(change)
    assert not loaded.renewals
    return list(loaded.errors)


def test_the_example_loads_with_every_row() -> None:
    loaded = load_renewals(EXAMPLE)
    assert loaded.errors == ()
    assert loaded.rows == len(loaded.renewals) == 9
    assert {r.account.country for r in loaded.renewals} >= {"FI", "SE", "DE", "MY", "JP", "TW"}
    by_id = {r.account.account_id: r for r in loaded.renewals}
    assert by_id["ACC-2005"].signals == ("engagement_drop", "usage_decline")  # listed twice, kept once
    assert by_id["ACC-2002"].strategic is True and by_id["ACC-2001"].strategic is False
    assert by_id["ACC-2006"].factors is None and by_id["ACC-2006"].risk == "watch"
    assert by_id["ACC-2006"].account.company == "Yushan Robotics Co., Ltd."


def test_a_good_row_is_a_renewal() -> None:
    (renewal,) = load({}).renewals
    assert renewal.renewal_on == "2027-06-30"
    assert renewal.health_score == 42
    assert renewal.signals == ("engagement_drop",)
    assert renewal.factors == Factors("service", "strong", "none", "confirmed", "engaged")
    assert renewal.strategic is False
    assert renewal.flags == ("engagement_drop", "low_health_score") and renewal.risk == "at_risk"
    assert renewal.account.churned_on is None


def test_picklist_values_are_read_as_a_crm_writes_them() -> None:
    (renewal,) = load(
        {"signals": " Engagement drop ; champion-left;;", "root_cause": "Product Fit", "strategic": "YES"}
    ).renewals
    assert renewal.signals == ("engagement_drop", "champion_left")
    assert renewal.factors is not None and renewal.factors.root_cause == "product_fit"
    assert renewal.strategic is True


def test_health_score_is_optional_and_so_is_its_column() -> None:
    (renewal,) = load({"health_score": ""}).renewals
    assert renewal.health_score is None and renewal.risk == "watch"
    no_column = tuple(c for c in COLUMNS if c not in ("health_score", "strategic"))
    (renewal,) = load_renewals(write([GOOD], no_column)).renewals
    assert renewal.health_score is None and renewal.strategic is False


def test_a_churned_account_does_not_belong_in_a_saves_file() -> None:
    assert problems(churned_on="2026-02-27") == [
        "renewals.csv: row 2, column churned_on: '2026-02-27' is filled, but a saves file lists accounts "
        "still to renew; clear it, or plan this account's win-back with `winback plan`"
    ]
    # One line, even when the date is not one.
    assert len(problems(churned_on="last May")) == 1


def test_an_unknown_signal_gets_a_did_you_mean() -> None:
    assert problems(signals="engagment_drop;usage_decline") == [
        "renewals.csv: row 2, column signals: unknown signal 'engagment_drop'; "
        "did you mean 'engagement_drop'?"
    ]
    assert problems(signals="vibes") == [
        "renewals.csv: row 2, column signals: unknown signal 'vibes'; use one of engagement_drop, "
        "negative_feedback, competitor_evaluation, budget_pressure, champion_left, usage_decline, "
        "business_change"
    ]


def test_an_unknown_factor_value_gets_a_did_you_mean() -> None:
    assert problems(relationship="strainde") == [
        "renewals.csv: row 2, column relationship: unknown relationship 'strainde'; did you mean 'strained'?"
    ]
    assert problems(root_cause="weather") == [
        "renewals.csv: row 2, column root_cause: unknown root cause 'weather'; use one of value_perception, "
        "situational, service, product_fit"
    ]


def test_an_at_risk_row_needs_every_factor_but_others_need_none() -> None:
    assert problems(budget="", stakeholders="") == [
        "renewals.csv: row 2, column budget: is empty, but the account is at risk (engagement_drop, "
        "low_health_score); fill it in so the save probability can be judged: use one of confirmed, "
        "uncertain, none",
        "renewals.csv: row 2, column stakeholders: is empty, but the account is at risk (engagement_drop, "
        "low_health_score); fill it in so the save probability can be judged: use one of engaged, mixed, "
        "checked_out",
    ]
    empty = dict.fromkeys(("root_cause", "relationship", "alternative", "budget", "stakeholders"), "")
    (watch,) = load({**empty, "health_score": "80"}).renewals
    assert watch.factors is None and watch.risk == "watch"


def test_renewal_on_is_a_date() -> None:
    assert problems(renewal_on="") == [
        "renewals.csv: row 2, column renewal_on: is empty; write the day the contract renews as YYYY-MM-DD "
        "such as 2027-06-30"
    ]
    assert problems(renewal_on="30.6.2027") == [
        "renewals.csv: row 2, column renewal_on: '30.6.2027' is not a date; write it as YYYY-MM-DD such as "
        "2026-03-01, the day the contract renews"
    ]
    assert problems(renewal_on="9999-12-31") == [
        "renewals.csv: row 2, column renewal_on: '9999-12-31' is out of range: the year must be 1900-2200; "
        "write it as YYYY-MM-DD such as 2026-03-01, the day the contract renews"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("high", "'high' is not a number"), ("101", "'101' is above 100"), ("-3", "'-3' is below 0")],
)
def test_health_score_is_0_to_100(text: str, problem: str) -> None:
    assert problems(health_score=text) == [
        f"renewals.csv: row 2, column health_score: {problem}; write the CRM's health score as a number "
        "from 0 to 100 such as 72, or leave it empty"
    ]


def test_strategic_is_yes_or_no() -> None:
    assert problems(strategic="maybe") == [
        "renewals.csv: row 2, column strategic: 'maybe' is not yes or no; use one of yes, no (empty means no)"
    ]


def test_problems_of_the_accounts_columns_are_reported_alike() -> None:
    assert problems(arr="lots") == [
        "renewals.csv: row 2, column arr: 'lots' is not a number; write the ARR as a plain number such as "
        "12000 (12,000 works too; leave out the currency)"
    ]


def test_every_row_is_checked_and_good_rows_are_kept() -> None:
    loaded = load({}, {"signals": "nope"}, {"renewal_on": "soon"})
    assert [r.account.account_id for r in loaded.renewals] == ["ACC-1"]
    assert [where for where, _ in loaded.invalid_rows] == ["ACC-2", "ACC-3"]
    assert [line.split(",")[0] for line in loaded.errors] == ["renewals.csv: row 3", "renewals.csv: row 4"]


def test_a_missing_column_is_named_in_the_header() -> None:
    columns = tuple("signal" if c == "signals" else c for c in COLUMNS)
    rows = [{("signal" if k == "signals" else k): v for k, v in GOOD.items()}]
    with pytest.raises(ConfigError) as raised:
        load_renewals(write(rows, columns))
    assert raised.value.lines == [
        "renewals.csv: row 1: missing column 'signals'; rename column 'signal' to signals"
    ]
