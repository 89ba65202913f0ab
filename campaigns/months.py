"""Calendar months: how churn windows, the sweet spot and cool-offs count time.

A month is a calendar month, not 30 days: a decline on 31 August rests until the last day
of February, so "12 months" reads the same in a plan, in the store and to the person.
"""

from __future__ import annotations

import calendar as _stdcal
from datetime import date

__all__ = ["add_months", "months_between"]


def add_months(day: date, months: int) -> date:
    """Calendar months later (or earlier), clamping the day: Aug 31 + 6 months = Feb 28/29."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = _stdcal.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (negative when end is earlier), as add_months counts."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    elif months < 0 and add_months(start, months) < end:
        months += 1
    return months
