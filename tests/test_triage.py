"""One renewal's decision: who is included, what each rule decided, and the reasons in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from campaigns.renewals import Renewal
from campaigns.save_probability import Factors
from campaigns.triage import SaveEntry, triage
from tests.factories import make_account

AS_OF = date(2027, 3, 1)
GOOD = Factors("value_perception", "strong", "none", "confirmed", "engaged")


def renewal(
    *,
    arr: float = 86_000,
    days: int = 45,
    signals: tuple[str, ...] = ("engagement_drop", "champion_left"),
    health: float | None = 70,
    factors: Factors | None = GOOD,
    strategic: bool = False,
) -> Renewal:
    return Renewal(
        account=make_account(arr=float(arr), churned_on=None),
        renewal_on=(AS_OF + timedelta(days=days)).isoformat(),
        health_score=health,
        signals=signals,
        factors=factors,
        strategic=strategic,
    )


def decide(**kwargs: object) -> SaveEntry:
    return triage(renewal(**kwargs), AS_OF)  # type: ignore[arg-type]


def test_an_at_risk_account_gets_every_decision_and_a_reason_for_each() -> None:
    entry = decide()
    assert entry == SaveEntry(
        account_id="ACC-1",
        arr=86_000,
        included=True,
        risk="at_risk",
        flags=("engagement_drop", "champion_left"),
        save_probability="high",
        value="high",
        effort="full",
        mode="compressed",
        days_to_renewal=45,
        executive_escalation=True,
        reasons=(
            "red flags: engagement_drop, champion_left",
            "risk at_risk: 2 red flags",
            "save probability high (60-80 %): no bad factor and at most 1 mixed (every factor good)",
            "value high: ARR 86,000 >= 50,000",
            "effort full (executives, a custom plan, 30-90 days): value high, save probability high",
            "mode compressed (the plan in fewer, faster steps): renewal in 45 days (30-89 days)",
            "executive escalation: ARR 86,000 >= 50,000 and effort full (4 steps over 12 business days)",
        ),
    )


def test_health_49_is_a_flag_and_50_is_not() -> None:
    low = decide(signals=("usage_decline",), health=49)
    assert low.risk == "at_risk" and low.flags == ("usage_decline", "low_health_score")
    assert low.reasons[0] == "red flags: usage_decline, low_health_score (49 below 50)"
    fine = decide(signals=("usage_decline",), health=50)
    assert fine.risk == "watch" and fine.flags == ("usage_decline",)


def test_no_flag_is_none_and_left_out_without_a_save() -> None:
    entry = decide(signals=(), health=None)
    assert (entry.included, entry.risk, entry.flags) == (False, "none", ())
    assert (entry.effort, entry.mode, entry.executive_escalation) == (None, None, False)
    assert entry.save_probability == "high" and entry.value == "high"  # still shown to a reviewer
    assert entry.reasons[:3] == (
        "no red flags",
        "risk none: the renewal looks safe",
        "not included: nothing to save",
    )


def test_one_flag_is_watch_a_review_and_no_save() -> None:
    entry = decide(signals=("negative_feedback",), factors=None)
    assert (entry.included, entry.risk, entry.save_probability, entry.effort) == (False, "watch", None, None)
    assert entry.reasons == (
        "red flag: negative_feedback",
        "risk watch: one red flag is a review task for the owner, not a save",
        "not included: one red flag is watched, not saved",
        "value high: ARR 86,000 >= 50,000",
    )


def test_a_competitor_evaluation_alone_is_included() -> None:
    entry = decide(signals=("competitor_evaluation",))
    assert entry.included and entry.risk == "at_risk"
    assert entry.reasons[1] == "risk at_risk: competitor_evaluation alone is enough"


def test_a_flag_listed_twice_counts_once() -> None:
    assert decide(signals=("engagement_drop", "engagement_drop")).risk == "watch"


@pytest.mark.parametrize(
    ("days", "included", "mode"),
    [
        (-1, False, None),
        (0, True, "emergency"),
        (29, True, "emergency"),
        (30, True, "compressed"),
        (89, True, "compressed"),
        (90, True, "comprehensive"),
    ],
)
def test_days_to_renewal_decide_the_mode_and_a_past_renewal_is_left_out(
    days: int, included: bool, mode: str | None
) -> None:
    entry = decide(days=days)
    assert (entry.included, entry.mode, entry.days_to_renewal) == (included, mode, days)
    if not included:
        assert entry.risk == "at_risk" and entry.effort is None and not entry.executive_escalation
        assert (
            entry.reasons[2]
            == "not included: the renewal was 1 day ago: too late for a save (renewal on 2027-02-28)"
        )


@pytest.mark.parametrize(
    ("arr", "factors", "effort", "escalation"),
    [
        (50_000, GOOD, "full", True),
        (49_999, GOOD, "standard", False),
        (50_000, replace(GOOD, alternative="committed"), "light", False),
        (49_999, replace(GOOD, alternative="committed"), "light", False),
    ],
)
def test_escalation_at_50000_with_full_effort_only(
    arr: float, factors: Factors, effort: str, escalation: bool
) -> None:
    entry = decide(arr=arr, factors=factors)
    assert (entry.effort, entry.executive_escalation) == (effort, escalation)


def test_strategic_raises_the_value_and_so_the_effort() -> None:
    assert decide(arr=49_999, strategic=True).value == "high"
    entry = decide(arr=49_999, strategic=True)
    assert entry.effort == "full" and not entry.executive_escalation  # ARR, not value, escalates
    assert decide(arr=9_999, strategic=True).value == "medium"


def test_low_value_and_low_probability_is_a_graceful_exit_still_planned() -> None:
    entry = decide(arr=5_000, factors=replace(GOOD, alternative="committed"))
    assert entry.included and entry.effort == "none"
    assert "effort none (no save: a graceful exit): value low, save probability low" in entry.reasons


def test_an_at_risk_renewal_without_factors_is_left_out_not_guessed() -> None:
    """A stored cancel intent can put a row at risk that the file gave no factors."""
    entry = decide(factors=None)
    assert entry.risk == "at_risk" and not entry.included and entry.effort is None
    assert any(
        r.startswith("not included: at risk, but the file gives no save factors") for r in entry.reasons
    )
