"""Mode by days to the renewal: -1, 0, 29, 30, 89, 90."""

from __future__ import annotations

from datetime import date

import pytest

from campaigns.save_mode import days_to_renewal, mode_for, mode_reason


@pytest.mark.parametrize(
    ("days", "mode"),
    [
        (-1, None),
        (-400, None),
        (0, "emergency"),
        (29, "emergency"),
        (30, "compressed"),
        (89, "compressed"),
        (90, "comprehensive"),
        (700, "comprehensive"),
    ],
)
def test_mode_by_days(days: int, mode: str | None) -> None:
    assert mode_for(days) == mode


def test_days_count_calendar_days_from_the_as_of_day() -> None:
    assert days_to_renewal(date(2027, 3, 1), date(2027, 3, 1)) == 0
    assert days_to_renewal(date(2027, 2, 28), date(2027, 3, 1)) == -1
    assert days_to_renewal(date(2027, 5, 30), date(2027, 3, 1)) == 90


def test_the_reason_names_the_band_or_the_past_renewal() -> None:
    assert mode_reason(0) == "mode emergency (fixes within 48-72 hours): renewal in 0 days (0-29 days)"
    assert mode_reason(1) == "mode emergency (fixes within 48-72 hours): renewal in 1 day (0-29 days)"
    assert (
        mode_reason(89)
        == "mode compressed (the plan in fewer, faster steps): renewal in 89 days (30-89 days)"
    )
    assert (
        mode_reason(90) == "mode comprehensive (time for a full plan): renewal in 90 days (90 or more days)"
    )
    assert mode_reason(-1) == "the renewal was 1 day ago: too late for a save"
