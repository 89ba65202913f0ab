"""Calendar months: month ends clamp, leap years count, and negative spans count back."""

from __future__ import annotations

from datetime import date

import pytest

from campaigns.months import add_months, months_between


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # 2028 is a leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # over a year end
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),  # back over a year end
        (date(2026, 2, 15), 36, date(2029, 2, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 5, 3), 0, date(2026, 5, 3)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_months_between_counts_whole_months() -> None:
    start = date(2025, 8, 31)
    assert months_between(start, date(2026, 2, 27)) == 5
    # Feb 28 is "Aug 31 + 6 months", so the sixth month is complete on it.
    assert months_between(start, date(2026, 2, 28)) == 6
    assert months_between(date(2026, 2, 15), date(2026, 2, 15)) == 0
    assert months_between(date(2026, 2, 15), date(2026, 3, 14)) == 0
    assert months_between(date(2026, 2, 15), date(2026, 3, 15)) == 1


def test_months_between_is_negative_when_the_end_is_earlier() -> None:
    assert months_between(date(2026, 2, 15), date(2026, 1, 16)) == 0
    assert months_between(date(2026, 2, 15), date(2026, 1, 15)) == -1
    assert months_between(date(2026, 2, 15), date(2025, 2, 15)) == -12
    assert months_between(date(2026, 3, 31), date(2026, 2, 28)) == -1


@pytest.mark.parametrize("months", [-25, -13, -1, 0, 1, 6, 12, 24, 36])
def test_months_between_undoes_add_months(months: int) -> None:
    for start in (date(2026, 1, 15), date(2026, 6, 30), date(2027, 11, 30)):
        assert months_between(start, add_months(start, months)) == months
