"""Red flags and risk: health 49/50, one flag watch, competitor evaluation alone, duplicates once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campaigns.risk import FLAGS, HEALTH_FLAG, SIGNALS, intents_since, red_flags, risk_level


def test_a_health_score_below_50_is_a_flag_and_50_is_not() -> None:
    assert red_flags((), 49) == (HEALTH_FLAG,)
    assert red_flags((), 49.9) == (HEALTH_FLAG,)
    assert red_flags((), 50) == ()
    assert red_flags((), None) == ()


def test_flags_come_in_one_order_whatever_the_file_says() -> None:
    assert red_flags(("usage_decline", "engagement_drop"), 10) == (
        "engagement_drop",
        "usage_decline",
        HEALTH_FLAG,
    )
    assert (*SIGNALS, HEALTH_FLAG, "cancel_intent") == FLAGS


def test_no_flag_is_none() -> None:
    assert risk_level(()) == "none"


@pytest.mark.parametrize("flag", [f for f in FLAGS if f != "competitor_evaluation"])
def test_one_flag_other_than_a_competitor_evaluation_is_watch(flag: str) -> None:
    assert risk_level((flag,)) == "watch"


def test_a_competitor_evaluation_alone_is_already_at_risk() -> None:
    assert risk_level(("competitor_evaluation",)) == "at_risk"


def test_two_flags_are_at_risk() -> None:
    assert risk_level(("engagement_drop", "champion_left")) == "at_risk"
    assert risk_level(red_flags(("budget_pressure",), 49)) == "at_risk"
    assert risk_level(red_flags(("budget_pressure",), 50)) == "watch"


def test_a_flag_listed_twice_counts_once() -> None:
    assert risk_level(("engagement_drop", "engagement_drop")) == "watch"
    assert red_flags(("engagement_drop", "engagement_drop"), None) == ("engagement_drop",)


def test_a_stored_cancel_intent_is_a_flag_of_its_own() -> None:
    assert red_flags([], None, intents=0) == ()
    assert red_flags([], None, intents=3) == ("cancel_intent",)
    # One intent alone is a review, as any single flag but a competitor evaluation; with one
    # more flag the account is at risk.
    assert risk_level(red_flags([], None, intents=1)) == "watch"
    assert risk_level(red_flags(["usage_decline"], None, intents=1)) == "at_risk"
    assert red_flags(["usage_decline"], 40, intents=1) == (
        "usage_decline",
        "low_health_score",
        "cancel_intent",
    )


def test_intents_count_from_midnight_utc_ninety_days_before_the_as_of_day() -> None:
    assert intents_since(date(2027, 3, 1)) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
