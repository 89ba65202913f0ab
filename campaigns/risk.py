"""Red flags and the risk level of a renewal (issue 12, at-risk renewal saves).

A red flag is each signal the CRM lists for the account, a health score below 50, and a cancel
intent the product reported (POST /webhooks/intent: a cancel flow started or abandoned, a data
export, the widget removed ...) in the last INTENT_DAYS days. No flag:
risk `none`. One flag: `watch` (the owner reviews the account; no save starts), except that a
competitor evaluation alone already makes the account `at_risk`: a customer comparing offers
decides on its own clock, not ours. Two or more flags: `at_risk`. A flag listed twice counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

__all__ = [
    "AT_RISK_FLAGS",
    "FLAGS",
    "HEALTH_FLAG",
    "HEALTH_FLAG_BELOW",
    "INTENT_DAYS",
    "INTENT_FLAG",
    "RISK_LEVELS",
    "SIGNALS",
    "SOLE_FLAGS_AT_RISK",
    "intents_since",
    "red_flags",
    "risk_level",
]

# The `signals` column's values, in the order a plan lists them.
SIGNALS: Final = (
    "engagement_drop",
    "negative_feedback",
    "competitor_evaluation",
    "budget_pressure",
    "champion_left",
    "usage_decline",
    "business_change",
)
# A health score (0-100) below this is a red flag of its own.
HEALTH_FLAG_BELOW: Final = 50
HEALTH_FLAG: Final = "low_health_score"
# Any cancel intent the store holds from this many days before the as-of day is one more flag.
INTENT_DAYS: Final = 90
INTENT_FLAG: Final = "cancel_intent"
FLAGS: Final = (*SIGNALS, HEALTH_FLAG, INTENT_FLAG)

RISK_LEVELS: Final = ("none", "watch", "at_risk")
# This many distinct flags make an account at risk...
AT_RISK_FLAGS: Final = 2
# ...and so does any one of these alone.
SOLE_FLAGS_AT_RISK: Final = frozenset({"competitor_evaluation"})


def intents_since(as_of: date) -> datetime:
    """The first moment whose cancel intents count as a flag on `as_of`: midnight UTC
    INTENT_DAYS days before it (the plans and the intent webhook count the same ones)."""
    return datetime.combine(as_of - timedelta(days=INTENT_DAYS), time(0), UTC)


def red_flags(signals: Iterable[str], health_score: float | None, intents: int = 0) -> tuple[str, ...]:
    """The distinct flags, in FLAGS order; `signals` must be SIGNALS values (the loader checks);
    `intents`: the cancel intents stored for the account in the last INTENT_DAYS days."""
    found = set(signals)
    if health_score is not None and health_score < HEALTH_FLAG_BELOW:
        found.add(HEALTH_FLAG)
    if intents > 0:
        found.add(INTENT_FLAG)
    return tuple(flag for flag in FLAGS if flag in found)


def risk_level(flags: Iterable[str]) -> str:
    """`none`, `watch` or `at_risk` for the flags (duplicates count once)."""
    distinct = set(flags)
    if len(distinct) >= AT_RISK_FLAGS or distinct & SOLE_FLAGS_AT_RISK:
        return "at_risk"
    return "watch" if distinct else "none"
