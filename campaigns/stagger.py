"""When each sequence of a launch starts: spread over the sending window, capped per day.

A launch must not fire every first email in the same minute (mailbox providers throttle a
sender that does), and a sender starts at most `daily_cap` sequences a day. Entries arrive
in launch order and take the first day that still has room, on or after their earliest
start; within a day the k-th entry starts k window-slices after the window opens, on the
recipient's own clock. The sequence's calendar still decides each touch's send time
(holidays, quarter-end); this only decides when it starts.

Pure and deterministic: `now` is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from campaigns import timeofday, zones
from campaigns.model import WEEKDAYS, Schedule

__all__ = ["StartSlot", "first_day", "is_sending_day", "stagger"]

_LAST_DAY: Final = date.max.toordinal()


@dataclass(frozen=True)
class StartSlot:
    account_id: str
    start_at: datetime  # aware, UTC


def first_day(now: datetime, earliest: date) -> date:
    """The first day an entry may take: its earliest start, but never a day already gone (UTC)."""
    return max(_utc(now).date(), earliest)


def is_sending_day(day: date, schedule: Schedule) -> bool:
    """A day the campaign starts sequences on: one of its weekdays, outside its blackouts.

    Recipients' public holidays and quarter-ends are left to the sequence's own calendar:
    they differ per country, and a day is shared by every recipient.
    """
    return _Days(schedule).blocked_until(day.toordinal()) is None


def stagger(
    entries: Sequence[tuple[str, str, str, date]],
    schedule: Schedule,
    *,
    daily_cap: int,
    now: datetime,
    started: Mapping[date, int] | None = None,
) -> list[StartSlot]:
    """A start for each (account_id, country, timezone, earliest_start), in launch order.

    Each day takes at most `daily_cap` entries; an entry never goes before its earliest day
    and takes the first sending day with room from there. Entry j of a day starts at
    window_start + j * (window length / daily_cap) local time; a start before `now` becomes
    now + j seconds, so today's batch still spreads and never lies in the past (precisely:
    the later of the two, so a day's entries keep their order when now falls mid-window).
    `started`: sequences this sender already started on a day (a watcher starts a few at a
    time): they count against that day's cap.
    """
    if daily_cap < 1:
        raise ValueError(f"daily_cap must be at least 1, got {daily_cap}")
    # Whole seconds, rounded up so no start lies before now: timelines read cleanly.
    now_utc = _utc(now)
    if now_utc.microsecond:
        now_utc = now_utc.replace(microsecond=0) + timedelta(seconds=1)
    today = now_utc.date().toordinal()
    days = _Days(schedule)
    window_start = _seconds(schedule.window_start, allow_24=False)
    window = _seconds(schedule.window_end, allow_24=True) - window_start
    if window <= 0:
        raise ValueError(
            f"window {schedule.window_start}-{schedule.window_end} ends before it starts; "
            "a window cannot cross midnight"
        )

    taken: dict[int, int] = {}
    for day, count in (started or {}).items():
        taken[day.toordinal()] = count
        if count >= daily_cap:
            days.mark_full(day.toordinal())
    last_start: dict[tuple[int, str], datetime] = {}
    slots: list[StartSlot] = []
    for account_id, _country, tz, earliest in entries:
        ordinal = days.free_from(max(today, earliest.toordinal()))
        if ordinal > _LAST_DAY:
            raise ValueError(
                f"no sending day left for {account_id}: check the schedule's weekdays and blackouts"
            )
        j = taken.get(ordinal, 0)
        taken[ordinal] = j + 1
        if j + 1 == daily_cap:
            days.mark_full(ordinal)
        # Whole seconds from integer arithmetic: the same launch always gets the same starts.
        offset = window_start + j * window // daily_cap
        wall = datetime.combine(date.fromordinal(ordinal), time()) + timedelta(seconds=offset)
        start = wall.replace(tzinfo=zones.zone(tz)).astimezone(UTC)
        # A slot already gone starts now, still j seconds apart; taking the later of the two
        # also keeps a day's entries in order when now falls between two slots.
        start = max(start, now_utc + timedelta(seconds=j))
        # Across a spring-forward gap two wall times can name one instant; keep them apart.
        previous = last_start.get((ordinal, tz))
        if previous is not None and start <= previous:
            start = previous + timedelta(seconds=1)
        last_start[(ordinal, tz)] = start
        slots.append(StartSlot(account_id=account_id, start_at=start))
    return slots


class _Days:
    """Sending days as ordinals, with a skip-ahead map so full and blocked days cost O(1)."""

    def __init__(self, schedule: Schedule) -> None:
        weekdays = {
            WEEKDAYS.index(d.strip().lower()) for d in schedule.weekdays if d.strip().lower() in WEEKDAYS
        }
        if not weekdays:
            raise ValueError("schedule.weekdays names no day: no day is allowed for starting sequences")
        self.weekdays = frozenset(weekdays)
        self.blackouts = tuple(
            (date.fromisoformat(b.start).toordinal(), date.fromisoformat(b.end).toordinal())
            for b in schedule.blackouts
        )
        self.skip: dict[int, int] = {}  # day -> a later day to look at instead

    def blocked_until(self, ordinal: int) -> int | None:
        """The next day worth looking at when `ordinal` is not a sending day, else None."""
        for first, last in self.blackouts:
            if first <= ordinal <= last:
                return last + 1
        # Ordinal 1 (0001-01-01) was a Monday.
        if (ordinal - 1) % 7 not in self.weekdays:
            return ordinal + 1
        return None

    def free_from(self, ordinal: int) -> int:
        """The first sending day on or after `ordinal` that still has room."""
        path: list[int] = []
        current = ordinal
        while True:
            nxt = self.skip.get(current)
            if nxt is None:
                nxt = self.blocked_until(current)
                if nxt is None:
                    break
                self.skip[current] = nxt
            path.append(current)
            current = nxt
        # Path compression: the next entry from any of these days jumps straight here.
        for seen in path:
            self.skip[seen] = current
        return current

    def mark_full(self, ordinal: int) -> None:
        self.skip[ordinal] = ordinal + 1


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware (UTC), got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _seconds(text: str, *, allow_24: bool) -> int:
    clock = timeofday.read(text)
    if clock is None:
        raise ValueError(f'{text!r} is not a time of day; write "HH:MM"')
    value = timeofday.to_seconds(*clock, end=allow_24)
    if value is None:
        raise ValueError(f'{text!r} is not a time of day; write "HH:MM" from 00:00 to 24:00')
    return value
