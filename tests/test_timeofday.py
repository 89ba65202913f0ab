"""Times of day and sending windows: the grammar, the 23:59 and 24:00 edges, the messages."""

from __future__ import annotations

import pytest

from campaigns.timeofday import DAY_SECONDS, clock_text, parse_window, read, seconds, to_seconds

FIX = 'write it as "09:00-17:00" in the recipient\'s local time, 24-hour clock ("00:00-24:00" for any time)'


@pytest.mark.parametrize(
    ("text", "clock"), [("09:00", (9, 0)), ("00:00", (0, 0)), ("24:00", (24, 0)), ("99:99", (99, 99))]
)
def test_read_takes_the_stored_shape(text: str, clock: tuple[int, int]) -> None:
    assert read(text) == clock


@pytest.mark.parametrize(
    "text",
    ["", "9:00", "0900", "09:0", "09:000", "123:00", "09:00:00", " 09:00", "09:00\n", "+9:00", "ab:cd"],
)
def test_read_refuses_other_shapes(text: str) -> None:
    # A schedule holds what the loader stored; "9:00" in one was not written by it.
    assert read(text) is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("00:00", 0, 0),
        ("09:30", 9 * 3600 + 30 * 60, 9 * 3600 + 30 * 60),
        ("23:59", DAY_SECONDS - 60, DAY_SECONDS - 60),
        ("24:00", None, DAY_SECONDS),  # only an end may be the end of the day
        ("24:01", None, None),
        ("23:60", None, None),
        ("25:00", None, None),
    ],
)
def test_seconds_at_the_edges_of_the_day(text: str, start: int | None, end: int | None) -> None:
    assert seconds(text, end=False) == start
    assert seconds(text, end=True) == end


def test_to_seconds_and_clock_text_round_trip() -> None:
    for value in (0, 60, 9 * 3600, DAY_SECONDS - 60, DAY_SECONDS):
        hours, minutes = read(clock_text(value)) or (-1, -1)
        assert to_seconds(hours, minutes, end=True) == value
    assert clock_text(DAY_SECONDS) == "24:00"
    assert clock_text(7 * 3600 + 5 * 60) == "07:05"


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("09:00-17:00", ("09:00", "17:00")),
        ("9:00 - 17:30", ("09:00", "17:30")),
        ("00:00-24:00", ("00:00", "24:00")),
        ("23:59-24:00", ("23:59", "24:00")),
    ],
)
def test_parse_window_keeps_hh_mm(text: str, window: tuple[str, str]) -> None:
    assert parse_window(text) == window


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("abc", "'abc' is not a time window"),
        ("9-17", "'9-17' is not a time window"),
        ("09:00-17:5", "'09:00-17:5' is not a time window"),
        ("25:00-26:00", "'25:00-26:00' has a time that does not exist"),
        ("00:00-24:01", "'00:00-24:01' has a time that does not exist"),
        ("24:00-24:00", "'24:00-24:00' has a time that does not exist"),
        ("17:00-09:00", "'17:00-09:00' ends before it starts; a window cannot cross midnight,"),
        ("08:30-08:30", "'08:30-08:30' ends before it starts; a window cannot cross midnight,"),
    ],
)
def test_parse_window_says_what_is_wrong_and_how_to_write_it(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_window(text)
    assert str(err.value).startswith(problem)
    assert str(err.value).endswith(FIX)
