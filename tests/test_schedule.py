"""The schedule block: defaults, the window in a person's spelling, weekdays, blackouts, quarter-end."""

from __future__ import annotations

import pytest

from campaigns.errors import Problems
from campaigns.model import Blackout, Schedule
from campaigns.schedule import MAX_QUARTER_END_DAYS, read_schedule


def read(raw: object) -> tuple[Schedule | None, list[str]]:
    problems = Problems("camp.yaml")
    return read_schedule(problems, raw), problems.lines


def test_no_block_is_the_default_schedule() -> None:
    assert read(None) == (Schedule(), [])


def test_a_full_block() -> None:
    schedule, lines = read(
        {
            "window": "8:30 - 16:00",
            "weekdays": ["Friday", "mon", "WED"],
            "quarter_end_blackout_days": 0,
            "blackout": [{"from": "2027-12-20", "to": "2028-01-02", "reason": "year-end freeze"}],
        }
    )
    assert lines == []
    assert schedule == Schedule(
        window_start="08:30",
        window_end="16:00",
        weekdays=("mon", "wed", "fri"),  # calendar order
        quarter_end_blackout_days=0,
        blackouts=(Blackout("2027-12-20", "2028-01-02", "year-end freeze"),),
    )


def test_a_window_that_crosses_midnight_is_refused() -> None:
    _, lines = read({"window": "22:00-06:00"})
    assert lines == [
        "camp.yaml: schedule.window: '22:00-06:00' ends before it starts; a window cannot cross midnight, "
        'write it as "09:00-17:00" in the recipient\'s local time, 24-hour clock ("00:00-24:00" for any time)'
    ]


@pytest.mark.parametrize(("days", "ok"), [(0, True), (MAX_QUARTER_END_DAYS, True), (16, False), (-1, False)])
def test_quarter_end_days_at_the_edges(days: int, ok: bool) -> None:
    schedule, lines = read({"quarter_end_blackout_days": days})
    if ok:
        assert schedule is not None and schedule.quarter_end_blackout_days == days
    else:
        assert lines == [
            f"camp.yaml: schedule.quarter_end_blackout_days: '{days}' is not a whole number from 0 to 15; "
            "write how many business days before a quarter ends to stay quiet, e.g. 5 (0 turns it off)"
        ]


def test_a_one_day_blackout_has_the_same_from_and_to() -> None:
    schedule, _ = read({"blackout": [{"from": "2027-06-19", "to": "2027-06-19"}]})
    assert schedule is not None
    assert schedule.blackouts == (Blackout("2027-06-19", "2027-06-19", "blackout"),)
    _, lines = read({"blackout": [{"from": "2027-06-19", "to": "2027-06-18"}]})
    assert lines == [
        "camp.yaml: schedule.blackout[1].to: 2027-06-18 is before from (2027-06-19); both days are included, "
        "so a one-day blackout has the same from and to"
    ]


def test_an_unknown_weekday_gets_a_guess() -> None:
    _, lines = read({"weekdays": ["mon", "thurs"]})
    assert lines == ["camp.yaml: schedule.weekdays: unknown weekday 'thurs'; did you mean 'thu'?"]
