"""Staggered starts: a daily cap per sender, spread over the window, never in the past."""

from __future__ import annotations

import time as clock
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.model import WEEKDAYS, Blackout, Schedule
from campaigns.stagger import StartSlot, first_day, is_sending_day, stagger

HELSINKI = ZoneInfo("Europe/Helsinki")
# Monday 2027-03-01; Helsinki is UTC+2 until the end of March.
MONDAY = date(2027, 3, 1)
EARLY = datetime(2027, 2, 26, 0, 0, tzinfo=UTC)  # before any window of that week
BUSINESS = Schedule()  # 09:00-17:00, Monday to Friday


def fi(account_id: str, earliest: date = MONDAY) -> tuple[str, str, str, date]:
    return (account_id, "FI", "Europe/Helsinki", earliest)


def local(slot: StartSlot, zone: ZoneInfo = HELSINKI) -> datetime:
    return slot.start_at.astimezone(zone).replace(tzinfo=None)


def test_spreads_a_day_over_the_window_in_local_time() -> None:
    slots = stagger([fi(f"A{i}") for i in range(4)], BUSINESS, daily_cap=4, now=EARLY)
    assert [local(s) for s in slots] == [
        datetime(2027, 3, 1, 9),
        datetime(2027, 3, 1, 11),
        datetime(2027, 3, 1, 13),
        datetime(2027, 3, 1, 15),
    ]
    assert slots[0].start_at == datetime(2027, 3, 1, 7, tzinfo=UTC)
    assert all(s.start_at.tzinfo is UTC for s in slots)


def test_a_full_day_moves_on_to_the_next_sending_day() -> None:
    # Thursday start: Thu, Thu, Fri, Fri, then the weekend is skipped.
    thursday = date(2027, 3, 4)
    slots = stagger([fi(f"A{i}", thursday) for i in range(5)], BUSINESS, daily_cap=2, now=EARLY)
    assert [local(s).date() for s in slots] == [
        date(2027, 3, 4),
        date(2027, 3, 4),
        date(2027, 3, 5),
        date(2027, 3, 5),
        date(2027, 3, 8),
    ]
    assert [local(s).time().hour for s in slots] == [9, 13, 9, 13, 9]


def test_each_recipient_starts_on_their_own_clock() -> None:
    entries = [
        ("NY", "US", "America/New_York", MONDAY),
        ("TYO", "JP", "Asia/Tokyo", MONDAY),
        ("HEL", "FI", "Europe/Helsinki", MONDAY),
    ]
    slots = stagger(entries, BUSINESS, daily_cap=200, now=EARLY)
    step = timedelta(seconds=8 * 3600 // 200)
    assert local(slots[0], ZoneInfo("America/New_York")) == datetime(2027, 3, 1, 9)
    assert local(slots[1], ZoneInfo("Asia/Tokyo")) == datetime(2027, 3, 1, 9) + step
    assert local(slots[2]) == datetime(2027, 3, 1, 9) + 2 * step


def test_a_24_hour_window_is_a_whole_day() -> None:
    schedule = Schedule(window_start="00:00", window_end="24:00", weekdays=WEEKDAYS)
    slots = stagger([fi(f"A{i}") for i in range(4)], schedule, daily_cap=4, now=EARLY)
    assert [local(s).hour for s in slots] == [0, 6, 12, 18]


def test_never_before_the_earliest_start_and_the_best_take_the_early_days() -> None:
    later = date(2027, 3, 3)
    slots = stagger([fi("late", later), fi("A"), fi("B"), fi("C")], BUSINESS, daily_cap=2, now=EARLY)
    days = {s.account_id: local(s).date() for s in slots}
    assert days == {"late": later, "A": MONDAY, "B": MONDAY, "C": date(2027, 3, 2)}


def test_todays_batch_starts_now_and_still_spreads() -> None:
    now = datetime(2027, 3, 1, 12, 30, 15, tzinfo=UTC)  # 14:30 in Helsinki
    slots = stagger([fi(f"A{i}") for i in range(6)], BUSINESS, daily_cap=4, now=now)
    assert [s.start_at for s in slots[:3]] == [now, now + timedelta(seconds=1), now + timedelta(seconds=2)]
    assert local(slots[3]) == datetime(2027, 3, 1, 15)  # its own slot is still ahead
    assert local(slots[4]) == datetime(2027, 3, 2, 9)
    assert all(s.start_at >= now for s in slots)


def test_an_earliest_start_in_the_past_means_today() -> None:
    now = datetime(2027, 3, 2, 3, 0, tzinfo=UTC)
    slots = stagger([fi("A", date(2026, 1, 1))], BUSINESS, daily_cap=10, now=now)
    assert local(slots[0]) == datetime(2027, 3, 2, 9)
    assert first_day(now, date(2026, 1, 1)) == date(2027, 3, 2)
    assert first_day(now, date(2027, 4, 1)) == date(2027, 4, 1)


def test_blackout_days_start_nothing() -> None:
    schedule = Schedule(blackouts=(Blackout("2027-03-01", "2027-03-03", "freeze"),))
    slots = stagger([fi("A"), fi("B")], schedule, daily_cap=1, now=EARLY)
    assert [local(s).date() for s in slots] == [date(2027, 3, 4), date(2027, 3, 5)]
    assert not is_sending_day(date(2027, 3, 2), schedule)
    assert not is_sending_day(date(2027, 3, 6), schedule)  # Saturday
    assert is_sending_day(date(2027, 3, 4), schedule)


def test_a_start_in_a_daylight_saving_gap_exists() -> None:
    # 2027-03-28 03:00-04:00 does not exist in Helsinki.
    schedule = Schedule(window_start="03:30", window_end="04:30", weekdays=WEEKDAYS)
    slots = stagger([fi("A", date(2027, 3, 28))], schedule, daily_cap=1, now=EARLY)
    assert local(slots[0]) == datetime(2027, 3, 28, 4, 30)


def test_two_wall_times_naming_one_instant_stay_apart() -> None:
    # 2027-03-14 in Los Angeles: 02:00 does not exist and lands on 03:00, the next slot.
    schedule = Schedule(window_start="01:00", window_end="05:00", weekdays=WEEKDAYS)
    entries = [(f"A{i}", "US", "America/Los_Angeles", date(2027, 3, 14)) for i in range(4)]
    slots = stagger(entries, schedule, daily_cap=4, now=EARLY)
    assert [s.start_at.strftime("%H:%M:%S") for s in slots] == [
        "09:00:00",
        "10:00:00",
        "10:00:01",
        "11:00:00",
    ]


def test_deterministic() -> None:
    entries = [fi(f"A{i}", MONDAY + timedelta(days=i % 3)) for i in range(50)]
    assert stagger(entries, BUSINESS, daily_cap=7, now=EARLY) == stagger(
        entries, BUSINESS, daily_cap=7, now=EARLY
    )


def test_bad_input_says_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        stagger([fi("A")], BUSINESS, daily_cap=1, now=datetime(2027, 3, 1))
    with pytest.raises(ValueError, match="daily_cap must be at least 1"):
        stagger([fi("A")], BUSINESS, daily_cap=0, now=EARLY)
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Base'"):
        stagger([("A", "FI", "Mars/Base", MONDAY)], BUSINESS, daily_cap=1, now=EARLY)
    forever = Schedule(blackouts=(Blackout("2027-01-01", "9999-12-31", "closed"),))
    with pytest.raises(ValueError, match="no sending day left for A"):
        stagger([fi("A")], forever, daily_cap=1, now=EARLY)


def test_ten_thousand_entries_are_fast() -> None:
    zones = ["Europe/Helsinki", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
    entries = [(f"A{i}", "XX", zones[i % 4], MONDAY + timedelta(days=i % 10)) for i in range(10_000)]
    began = clock.perf_counter()
    slots = stagger(entries, BUSINESS, daily_cap=200, now=EARLY)
    elapsed = clock.perf_counter() - began
    assert len(slots) == 10_000
    assert elapsed < 5  # generous: about 0.05 s here; catches only a quadratic slip


# ------------------------------------------------------------------ properties

ZONES = ["Europe/Helsinki", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


@st.composite
def launches(draw: st.DrawFn) -> tuple[list[tuple[str, str, str, date]], Schedule, int]:
    count = draw(st.integers(min_value=0, max_value=60))
    entries = [
        (
            f"A{i}",
            "XX",
            draw(st.sampled_from(ZONES)),
            MONDAY + timedelta(days=draw(st.integers(min_value=0, max_value=20))),
        )
        for i in range(count)
    ]
    weekdays = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
    start = draw(st.integers(min_value=0, max_value=22))
    end = draw(st.integers(min_value=start + 1, max_value=24))
    schedule = Schedule(
        window_start=f"{start:02d}:00",
        window_end=f"{end:02d}:00",
        weekdays=tuple(d for d in WEEKDAYS if d in weekdays),
    )
    return entries, schedule, draw(st.integers(min_value=1, max_value=6))


@settings(max_examples=150, deadline=None)
@given(launches())
def test_properties_of_a_launch(launch: tuple[list[tuple[str, str, str, date]], Schedule, int]) -> None:
    entries, schedule, cap = launch
    # Two days before every earliest start: no slot is clamped, so each slot's local date is its day.
    now = datetime.combine(MONDAY - timedelta(days=2), datetime.min.time(), UTC)
    slots = stagger(entries, schedule, daily_cap=cap, now=now)
    assert [s.account_id for s in slots] == [e[0] for e in entries]
    days = [s.start_at.astimezone(ZoneInfo(e[2])).date() for s, e in zip(slots, entries, strict=True)]
    per_day = Counter(days)
    assert max(per_day.values(), default=0) <= cap
    for (_, _, _, earliest), slot, day in zip(entries, slots, days, strict=True):
        assert day >= earliest
        assert is_sending_day(day, schedule)
        assert slot.start_at >= now
        # Greedy: every sending day it skipped was full.
        skipped = earliest
        while skipped < day:
            if is_sending_day(skipped, schedule):
                assert per_day[skipped] == cap
            skipped += timedelta(days=1)
    # Within a day, one time zone's entries start in launch order.
    last: dict[tuple[date, str], datetime] = {}
    for (_, _, tz, _), slot, day in zip(entries, slots, days, strict=True):
        if (day, tz) in last:
            assert slot.start_at > last[(day, tz)]
        last[(day, tz)] = slot.start_at


@settings(max_examples=150, deadline=None)
@given(launches(), st.integers(min_value=0, max_value=6 * 24 * 60))
def test_never_in_the_past_and_in_order(
    launch: tuple[list[tuple[str, str, str, date]], Schedule, int], minutes: int
) -> None:
    entries, schedule, cap = launch
    now = datetime.combine(MONDAY, datetime.min.time(), UTC) + timedelta(minutes=minutes)
    slots = stagger(entries, schedule, daily_cap=cap, now=now)
    assert all(s.start_at >= now for s in slots)
    for (_, _, tz, earliest), slot in zip(entries, slots, strict=True):
        # Even a slot moved to now is on or after its earliest day on the recipient's clock.
        assert slot.start_at.astimezone(ZoneInfo(tz)).date() >= earliest
