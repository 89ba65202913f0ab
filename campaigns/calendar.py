"""Send-time rules: business days, public holidays, quarter-end, windows, time zones.

Everything here runs inside Temporal workflows, so it is pure and deterministic: no wall
clock, no I/O of our own, no randomness. The only shared state is a bounded memo of holiday
calendars keyed by (country, year); a holiday calendar for a past or future year never
changes within one release of the `holidays` package, so the memo cannot make a replay
diverge from the original run.

All "local" reasoning happens on the recipient's wall clock (their IANA zone) and every
instant that leaves this module is an aware UTC datetime.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from campaigns import countries, timeofday, zones
from campaigns.model import WEEKDAYS, Schedule, Wait

__all__ = [
    "SendSlot",
    "add_waits",
    "deadline_after",
    "holiday_name",
    "is_business_day",
    "next_send_time",
    "quarter_end_blackout_start",
    "to_local",
    "warm_up",
]

# How far next_send_time looks before declaring a schedule unsatisfiable: long enough for
# a year-long freeze plus quarter-ends and holidays, short enough to fail fast on a schedule
# that can never send (no weekdays, a blackout covering everything).
SEARCH_LIMIT: Final = timedelta(days=3 * 366)

# At most three moves a day (blocked day, before hours, after hours) over SEARCH_LIMIT.
_MAX_STEPS: Final = 4 * SEARCH_LIMIT.days
_EMPTY: Final[Mapping[date, str]] = MappingProxyType({})


@dataclass(frozen=True)
class SendSlot:
    at_utc: datetime  # aware, UTC
    deferrals: tuple[str, ...]  # human reasons, in order: "<from> -> <to>: <reason>"


# --- holidays -------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _holidays_for(country: str, year: int) -> Mapping[date, str]:
    # Names end up in deferral lines a CSM reads and in workflow state; ask for English
    # explicitly so every worker (whatever its locale or locale files) renders the same text.
    languages = holidays.list_localized_countries().get(country) or ()
    language = "en_US" if "en_US" in languages else None
    try:
        found = holidays.country_holidays(country, years=year, language=language)
    except NotImplementedError:
        # An unsupported country has no public holidays we know of; a sequence must not crash on it.
        return _EMPTY
    # Copy out of the HolidayBase: it is a dict that grows itself on lookups of other years.
    return MappingProxyType({d: str(name) for d, name in found.items() if d.year == year})


def warm_up() -> None:
    """Load the holidays package's country registry once, outside any workflow.

    The first lookup imports every country module under the package's import lock; done
    lazily inside many workflow tasks at once it outlasts the SDK's 2-second deadlock guard
    (seen with 100 sequences starting together). Workers call this before they poll.
    """
    holidays.list_localized_countries()


def holiday_name(d: date, country: str) -> str | None:
    """The public holiday's name on local date `d` in `country`, or None."""
    code = countries.normalise(country)
    if not code:
        return None
    return _holidays_for(code, d.year).get(d)


def is_business_day(d: date, country: str) -> bool:
    """Monday to Friday and not a public holiday of `country`."""
    return d.weekday() < 5 and holiday_name(d, country) is None


# --- quarter-end ----------------------------------------------------------------------


def _quarter_bounds(d: date) -> tuple[date, date]:
    first_month = 3 * ((d.month - 1) // 3) + 1
    last_month = first_month + 2
    last_day = _stdcal.monthrange(d.year, last_month)[1]
    return date(d.year, first_month, 1), date(d.year, last_month, last_day)


def quarter_end_blackout_start(d: date, days: int, country: str) -> date | None:
    """First day of the quarter-end blackout of the quarter containing `d`.

    The blackout is the last `days` business days of the quarter and covers every calendar
    day from the returned date through the quarter's last day. None when `days` is 0. When
    the quarter has fewer than `days` business days the whole quarter is blacked out.
    """
    if days < 0:
        raise ValueError(f"quarter_end_blackout_days must be >= 0, got {days}")
    if days == 0:
        return None
    first, cur = _quarter_bounds(d)
    counted = 0
    while cur > first:
        if is_business_day(cur, country):
            counted += 1
            if counted == days:
                return cur
        cur -= timedelta(days=1)
    return first


# --- local time -----------------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock time of an instant."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _localise(wall: datetime, zone: ZoneInfo, fold: int = 0) -> datetime:
    """The UTC instant showing `wall` in `zone`.

    Ambiguous wall times (autumn fall-back) take `fold` (0 = the first occurrence). A wall
    time inside a spring-forward gap does not exist: it becomes the first instant after the
    gap, i.e. the transition itself.
    """
    candidate = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    if _wall(candidate, zone) == wall:
        return candidate
    # In a gap zoneinfo reads fold=0 with the pre-gap offset (lands after the gap) and
    # fold=1 with the post-gap offset (lands before it); the transition lies in between.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if hi < lo:
        lo, hi = hi, lo
    # Invariant: wall(lo) < wall <= wall(hi). Bisect to the second; gaps are a few hours.
    lo_s, hi_s = int(lo.timestamp()), int(hi.timestamp())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if _wall(datetime.fromtimestamp(mid, UTC), zone) >= wall:
            hi_s = mid
        else:
            lo_s = mid
    return datetime.fromtimestamp(hi_s, UTC)


# --- waits ----------------------------------------------------------------------------


def _advance_business_days(d: date, amount: int, country: str) -> date:
    remaining = amount
    while remaining > 0:
        d += timedelta(days=1)
        if is_business_day(d, country):
            remaining -= 1
    return d


def add_waits(moment_utc: datetime, waits: Sequence[Wait], country: str, tz: str) -> datetime:
    """Apply each wait in order on the recipient's wall clock; returns an aware UTC instant.

    "days"/"weeks" move the local date and keep the local time of day (so a touch stays at
    10:00 local across a DST change); "business_days" counts Mon-Fri days that are not the
    country's public holidays, starting the day after. A kept wall time that does not exist
    (spring-forward gap) becomes the first instant after the gap; an ambiguous one keeps the
    side of the fall-back the starting moment was on.
    """
    _require_aware(moment_utc, "moment_utc")
    zone = zones.zone(tz)
    current = moment_utc.astimezone(UTC)
    for wait in waits:
        if wait.amount < 0:
            raise ValueError(f"wait {wait} is negative")
        if wait.amount == 0:
            # Re-localising the same wall time could hop to the other side of a fall-back.
            continue
        local = current.astimezone(zone)
        if wait.unit == "days":
            target = local.date() + timedelta(days=wait.amount)
        elif wait.unit == "weeks":
            target = local.date() + timedelta(weeks=wait.amount)
        elif wait.unit == "business_days":
            target = _advance_business_days(local.date(), wait.amount, country)
        else:
            raise ValueError(f"unknown wait unit {wait.unit!r}; use days, weeks or business_days")
        current = _localise(datetime.combine(target, local.time()), zone, fold=local.fold)
    return current


def to_local(moment_utc: datetime, tz: str) -> datetime:
    """The recipient's wall clock for an instant (aware, with their offset)."""
    _require_aware(moment_utc, "moment_utc")
    return moment_utc.astimezone(zones.zone(tz))


def from_local(wall: datetime, tz: str) -> datetime:
    """The UTC instant a naive wall-clock time means in `tz` (a time in a spring-forward gap
    becomes the end of the gap; an ambiguous one its first occurrence)."""
    if wall.tzinfo is not None:
        raise ValueError(f"wall must be naive, got {wall.isoformat()}")
    return _localise(wall, zones.zone(tz))


def deadline_after(moment_utc: datetime, wait: Wait, country: str, tz: str) -> datetime:
    """When a task assigned at `moment_utc` is due: the same rules as add_waits."""
    return add_waits(moment_utc, [wait], country, tz)


# --- sending windows ------------------------------------------------------------------


def _parse_hhmm(value: str, field_name: str, *, allow_24: bool) -> int:
    """Seconds since local midnight for "HH:MM" (24:00 only where allow_24: a window's end)."""
    found = timeofday.seconds(str(value), end=allow_24)
    if found is None:
        upper = "24:00" if allow_24 else "23:59"
        raise ValueError(f'{field_name} {value!r} is not a time of day; write "HH:MM" from 00:00 to {upper}')
    return found


def _seconds_of_day(wall: datetime) -> float:
    return wall.hour * 3600 + wall.minute * 60 + wall.second + wall.microsecond / 1e6


@dataclass
class _Rules:
    """One call's view of a schedule: parsed once, with a per-call quarter-end memo."""

    schedule: Schedule
    country: str
    zone: ZoneInfo
    start_s: int
    end_s: int
    weekdays: frozenset[int]
    blackouts: tuple[tuple[date, date, str], ...]
    quarter_starts: dict[tuple[int, int], date | None]

    @classmethod
    def build(cls, schedule: Schedule, country: str, tz: str) -> _Rules:
        start_s = _parse_hhmm(schedule.window_start, "window_start", allow_24=False)
        end_s = _parse_hhmm(schedule.window_end, "window_end", allow_24=True)
        if end_s <= start_s:
            raise ValueError(
                f"window_start {schedule.window_start!r} must be before window_end "
                f"{schedule.window_end!r} (windows cannot span midnight)"
            )
        days: set[int] = set()
        for name in schedule.weekdays:
            key = str(name).strip().lower()
            if key not in WEEKDAYS:
                raise ValueError(f"weekday {name!r} is not one of {', '.join(WEEKDAYS)}")
            days.add(WEEKDAYS.index(key))
        if not days:
            raise ValueError("schedule.weekdays is empty: no day is allowed for sending")
        if schedule.quarter_end_blackout_days < 0:
            raise ValueError(
                f"quarter_end_blackout_days must be >= 0, got {schedule.quarter_end_blackout_days}"
            )
        ranges: list[tuple[date, date, str]] = []
        for b in schedule.blackouts:
            try:
                first, last = date.fromisoformat(b.start), date.fromisoformat(b.end)
            except ValueError as err:
                raise ValueError(f"blackout {b.start!r}..{b.end!r} needs ISO dates (YYYY-MM-DD)") from err
            if last < first:
                raise ValueError(f"blackout {b.start}..{b.end} ends before it starts")
            ranges.append((first, last, b.reason))
        return cls(schedule, country, zones.zone(tz), start_s, end_s, frozenset(days), tuple(ranges), {})

    @property
    def window_text(self) -> str:
        return f"{self.schedule.window_start}-{self.schedule.window_end}"

    def window_start_on(self, d: date, after: datetime | None = None) -> datetime:
        """The window's start on local date `d`, later than `after` when given.

        On a fall-back day the start can occur twice; a candidate already past its first
        occurrence (but before the window by wall clock) takes the second one, so a slot
        never moves backwards in time.
        """
        wall = datetime.combine(d, time()) + timedelta(seconds=self.start_s)
        first = _localise(wall, self.zone)
        if after is None or first > after:
            return first
        return _localise(wall, self.zone, fold=1)

    def quarter_blackout(self, d: date) -> tuple[date, date] | None:
        days = self.schedule.quarter_end_blackout_days
        if days == 0:
            return None
        key = (d.year, (d.month - 1) // 3)
        if key not in self.quarter_starts:
            self.quarter_starts[key] = quarter_end_blackout_start(d, days, self.country)
        start = self.quarter_starts[key]
        if start is None:
            return None
        return start, _quarter_bounds(d)[1]

    def day_block(self, d: date) -> tuple[str, date] | None:
        """Why no send may happen on local date `d`, and the last date that reason blocks.

        Order matters for the deferral text: the long, named blocks first so a Good Friday
        inside a quarter-end blackout reads as one "quarter-end blackout" jump, and a public
        holiday on a Sunday reads as "weekend" when Sundays are excluded anyway.
        """
        for first, last, reason in self.blackouts:
            if first <= d <= last:
                return (f"blackout ({reason})" if reason else "blackout"), last
        quarter = self.quarter_blackout(d)
        if quarter is not None and quarter[0] <= d <= quarter[1]:
            return "quarter-end blackout", quarter[1]
        wd = d.weekday()
        if wd not in self.weekdays:
            reason = "weekend" if wd >= 5 else f"not a sending day ({WEEKDAYS[wd]})"
            return reason, d
        name = holiday_name(d, self.country)
        if name is not None:
            return f"public holiday ({name})", d
        return None


class _Deferrals:
    """Deferral lines, folding consecutive moves with the same reason into one."""

    def __init__(self) -> None:
        self._items: list[tuple[str, str, str]] = []

    def add(self, frm: str, to: str, reason: str) -> None:
        if self._items and self._items[-1][2] == reason:
            self._items[-1] = (self._items[-1][0], to, reason)
        else:
            self._items.append((frm, to, reason))

    def lines(self) -> tuple[str, ...]:
        return tuple(f"{frm} -> {to}: {reason}" for frm, to, reason in self._items)


def _minute_text(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def next_send_time(
    earliest_utc: datetime,
    schedule: Schedule,
    country: str,
    tz: str,
    after_utc: datetime | None = None,
) -> SendSlot:
    """The first moment >= earliest_utc (and > after_utc) the schedule allows.

    Allowed: local time in [window_start, window_end), local weekday in schedule.weekdays,
    not a public holiday, not in the quarter-end blackout, not in any blackout range. Each
    move is recorded as a deferral line. ValueError if nothing is allowed within
    SEARCH_LIMIT, or if the schedule itself is malformed.
    """
    _require_aware(earliest_utc, "earliest_utc")
    if after_utc is not None:
        _require_aware(after_utc, "after_utc")
    rules = _Rules.build(schedule, country, tz)
    zone = rules.zone
    deferrals = _Deferrals()
    candidate = earliest_utc.astimezone(UTC)
    base = candidate if after_utc is None else max(candidate, after_utc.astimezone(UTC))
    limit = base + SEARCH_LIMIT
    limit_day = _wall(limit, zone).date()

    # Every step moves the candidate strictly forward, so the time limit ends the loop; the
    # step count is a second guard that holds even if a future edit breaks that invariant.
    for _ in range(_MAX_STEPS):
        if candidate > limit:
            raise ValueError(
                f"no allowed send time within {SEARCH_LIMIT.days} days after "
                f"{_minute_text(base, zone)} ({tz}): check the schedule's weekdays, sending "
                f"hours {rules.window_text}, quarter-end blackout "
                f"({schedule.quarter_end_blackout_days} days) and blackouts"
            )
        if after_utc is not None and candidate <= after_utc:
            moved = (after_utc.astimezone(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
            deferrals.add(
                _minute_text(candidate, zone), _minute_text(moved, zone), "after the previous touch"
            )
            candidate = moved
            continue

        wall = _wall(candidate, zone)
        day = wall.date()
        blocked = rules.day_block(day)
        if blocked is not None:
            reason, last_blocked = blocked
            if last_blocked >= limit_day:
                # Past the horizon (maybe a blackout ending in 9999): fail via the check above
                # without building dates that could overflow.
                candidate = limit + timedelta(seconds=1)
                continue
            next_day = last_blocked + timedelta(days=1)
            deferrals.add(day.isoformat(), next_day.isoformat(), reason)
            candidate = rules.window_start_on(next_day)
            continue

        seconds = _seconds_of_day(wall)
        if seconds < rules.start_s:
            moved = rules.window_start_on(day, after=candidate)
            deferrals.add(
                _minute_text(candidate, zone),
                _minute_text(moved, zone),
                f"before sending hours ({rules.window_text})",
            )
            candidate = moved
            continue
        if seconds >= rules.end_s:
            moved = rules.window_start_on(day + timedelta(days=1))
            deferrals.add(
                _minute_text(candidate, zone),
                _minute_text(moved, zone),
                f"after sending hours ({rules.window_text})",
            )
            candidate = moved
            continue
        return SendSlot(at_utc=candidate, deferrals=deferrals.lines())
    raise ValueError(f"no send time found after {_MAX_STEPS} steps from {_minute_text(base, zone)} ({tz})")
