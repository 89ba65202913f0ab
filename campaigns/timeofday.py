"""Times of day ("HH:MM" on the recipient's own clock) and the sending window made of two.

One grammar for every reader: the calendar's sending hours, a launch's stagger and a
campaign file's window. A schedule holds "HH:MM" exactly; a person writing a campaign file
may leave out a leading zero ("9:00-17:00"), and the loader stores what they meant. 24:00
exists only as the end of a window: the end is exclusive, so it means "until the day ends".
"""

from __future__ import annotations

import re
from typing import Final

from campaigns.errors import excerpt

__all__ = ["DAY_SECONDS", "WINDOW_FIX", "clock_text", "parse_window", "read", "seconds", "to_seconds"]

DAY_SECONDS: Final = 24 * 3600
_STORED_RE: Final = re.compile(r"(\d{2}):(\d{2})")
_WRITTEN: Final = r"(\d{1,2}):(\d{2})"
_WINDOW_RE: Final = re.compile(rf"{_WRITTEN}\s*-\s*{_WRITTEN}")
WINDOW_FIX: Final = (
    'write it as "09:00-17:00" in the recipient\'s local time, 24-hour clock ("00:00-24:00" for any time)'
)


def read(text: str) -> tuple[int, int] | None:
    """(hours, minutes) of a stored "HH:MM", not yet checked to exist; None for any other shape."""
    match = _STORED_RE.fullmatch(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def to_seconds(hours: int, minutes: int, *, end: bool) -> int | None:
    """Seconds since local midnight; None for a time that does not exist (24:00 only as an end)."""
    if hours <= 23 and minutes <= 59:
        return hours * 3600 + minutes * 60
    if end and (hours, minutes) == (24, 0):
        return DAY_SECONDS
    return None


def seconds(text: str, *, end: bool) -> int | None:
    """`read` and `to_seconds` in one: None when `text` is not a stored time of day."""
    clock = read(text)
    return None if clock is None else to_seconds(*clock, end=end)


def clock_text(value: int) -> str:
    """ "HH:MM" for seconds since midnight; DAY_SECONDS is "24:00"."""
    return f"{value // 3600:02d}:{value % 3600 // 60:02d}"


def parse_window(text: str) -> tuple[str, str]:
    """A campaign file's "9:00-17:00" as the stored ("09:00", "17:00"); ValueError says what
    is wrong and how to write it. A window cannot cross midnight: that would be two windows."""
    match = _WINDOW_RE.fullmatch(text)
    if not match:
        raise ValueError(f"{excerpt(text)} is not a time window; {WINDOW_FIX}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start = to_seconds(h1, m1, end=False)
    finish = to_seconds(h2, m2, end=True)
    if start is None or finish is None:
        raise ValueError(f"{excerpt(text)} has a time that does not exist; {WINDOW_FIX}")
    if start >= finish:
        raise ValueError(
            f"{excerpt(text)} ends before it starts; a window cannot cross midnight, {WINDOW_FIX}"
        )
    return clock_text(start), clock_text(finish)
