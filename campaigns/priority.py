"""How an included account ranks: its churn reason sets a level, each drawback lowers it one.

The reasons we can answer (a product gap since filled, a service failure since fixed) rank
first; a loss to a competitor ranks high only while that competitor has a live signal
(a price rise, an acquisition, an outage) that gives the account a reason to listen. See
docs/ARCHITECTURE.md, "Rules and where they live".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from campaigns.months import add_months

__all__ = [
    "BASE_PRIORITY",
    "PRIORITIES",
    "SWEET_SPOT",
    "SWEET_SPOT_MONTHS",
    "by_churn_reason",
    "departure_drawback",
    "in_sweet_spot",
    "named",
]

PRIORITIES: Final = ("high", "medium", "low")
# Months after churn when a win-back lands best, whatever window a campaign allows: long
# enough for the reason they left to be fixed, short enough that they remember the product.
SWEET_SPOT_MONTHS: Final = (6, 24)
SWEET_SPOT: Final = f"{SWEET_SPOT_MONTHS[0]}-{SWEET_SPOT_MONTHS[1]} month sweet spot"

# Competitive and structural are not here: the first depends on the campaign's competitor
# signals, the second is never contacted at all.
BASE_PRIORITY: Final = {
    "product_gap": ("high", "product gap: what they left over is addressed"),
    "service": ("high", "service issue: fixed since they left"),
    "budget": ("medium", "price: now addressable"),
    "adoption": ("medium", "adoption: they never got the value, onboarding help can fix it"),
    "bad_fit": ("low", "bad fit"),
    "other": ("low", "other churn reason"),
}


def by_churn_reason(reason: str, competitor: str, signals: Mapping[str, str]) -> tuple[int, str]:
    """The level the churn reason sets (0 = high) and the note that says why.

    `signals` are the competitors with a live signal, stripped and casefolded, each with the
    story a watcher saw ("" for the campaign's hand-written audience.competitor_signals).
    """
    if reason == "competitive":
        name = competitor.strip()
        key = name.casefold()
        if name and key in signals:
            story = signals[key]
            if story:
                return 0, f"lost to {name}, which has a live competitor signal: {story} (high)"
            return 0, f"lost to {name}, which has a live competitor signal (high)"
        who = name or "a competitor (not named)"
        return 1, f"lost to {who}, no live competitor signal (medium)"
    base, text = BASE_PRIORITY.get(reason, ("low", f"churn reason {reason}"))
    return PRIORITIES.index(base), f"{text} ({base})"


def departure_drawback(departure: str) -> tuple[int, str] | None:
    """Graceful departures rank above angry ones: an angry one lowers the level by one."""
    if departure == "angry":
        return 1, "angry departure: ranked lower"
    return None


def in_sweet_spot(churned: date, day: date) -> bool:
    """Whether `day` lies in the sweet spot after `churned`, both ends included."""
    return add_months(churned, SWEET_SPOT_MONTHS[0]) <= day <= add_months(churned, SWEET_SPOT_MONTHS[1])


def named(level: int) -> str:
    """The priority a level comes to; drawbacks stop lowering at the lowest."""
    return PRIORITIES[min(level, len(PRIORITIES) - 1)]
