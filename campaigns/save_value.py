"""What a save is worth: value by ARR, one level higher for a strategic account (issue 12).

`high` from 50,000 ARR, `medium` from 10,000, `low` below. A strategic account (a logo, a
reference, a case study) is worth more than its ARR says, so `strategic: yes` raises the value
one level; `high` stays `high`. The thresholds equal the tiers' T1 and T2 floors
(campaigns/tiers.py) today, but they are a separate rule and may move apart.
"""

from __future__ import annotations

from typing import Final

__all__ = ["VALUES", "VALUE_THRESHOLDS", "arr_text", "value_for", "value_reason"]

VALUES: Final = ("low", "medium", "high")  # lowest first: raising is one step right
# The lowest ARR of each value, best first; below the last: low.
VALUE_THRESHOLDS: Final = (("high", 50_000), ("medium", 10_000))


def arr_text(arr: float) -> str:
    """ARR as a reason quotes it: 86,000 or 49,999.50 (never rounded up onto a threshold)."""
    return f"{arr:,.0f}" if arr == int(arr) else f"{arr:,.2f}"


def _by_arr(arr: float) -> str:
    for value, floor in VALUE_THRESHOLDS:
        if arr >= floor:
            return value
    return VALUES[0]


def value_for(arr: float, strategic: bool) -> str:
    value = _by_arr(arr)
    if strategic:
        value = VALUES[min(VALUES.index(value) + 1, len(VALUES) - 1)]
    return value


def value_reason(arr: float, strategic: bool) -> str:
    """One sentence: the value, the ARR band behind it and any strategic raise."""
    base = _by_arr(arr)
    band = next((f">= {floor:,}" for value, floor in VALUE_THRESHOLDS if value == base), None)
    if band is None:
        band = f"below {VALUE_THRESHOLDS[-1][1]:,}"
    head = f"value {value_for(arr, strategic)}: ARR {arr_text(arr)} {band}"
    if not strategic:
        return head
    if base == VALUES[-1]:
        return f"{head}; strategic, already the highest value"
    return f"{head} is {base}, raised one level as a strategic account (logo, reference, case study)"
