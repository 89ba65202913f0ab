"""Send-time rules: exact examples checked by hand against the real holiday calendars, and
Hypothesis properties over whole sequences of touches in many countries and time zones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.calendar import (
    SendSlot,
    add_waits,
    deadline_after,
    holiday_name,
    is_business_day,
    next_send_time,
    quarter_end_blackout_start,
)
from campaigns.model import WEEKDAYS, Blackout, Schedule, Wait

HEL = "Europe/Helsinki"
NYC = "America/New_York"
WORKWEEK = Schedule()  # 09:00-17:00 Mon-Fri, 5-day quarter-end blackout
NO_QUARTER = Schedule(quarter_end_blackout_days=0)
EVERY_DAY = Schedule("00:00", "24:00", WEEKDAYS, 0)


def at(tz: str, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, fold: int = 0) -> datetime:
    """A local wall-clock time in `tz`, as the aware UTC instant the functions take."""
    return datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def slot(
    earliest: datetime, schedule: Schedule, country: str, tz: str, after: datetime | None = None
) -> SendSlot:
    return next_send_time(earliest, schedule, country, tz, after_utc=after)


# --- holidays and business days ------------------------------------------------------


def test_holiday_lookups() -> None:
    assert holiday_name(date(2027, 12, 6), "FI") == "Independence Day"
    assert holiday_name(date(2027, 3, 26), "FI") == "Good Friday"
    assert holiday_name(date(2027, 3, 26), "US") is None
    assert holiday_name(date(2027, 12, 6), "fi") == "Independence Day"  # tolerant of case
    assert not is_business_day(date(2027, 12, 6), "FI")
    assert is_business_day(date(2027, 12, 7), "FI")
    assert not is_business_day(date(2027, 4, 3), "FI")  # Saturday
    # US observes Independence Day (a Sunday in 2027) on Monday.
    assert holiday_name(date(2027, 7, 5), "US") == "Independence Day (observed)"


def test_unsupported_country_has_no_holidays() -> None:
    assert holiday_name(date(2027, 12, 25), "XX") is None
    assert holiday_name(date(2027, 12, 25), "") is None
    assert is_business_day(date(2027, 12, 27), "XX")
    assert not is_business_day(date(2027, 12, 25), "XX")  # still a Saturday
    got = slot(at(HEL, 2027, 12, 6, 10), WORKWEEK, "XX", HEL)
    assert got == SendSlot(at(HEL, 2027, 12, 6, 10), ())


# --- quarter-end blackout ------------------------------------------------------------


def test_quarter_end_blackout_start_counts_business_days_not_calendar_days() -> None:
    # Q1 2027 ends Wed Mar 31. In Finland Good Friday (Mar 26) and Easter Monday (Mar 29)
    # are not business days, so the last 5 business days are Mar 31, 30, 25, 24, 23.
    assert quarter_end_blackout_start(date(2027, 3, 26), 5, "FI") == date(2027, 3, 23)
    # The US has neither holiday: Mar 31, 30, 29, 26, 25.
    assert quarter_end_blackout_start(date(2027, 2, 1), 5, "US") == date(2027, 3, 25)
    # Q4 2027 in Finland: Dec 31 (Fri), 30, 29, 28, 27; Christmas Eve is a holiday anyway.
    assert quarter_end_blackout_start(date(2027, 10, 1), 5, "FI") == date(2027, 12, 27)
    # Great Britain observes Christmas and Boxing Day (a weekend in 2027) on Dec 27 and 28.
    assert quarter_end_blackout_start(date(2027, 11, 15), 5, "GB") == date(2027, 12, 23)
    assert quarter_end_blackout_start(date(2027, 3, 26), 0, "FI") is None
    assert quarter_end_blackout_start(date(2027, 3, 26), 1, "FI") == date(2027, 3, 31)
    # More days than the quarter has business days: the whole quarter.
    assert quarter_end_blackout_start(date(2027, 5, 1), 200, "FI") == date(2027, 4, 1)
    with pytest.raises(ValueError, match="quarter_end_blackout_days"):
        quarter_end_blackout_start(date(2027, 5, 1), -1, "FI")


def test_quarter_end_blackout_helsinki_good_friday() -> None:
    # The brief's example: a touch due Fri 2027-03-26 10:00 in Helsinki. That day is Good
    # Friday *and* inside the Q1 blackout (which starts Mar 23, see above); the blackout is
    # the bigger jump and is reported, landing on Thu Apr 1 at the window start (EEST, +3).
    got = slot(at(HEL, 2027, 3, 26, 10), WORKWEEK, "FI", HEL)
    assert got.at_utc == utc(2027, 4, 1, 6)
    assert got.deferrals == ("2027-03-26 -> 2027-04-01: quarter-end blackout",)
    # The blackout starts on the 23rd, not the 25th a holiday-blind count would give.
    assert slot(at(HEL, 2027, 3, 23, 10), WORKWEEK, "FI", HEL).at_utc == utc(2027, 4, 1, 6)
    assert slot(at(HEL, 2027, 3, 22, 10), WORKWEEK, "FI", HEL) == SendSlot(at(HEL, 2027, 3, 22, 10), ())
    # New York, same rules: the US blackout starts Mar 25, so Mar 24 is still open.
    assert slot(at(NYC, 2027, 3, 24, 10), WORKWEEK, "US", NYC).deferrals == ()
    assert slot(at(NYC, 2027, 3, 25, 10), WORKWEEK, "US", NYC).deferrals == (
        "2027-03-25 -> 2027-04-01: quarter-end blackout",
    )


# --- public holidays ------------------------------------------------------------------


def test_finnish_independence_day() -> None:
    got = slot(at(HEL, 2027, 12, 6, 10), WORKWEEK, "FI", HEL)
    assert got.at_utc == utc(2027, 12, 7, 7)  # 09:00 EET
    assert got.deferrals == ("2027-12-06 -> 2027-12-07: public holiday (Independence Day)",)


def test_japanese_golden_week_one_line_per_holiday() -> None:
    tokyo = "Asia/Tokyo"
    got = slot(at(tokyo, 2027, 5, 3, 10), WORKWEEK, "JP", tokyo)
    assert got.at_utc == at(tokyo, 2027, 5, 6, 9) == utc(2027, 5, 6, 0)
    assert got.deferrals == (
        "2027-05-03 -> 2027-05-04: public holiday (Constitution Day)",
        "2027-05-04 -> 2027-05-05: public holiday (Greenery Day)",
        "2027-05-05 -> 2027-05-06: public holiday (Children's Day)",
    )


def test_taiwan_lunar_new_year_collapses_same_reason() -> None:
    taipei = "Asia/Taipei"
    got = slot(at(taipei, 2027, 2, 4, 10), WORKWEEK, "TW", taipei)
    assert got.at_utc == utc(2027, 2, 11, 1)  # Thu 09:00 +08:00
    assert got.deferrals == (
        "2027-02-04 -> 2027-02-06: public holiday (Chinese New Year's Eve)",
        "2027-02-06 -> 2027-02-08: weekend",
        "2027-02-08 -> 2027-02-09: public holiday (Chinese New Year)",
        "2027-02-09 -> 2027-02-11: public holiday (Chinese New Year (observed))",
    )


def test_malaysia_eid_al_fitr() -> None:
    kl = "Asia/Kuala_Lumpur"
    got = slot(at(kl, 2027, 3, 10, 9, 30), WORKWEEK, "MY", kl)
    assert got.at_utc == utc(2027, 3, 12, 1)
    assert got.deferrals == (
        "2027-03-10 -> 2027-03-11: public holiday (Eid al-Fitr)",
        "2027-03-11 -> 2027-03-12: public holiday (Eid al-Fitr (Second Day))",
    )


def test_germany_whit_monday() -> None:
    berlin = "Europe/Berlin"
    got = slot(at(berlin, 2027, 5, 17, 10), WORKWEEK, "DE", berlin)
    assert got.at_utc == utc(2027, 5, 18, 7)  # 09:00 CEST
    assert got.deferrals == ("2027-05-17 -> 2027-05-18: public holiday (Pentecost Monday)",)


def test_us_thanksgiving_and_observed_holiday() -> None:
    la = "America/Los_Angeles"
    got = slot(at(la, 2027, 11, 25, 10), WORKWEEK, "US", la)
    assert got.at_utc == utc(2027, 11, 26, 17)  # 09:00 PST
    assert got.deferrals == ("2027-11-25 -> 2027-11-26: public holiday (Thanksgiving Day)",)
    got = slot(at(NYC, 2027, 7, 5, 8), WORKWEEK, "US", NYC)
    assert got.at_utc == utc(2027, 7, 6, 13)  # 09:00 EDT
    assert got.deferrals == ("2027-07-05 -> 2027-07-06: public holiday (Independence Day (observed))",)


def test_holiday_on_an_allowed_sunday_is_reported_as_holiday() -> None:
    # Easter Sunday is a Finnish public holiday; with Sundays allowed it, not "weekend", is the reason.
    every_day = Schedule(weekdays=WEEKDAYS, quarter_end_blackout_days=0)
    got = slot(at(HEL, 2027, 3, 28, 10), every_day, "FI", HEL)
    assert got.deferrals == (
        "2027-03-28 -> 2027-03-29: public holiday (Easter Sunday)",
        "2027-03-29 -> 2027-03-30: public holiday (Easter Monday)",
    )
    assert got.at_utc == utc(2027, 3, 30, 6)


# --- weekends, weekdays and sending hours --------------------------------------------


def test_weekend() -> None:
    got = slot(at(HEL, 2027, 4, 3, 10), WORKWEEK, "FI", HEL)
    assert got == SendSlot(utc(2027, 4, 5, 6), ("2027-04-03 -> 2027-04-05: weekend",))


def test_excluded_weekday() -> None:
    no_wed = Schedule(weekdays=("mon", "tue", "thu", "fri"))
    got = slot(at(HEL, 2027, 4, 7, 10), no_wed, "FI", HEL)
    assert got == SendSlot(utc(2027, 4, 8, 6), ("2027-04-07 -> 2027-04-08: not a sending day (wed)",))


def test_inside_window_is_untouched() -> None:
    for moment in (at(HEL, 2027, 4, 1, 9), at(HEL, 2027, 4, 1, 12, 34, 56), at(HEL, 2027, 4, 1, 16, 59, 59)):
        assert slot(moment, WORKWEEK, "FI", HEL) == SendSlot(moment, ())


def test_after_hours() -> None:
    got = slot(at(HEL, 2027, 4, 1, 17), WORKWEEK, "FI", HEL)
    assert got == SendSlot(
        utc(2027, 4, 2, 6), ("2027-04-01 17:00 -> 2027-04-02 09:00: after sending hours (09:00-17:00)",)
    )


def test_before_hours() -> None:
    got = slot(at(HEL, 2027, 4, 1, 7, 30), WORKWEEK, "FI", HEL)
    assert got == SendSlot(
        utc(2027, 4, 1, 6), ("2027-04-01 07:30 -> 2027-04-01 09:00: before sending hours (09:00-17:00)",)
    )


def test_friday_evening_rolls_over_the_weekend() -> None:
    got = slot(at(HEL, 2027, 4, 2, 18), WORKWEEK, "FI", HEL)
    assert got.at_utc == utc(2027, 4, 5, 6)
    assert got.deferrals == (
        "2027-04-02 18:00 -> 2027-04-03 09:00: after sending hours (09:00-17:00)",
        "2027-04-03 -> 2027-04-05: weekend",
    )


def test_blackout_range_is_one_line() -> None:
    freeze = Schedule(blackouts=(Blackout("2027-12-20", "2028-01-02", "year-end freeze"),))
    got = slot(at(HEL, 2027, 12, 20, 10), freeze, "FI", HEL)
    assert got == SendSlot(utc(2028, 1, 3, 7), ("2027-12-20 -> 2028-01-03: blackout (year-end freeze)",))
    # Blackout dates are inclusive and local: 2027-12-19 23:30 UTC is already the 20th in Helsinki.
    assert slot(utc(2027, 12, 19, 23, 30), freeze, "FI", HEL).at_utc == utc(2028, 1, 3, 7)
    assert slot(at(HEL, 2027, 12, 17, 10), freeze, "FI", HEL).deferrals == ()


def test_several_reasons_in_order() -> None:
    got = slot(at(HEL, 2027, 12, 24, 10), WORKWEEK, "FI", HEL)
    assert got.at_utc == utc(2028, 1, 3, 7)
    assert got.deferrals == (
        "2027-12-24 -> 2027-12-25: public holiday (Christmas Eve)",
        "2027-12-25 -> 2027-12-27: weekend",
        "2027-12-27 -> 2028-01-01: quarter-end blackout",
        "2028-01-01 -> 2028-01-03: weekend",
    )


def test_whole_day_window() -> None:
    late = at(HEL, 2027, 4, 3, 23, 59, 30)  # a Saturday, all days allowed
    assert slot(late, EVERY_DAY, "FI", HEL) == SendSlot(late, ())
    assert slot(at(HEL, 2027, 12, 5, 23, 59), EVERY_DAY, "FI", HEL).deferrals == ()
    got = slot(at(HEL, 2027, 12, 6, 0), EVERY_DAY, "FI", HEL)
    assert got == SendSlot(
        at(HEL, 2027, 12, 7, 0), ("2027-12-06 -> 2027-12-07: public holiday (Independence Day)",)
    )
    assert got.at_utc == utc(2027, 12, 6, 22)


def test_after_previous_touch() -> None:
    prev = at(HEL, 2027, 4, 1, 10, 0, 30)
    got = slot(prev, WORKWEEK, "FI", HEL, after=prev)
    assert got == SendSlot(
        at(HEL, 2027, 4, 1, 10, 1), ("2027-04-01 10:00 -> 2027-04-01 10:01: after the previous touch",)
    )
    # Strictly after, even when the nominal time is earlier.
    assert slot(prev - timedelta(days=1), WORKWEEK, "FI", HEL, after=prev).at_utc == at(
        HEL, 2027, 4, 1, 10, 1
    )
    # The minute after may fall outside the window; the usual rules then apply.
    got = slot(at(HEL, 2027, 4, 1, 16), WORKWEEK, "FI", HEL, after=at(HEL, 2027, 4, 1, 16, 59, 30))
    assert got.at_utc == utc(2027, 4, 2, 6)
    assert got.deferrals == (
        "2027-04-01 16:00 -> 2027-04-01 17:00: after the previous touch",
        "2027-04-01 17:00 -> 2027-04-02 09:00: after sending hours (09:00-17:00)",
    )
    # An earlier previous touch does not move anything.
    assert slot(prev, WORKWEEK, "FI", HEL, after=prev - timedelta(seconds=1)).deferrals == ()


# --- waits ----------------------------------------------------------------------------


def test_calendar_waits_keep_local_time() -> None:
    start = at(HEL, 2027, 4, 1, 10, 15)
    assert add_waits(start, [Wait(10, "days")], "FI", HEL) == at(HEL, 2027, 4, 11, 10, 15)
    assert add_waits(start, [Wait(2, "weeks")], "FI", HEL) == at(HEL, 2027, 4, 15, 10, 15)
    assert add_waits(start, [Wait(1, "weeks"), Wait(3, "days")], "FI", HEL) == at(HEL, 2027, 4, 11, 10, 15)
    assert add_waits(start, [], "FI", HEL) == start
    assert add_waits(start, [Wait(0, "days")], "FI", HEL) == start


def test_business_day_waits_skip_holidays_and_weekends() -> None:
    # Fri Dec 3 + 1 business day: the weekend, then Independence Day (Mon Dec 6), so Tue.
    assert add_waits(at(HEL, 2027, 12, 3, 10), [Wait(1, "business_days")], "FI", HEL) == at(
        HEL, 2027, 12, 7, 10
    )
    # Thu Dec 23 + 3: Christmas Eve (Fri), weekend, then Mon 27, Tue 28, Wed 29.
    assert add_waits(at(HEL, 2027, 12, 23, 10), [Wait(3, "business_days")], "FI", HEL) == at(
        HEL, 2027, 12, 29, 10
    )
    # New York: Wed before Thanksgiving + 1 business day is the Friday.
    assert add_waits(at(NYC, 2027, 11, 24, 14), [Wait(1, "business_days")], "US", NYC) == utc(
        2027, 11, 26, 19
    )
    # From a Saturday, the first business day is Monday.
    assert add_waits(at(HEL, 2027, 4, 3, 10), [Wait(1, "business_days")], "FI", HEL) == at(
        HEL, 2027, 4, 5, 10
    )
    # An unsupported country has no holidays: Mon Dec 6 is just a Monday.
    assert add_waits(at(HEL, 2027, 12, 3, 10), [Wait(1, "business_days")], "XX", HEL) == at(
        HEL, 2027, 12, 6, 10
    )


def test_deadline_after_is_one_wait() -> None:
    assigned = at(HEL, 2027, 12, 3, 10)
    assert deadline_after(assigned, Wait(2, "business_days"), "FI", HEL) == at(HEL, 2027, 12, 8, 10)
    assert deadline_after(assigned, Wait(1, "weeks"), "FI", HEL) == add_waits(
        assigned, [Wait(7, "days")], "FI", HEL
    )


def test_waits_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown wait unit"):
        add_waits(utc(2027, 1, 1), [Wait(1, "fortnights")], "FI", HEL)
    with pytest.raises(ValueError, match="negative"):
        add_waits(utc(2027, 1, 1), [Wait(-1, "days")], "FI", HEL)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_waits(datetime(2027, 1, 1), [Wait(1, "days")], "FI", HEL)
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        add_waits(utc(2027, 1, 1), [Wait(1, "days")], "FI", "Mars/Olympus")


# --- DST ------------------------------------------------------------------------------


def test_waits_across_dst_keep_wall_time() -> None:
    # Helsinki springs forward Sun 2027-03-28 (EET +2 -> EEST +3) and falls back Oct 31.
    assert add_waits(utc(2027, 3, 25, 7), [Wait(1, "weeks")], "FI", HEL) == utc(2027, 4, 1, 6)
    assert add_waits(utc(2027, 10, 29, 6), [Wait(1, "business_days")], "FI", HEL) == utc(2027, 11, 1, 7)
    # New York springs forward Sun 2027-03-14 (EST -5 -> EDT -4) and falls back Nov 7.
    assert add_waits(utc(2027, 3, 12, 15), [Wait(1, "business_days")], "US", NYC) == utc(2027, 3, 15, 14)
    assert add_waits(utc(2027, 11, 5, 14), [Wait(1, "business_days")], "US", NYC) == utc(2027, 11, 8, 15)


def test_wait_into_spring_forward_gap_moves_to_first_real_instant() -> None:
    # 02:30 does not exist in New York on 2027-03-14: the first instant after the gap is 03:00 EDT.
    assert add_waits(at(NYC, 2027, 3, 13, 2, 30), [Wait(1, "days")], "US", NYC) == utc(2027, 3, 14, 7)
    # Helsinki's gap is 03:00-04:00 on 2027-03-28.
    assert add_waits(at(HEL, 2027, 3, 27, 3, 30), [Wait(1, "days")], "FI", HEL) == utc(2027, 3, 28, 1)
    assert utc(2027, 3, 28, 1).astimezone(ZoneInfo(HEL)).time() == time(4, 0)


def test_wait_into_fall_back_keeps_the_side() -> None:
    # 01:30 happens twice in New York on 2027-11-07; from an EDT moment take the EDT one.
    assert add_waits(at(NYC, 2027, 11, 6, 1, 30), [Wait(1, "days")], "US", NYC) == utc(2027, 11, 7, 5, 30)
    second = at(NYC, 2027, 11, 7, 1, 30, fold=1)
    assert second == utc(2027, 11, 7, 6, 30)
    assert add_waits(second, [Wait(0, "days")], "US", NYC) == second
    assert add_waits(second, [Wait(1, "weeks")], "US", NYC) == utc(2027, 11, 14, 6, 30)


@pytest.mark.parametrize(
    ("tz", "country", "first", "last", "offsets"),
    [
        # Each day of the week around the change at local 09:00: UTC moves, local does not.
        (HEL, "FI", date(2027, 3, 22), date(2027, 4, 2), (2, 3)),  # Good Friday etc. just skip
        (HEL, "FI", date(2027, 10, 25), date(2027, 11, 5), (3, 2)),
        (NYC, "US", date(2027, 3, 8), date(2027, 3, 19), (-5, -4)),
        (NYC, "US", date(2027, 11, 1), date(2027, 11, 12), (-4, -5)),
    ],
)
def test_window_start_stays_local_across_dst_weeks(
    tz: str, country: str, first: date, last: date, offsets: tuple[int, int]
) -> None:
    zone = ZoneInfo(tz)
    seen: set[int] = set()
    d = first
    while d <= last:
        got = slot(at(tz, d.year, d.month, d.day, 6), NO_QUARTER, country, tz)
        local = got.at_utc.astimezone(zone)
        assert local.time() == time(9, 0)
        assert local.weekday() < 5 and is_business_day(local.date(), country)
        offset = local.utcoffset()
        assert offset is not None
        seen.add(int(offset.total_seconds() // 3600))
        d += timedelta(days=1)
    assert seen == set(offsets)


def test_window_start_inside_spring_forward_gap() -> None:
    night = Schedule("02:00", "04:00", WEEKDAYS, 0)
    got = slot(at(NYC, 2027, 3, 14, 0), night, "US", NYC)
    # 02:00 does not exist that night; the window opens at the first real instant, 03:00 EDT.
    assert got == SendSlot(
        utc(2027, 3, 14, 7), ("2027-03-14 00:00 -> 2027-03-14 03:00: before sending hours (02:00-04:00)",)
    )
    # A window wholly inside the gap has no instant that night.
    gap_only = Schedule("02:00", "03:00", WEEKDAYS, 0)
    got = slot(at(NYC, 2027, 3, 14, 0), gap_only, "US", NYC)
    assert got.at_utc == utc(2027, 3, 15, 6)  # 02:00 EDT the next night
    assert got.deferrals == (
        "2027-03-14 00:00 -> 2027-03-14 03:00: before sending hours (02:00-03:00)",
        "2027-03-14 03:00 -> 2027-03-15 02:00: after sending hours (02:00-03:00)",
    )


def test_window_start_on_fall_back_never_moves_backwards() -> None:
    # 01:10 EST is the second pass through 01:xx; the window's 01:30 must be the EST one too.
    early = Schedule("01:30", "17:00", WEEKDAYS, 0)
    start = at(NYC, 2027, 11, 7, 1, 10, fold=1)
    got = slot(start, early, "US", NYC)
    assert got.at_utc == utc(2027, 11, 7, 6, 30)
    assert got.at_utc > start
    assert got.deferrals == ("2027-11-07 01:10 -> 2027-11-07 01:30: before sending hours (01:30-17:00)",)
    # The first pass (EDT) opens at the first 01:30.
    assert slot(at(NYC, 2027, 11, 7, 0, 50), early, "US", NYC).at_utc == utc(2027, 11, 7, 5, 30)


# --- malformed schedules and the search cap -----------------------------------------


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (Schedule(window_start="9:00"), "window_start '9:00'"),
        (Schedule(window_start="24:00"), "window_start '24:00'"),
        (Schedule(window_end="24:30"), "window_end '24:30'"),
        (Schedule(window_end="17:60"), "window_end '17:60'"),
        (Schedule(window_start="17:00", window_end="09:00"), "must be before window_end"),
        (Schedule(window_start="09:00", window_end="09:00"), "must be before window_end"),
        (Schedule(weekdays=()), "weekdays is empty"),
        (Schedule(weekdays=("monday",)), "weekday 'monday'"),
        (Schedule(quarter_end_blackout_days=-1), "quarter_end_blackout_days"),
        (Schedule(blackouts=(Blackout("2027-13-01", "2027-12-31", "x"),)), "ISO dates"),
        (Schedule(blackouts=(Blackout("2027-12-31", "2027-12-01", "x"),)), "ends before it starts"),
    ],
)
def test_malformed_schedule(schedule: Schedule, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        slot(utc(2027, 4, 1, 8), schedule, "FI", HEL)


def test_long_blackout_is_waited_out() -> None:
    year = Schedule(
        blackouts=(Blackout("2027-04-01", "2028-04-01", "366 days"),), quarter_end_blackout_days=0
    )
    got = slot(at(HEL, 2027, 4, 1, 10), year, "FI", HEL)
    assert got == SendSlot(
        at(HEL, 2028, 4, 3, 9),
        ("2027-04-01 -> 2028-04-02: blackout (366 days)", "2028-04-02 -> 2028-04-03: weekend"),
    )


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule(blackouts=(Blackout("2027-01-01", "2031-12-31", "forever"),)),
        Schedule(blackouts=(Blackout("2027-01-01", "9999-12-31", "forever"),)),
        Schedule(quarter_end_blackout_days=100),  # every quarter entirely blacked out
        Schedule(weekdays=("sat",), blackouts=(Blackout("2027-01-01", "2030-06-30", "no weekends"),)),
    ],
)
def test_unsatisfiable_schedule_fails_clearly(schedule: Schedule) -> None:
    with pytest.raises(ValueError, match="no allowed send time within 1098 days"):
        slot(at(HEL, 2027, 4, 1, 10), schedule, "FI", HEL)


def test_naive_times_rejected() -> None:
    with pytest.raises(ValueError, match="earliest_utc must be timezone-aware"):
        slot(datetime(2027, 4, 1, 10), WORKWEEK, "FI", HEL)
    with pytest.raises(ValueError, match="after_utc must be timezone-aware"):
        slot(utc(2027, 4, 1, 10), WORKWEEK, "FI", HEL, after=datetime(2027, 4, 1, 10))


# --- properties ------------------------------------------------------------------------

ZONES: dict[str, tuple[str, ...]] = {
    "FI": (HEL,),
    "MY": ("Asia/Kuala_Lumpur",),
    "JP": ("Asia/Tokyo",),
    "TW": ("Asia/Taipei",),
    "US": (NYC, "America/Los_Angeles"),
    "DE": ("Europe/Berlin",),
    "GB": ("Europe/London",),
    "SE": ("Europe/Stockholm",),
}
PLACES = [(country, tz) for country, zones in ZONES.items() for tz in zones]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def windows(draw: st.DrawFn) -> tuple[str, str]:
    start = draw(st.integers(0, 23 * 4 + 3)) * 15
    end = draw(st.integers(start // 15 + 1, 96)) * 15
    return _hhmm(start), _hhmm(end)


@st.composite
def blackout_ranges(draw: st.DrawFn) -> tuple[Blackout, ...]:
    out = []
    for i in range(draw(st.integers(0, 2))):
        first = draw(st.dates(date(2026, 1, 1), date(2031, 6, 30)))
        last = first + timedelta(days=draw(st.integers(0, 20)))
        out.append(Blackout(first.isoformat(), last.isoformat(), f"freeze {i}"))
    return tuple(out)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    start, end = draw(windows())
    days = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
    return Schedule(
        window_start=start,
        window_end=end,
        weekdays=tuple(d for d in WEEKDAYS if d in days),
        quarter_end_blackout_days=draw(st.integers(0, 7)),
        blackouts=draw(blackout_ranges()),
    )


waits = st.builds(Wait, st.integers(0, 30), st.sampled_from(("days", "weeks", "business_days"))).filter(
    lambda w: not (w.unit == "weeks" and w.amount > 8)
)


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def _day_allowed(d: date, schedule: Schedule, country: str) -> bool:
    """An independent reading of the day-level rules."""
    if WEEKDAYS[d.weekday()] not in schedule.weekdays or holiday_name(d, country) is not None:
        return False
    q_start = quarter_end_blackout_start(d, schedule.quarter_end_blackout_days, country)
    if q_start is not None and q_start <= d <= _quarter_end(d):
        return False
    return not any(date.fromisoformat(b.start) <= d <= date.fromisoformat(b.end) for b in schedule.blackouts)


def _quarter_end(d: date) -> date:
    month = 3 * ((d.month - 1) // 3) + 3
    nxt = date(d.year + 1, 1, 1) if month == 12 else date(d.year, month + 1, 1)
    return nxt - timedelta(days=1)


def _check_slot(
    got: SendSlot, earliest: datetime, after: datetime | None, schedule: Schedule, country: str, tz: str
) -> None:
    zone = ZoneInfo(tz)
    local = got.at_utc.astimezone(zone)
    minute_of_day = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    assert got.at_utc.tzinfo is not None and got.at_utc.utcoffset() == timedelta(0)
    assert _minutes(schedule.window_start) <= minute_of_day < _minutes(schedule.window_end)  # (a)
    assert WEEKDAYS[local.weekday()] in schedule.weekdays  # (b)
    assert holiday_name(local.date(), country) is None  # (c)
    assert _day_allowed(local.date(), schedule, country)  # (d), (e)
    if after is not None:
        assert got.at_utc > after  # (f)
    assert got.at_utc >= earliest  # (g)
    # Minimality at day level: every day skipped between the nominal day and the slot was
    # not allowed (DST-change days aside, where a short window may not exist at all).
    first = max(earliest, after or earliest).astimezone(zone).date()
    d = first + timedelta(days=1)
    while d < local.date():
        transition = zone.utcoffset(datetime.combine(d, time())) != zone.utcoffset(
            datetime.combine(d + timedelta(days=1), time())
        )
        assert transition or not _day_allowed(d, schedule, country), d
        d += timedelta(days=1)
    if not got.deferrals:
        assert got.at_utc == earliest
    for line in got.deferrals:
        assert " -> " in line and ": " in line


def _run_sequence(
    start: datetime, touch_waits: Sequence[Wait], schedule: Schedule, country: str, tz: str
) -> list[datetime]:
    first = next_send_time(start, schedule, country, tz)
    _check_slot(first, start, None, schedule, country, tz)
    sent = [first.at_utc]
    for wait in touch_waits:
        prev = sent[-1]
        nominal = add_waits(prev, [wait], country, tz)
        got = next_send_time(nominal, schedule, country, tz, after_utc=prev)
        _check_slot(got, nominal, prev, schedule, country, tz)
        sent.append(got.at_utc)
    return sent


PROPERTY = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
_any_instant = st.datetimes(datetime(2026, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))
# Quarter-hour instants hit window edges exactly (all these zones are whole hours from UTC).
instants = st.one_of(
    _any_instant,
    _any_instant.map(lambda t: t.replace(minute=t.minute // 15 * 15, second=0, microsecond=0)),
)


@PROPERTY
@given(
    place=st.sampled_from(PLACES),
    start=instants,
    schedule=schedules(),
    touch_waits=st.lists(waits, min_size=3, max_size=5),
)
def test_sequences_always_land_on_allowed_moments(
    place: tuple[str, str], start: datetime, schedule: Schedule, touch_waits: list[Wait]
) -> None:
    country, tz = place
    sent = _run_sequence(start, touch_waits, schedule, country, tz)
    assert sent == sorted(set(sent))


def _dst_changes(tz: str) -> list[datetime]:
    """UTC instants of every offset change in 2026-2030, found hour by hour."""
    zone = ZoneInfo(tz)
    out = []
    t = utc(2026, 1, 1)
    prev = t.astimezone(zone).utcoffset()
    while t < utc(2031, 1, 1):
        t += timedelta(hours=1)
        off = t.astimezone(zone).utcoffset()
        if off != prev:
            out.append(t)
            prev = off
    return out


DST_CHANGES = {tz: _dst_changes(tz) for tz in (HEL, NYC)}


@PROPERTY
@given(
    place=st.sampled_from([("FI", HEL), ("US", NYC)]),
    change=st.integers(0, 9),
    offset_minutes=st.integers(-4 * 24 * 60, 4 * 24 * 60),
    window=st.one_of(
        windows(),
        st.sampled_from(
            [
                ("00:00", "24:00"),
                ("02:00", "04:00"),
                ("03:00", "05:00"),
                ("01:00", "02:00"),
                ("09:00", "17:00"),
            ]
        ),
    ),
    days=st.sets(st.sampled_from(WEEKDAYS), min_size=1),
    touch_waits=st.lists(
        st.builds(Wait, st.integers(0, 3), st.sampled_from(("days", "business_days"))), min_size=3, max_size=5
    ),
)
def test_sequences_across_dst_changes(
    place: tuple[str, str],
    change: int,
    offset_minutes: int,
    window: tuple[str, str],
    days: set[str],
    touch_waits: list[Wait],
) -> None:
    country, tz = place
    assert len(DST_CHANGES[tz]) == 10
    start = DST_CHANGES[tz][change] + timedelta(minutes=offset_minutes)
    schedule = Schedule(window[0], window[1], tuple(d for d in WEEKDAYS if d in days), 0)
    _run_sequence(start, touch_waits, schedule, country, tz)


@PROPERTY
@given(place=st.sampled_from(PLACES), start=instants, wait=waits)
def test_waits_keep_wall_time(place: tuple[str, str], start: datetime, wait: Wait) -> None:
    country, tz = place
    zone = ZoneInfo(tz)
    got = add_waits(start, [wait], country, tz)
    before, after = start.astimezone(zone), got.astimezone(zone)
    assert got.utcoffset() == timedelta(0)
    if wait.amount == 0:
        assert got == start
        return
    assert got > start
    if wait.unit == "business_days":
        assert is_business_day(after.date(), country)
        skipped = [before.date() + timedelta(days=i) for i in range(1, (after.date() - before.date()).days)]
        assert sum(is_business_day(d, country) for d in skipped) == wait.amount - 1
    else:
        assert (after.date() - before.date()).days == wait.amount * (7 if wait.unit == "weeks" else 1)
    if after.replace(tzinfo=None).time() != before.replace(tzinfo=None).time():
        # Only a spring-forward gap may shift the wall time, and then to just after the gap.
        wall = datetime.combine(after.date(), before.time())
        assert wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall
        assert after.replace(tzinfo=None) > wall
