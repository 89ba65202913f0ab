"""A campaign file's `schedule` block: when sends may happen, on the recipient's clock.

The calendar (campaigns.calendar) applies it: the sending window, the weekdays, the quiet
business days before a quarter ends and the campaign's own blackouts. This reads and checks
the block as a person writes it; a Schedule holds it as the calendar reads it.
"""

from __future__ import annotations

from typing import Final

from campaigns import timeofday
from campaigns.errors import Problems, check_keys, choose_from, excerpt
from campaigns.model import WEEKDAYS, Blackout, Schedule
from campaigns.values import date_value, whole

__all__ = ["MAX_QUARTER_END_DAYS", "read_schedule"]

MAX_QUARTER_END_DAYS: Final = 15

_SCHEDULE_KEYS: Final = ("window", "weekdays", "quarter_end_blackout_days", "blackout")
_BLACKOUT_KEYS: Final = {"from": "from: 2027-12-20", "to": "to: 2028-01-02"}
_DAY_NAMES: Final = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


def read_schedule(problems: Problems, raw: object) -> Schedule | None:
    """The block as a Schedule (the defaults when it is left out), or None after adding its problems."""
    if raw is None:
        return Schedule()
    if not isinstance(raw, dict):
        problems.add("schedule", 'must be a block with window, weekdays, ... e.g. window: "09:00-17:00"')
        return None
    check_keys(problems, "schedule", raw, {}, optional=_SCHEDULE_KEYS)
    before = len(problems.lines)
    defaults = Schedule()

    window_start, window_end = defaults.window_start, defaults.window_end
    if "window" in raw:
        window = _window(problems, raw["window"])
        if window is not None:
            window_start, window_end = window

    weekdays = defaults.weekdays
    if "weekdays" in raw:
        weekdays = _weekdays(problems, raw["weekdays"]) or weekdays

    quarter_end = defaults.quarter_end_blackout_days
    if "quarter_end_blackout_days" in raw:
        given = raw["quarter_end_blackout_days"]
        value = whole(given)
        if value is not None and 0 <= value <= MAX_QUARTER_END_DAYS:
            quarter_end = value
        else:
            problems.add(
                "schedule.quarter_end_blackout_days",
                f"{excerpt(given)} is not a whole number from 0 to {MAX_QUARTER_END_DAYS}; write how "
                "many business days before a quarter ends to stay quiet, e.g. 5 (0 turns it off)",
            )

    blackouts: tuple[Blackout, ...] = ()
    if raw.get("blackout") is not None:
        blackouts = _blackouts(problems, raw["blackout"])

    if len(problems.lines) != before:
        return None
    return Schedule(
        window_start=window_start,
        window_end=window_end,
        weekdays=weekdays,
        quarter_end_blackout_days=quarter_end,
        blackouts=blackouts,
    )


def _window(problems: Problems, value: object) -> tuple[str, str] | None:
    try:
        return timeofday.parse_window(str(value).strip())
    except ValueError as err:
        problems.add("schedule.window", str(err))
        return None


def _weekdays(problems: Problems, value: object) -> tuple[str, ...] | None:
    items = value if isinstance(value, list) else None
    if not items:
        problems.add(
            "schedule.weekdays",
            "must list the sending days, e.g. [mon, tue, wed, thu, fri]",
        )
        return None
    days: set[str] = set()
    ok = True
    for item in items:
        word = str(item).strip().lower()
        day = _DAY_NAMES.get(word, word)
        if day in WEEKDAYS:
            days.add(day)
        else:
            problems.add(
                "schedule.weekdays", f"unknown weekday {excerpt(item)}; {choose_from(word, WEEKDAYS)}"
            )
            ok = False
    # Calendar order, whatever order the file lists them in.
    return tuple(d for d in WEEKDAYS if d in days) if ok else None


def _blackouts(problems: Problems, value: object) -> tuple[Blackout, ...]:
    if not isinstance(value, list):
        problems.add(
            "schedule.blackout",
            "must be a list such as [{from: 2027-12-20, to: 2028-01-02, reason: year-end freeze}]",
        )
        return ()
    out: list[Blackout] = []
    for number, item in enumerate(value, start=1):
        where = f"schedule.blackout[{number}]"
        if not isinstance(item, dict):
            problems.add(where, "must be a block such as {from: 2027-12-20, to: 2028-01-02, reason: ...}")
            continue
        before = len(problems.lines)
        check_keys(problems, where, item, _BLACKOUT_KEYS, optional=("reason",))
        start = date_value(problems, f"{where}.from", item["from"]) if "from" in item else None
        end = date_value(problems, f"{where}.to", item["to"]) if "to" in item else None
        if start is not None and end is not None and end < start:
            problems.add(
                f"{where}.to",
                f"{end.isoformat()} is before from ({start.isoformat()}); both days are "
                "included, so a one-day blackout has the same from and to",
            )
        reason = str(item.get("reason") or "").strip() or "blackout"
        if len(problems.lines) == before and start is not None and end is not None:
            out.append(Blackout(start=start.isoformat(), end=end.isoformat(), reason=reason))
    return tuple(out)
