"""How fast a save runs: its mode by days from the as-of day to the renewal (issue 12).

90 days or more: `comprehensive`; 30-89: `compressed`; 0-29: `emergency` (fixes within 48-72
hours). A renewal before the as-of day is past: no mode, and the plan leaves the account out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

__all__ = ["MODES", "MODE_SCOPE", "days_to_renewal", "mode_for", "mode_reason"]

# Each mode and the fewest days to the renewal it needs, longest first.
MODES: Final = (("comprehensive", 90), ("compressed", 30), ("emergency", 0))
MODE_SCOPE: Final[Mapping[str, str]] = {
    "comprehensive": "time for a full plan",
    "compressed": "the plan in fewer, faster steps",
    "emergency": "fixes within 48-72 hours",
}


def days_to_renewal(renewal_on: date, as_of: date) -> int:
    """Calendar days; negative when the renewal is past, 0 on the day itself."""
    return (renewal_on - as_of).days


def mode_for(days: int) -> str | None:
    """The mode for days to the renewal; None when it is past (negative)."""
    for mode, floor in MODES:
        if days >= floor:
            return mode
    return None


def mode_reason(days: int) -> str:
    mode = mode_for(days)
    if mode is None:
        return f"the renewal was {-days} day{'s' if days != -1 else ''} ago: too late for a save"
    bands = {m: (floor, None if i == 0 else MODES[i - 1][1] - 1) for i, (m, floor) in enumerate(MODES)}
    low, high = bands[mode]
    band = f"{low} or more days" if high is None else f"{low}-{high} days"
    return f"mode {mode} ({MODE_SCOPE[mode]}): renewal in {days} day{'s' if days != 1 else ''} ({band})"
