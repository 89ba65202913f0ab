"""A launch's watched row judged again on the day of a cancel intent (campaigns/save_watch.py)."""

from __future__ import annotations

from datetime import date

from campaigns.save_watch import judge, spent
from tests.factories import make_watched

ROW = make_watched("ACC-W", signals=("engagement_drop",))  # renewal 2027-04-03


def test_one_flag_is_watched_until_an_intent_makes_it_two() -> None:
    quiet = judge(ROW, intents=0, as_of=date(2026, 12, 4))
    assert (quiet.risk, quiet.included, quiet.effort) == ("watch", False, None)
    heard = judge(ROW, intents=1, as_of=date(2026, 12, 4))
    assert (heard.risk, heard.included, heard.flags) == (
        "at_risk",
        True,
        ("engagement_drop", "cancel_intent"),
    )
    assert judge(ROW, intents=3, as_of=date(2026, 12, 4)) == heard, "intents are one flag, however many"


def test_it_is_judged_on_the_day_of_the_intent_not_the_launch() -> None:
    assert judge(ROW, intents=1, as_of=date(2026, 12, 4)).mode == "comprehensive"  # 120 days
    late = judge(ROW, intents=1, as_of=date(2027, 3, 20))
    assert (late.mode, late.days_to_renewal) == ("emergency", 14)
    past = judge(ROW, intents=1, as_of=date(2027, 4, 4))
    assert not past.included and past.days_to_renewal == -1


def test_a_save_that_ended_on_or_after_the_launch_day_spends_the_row() -> None:
    # ROW was planned on 2026-11-30.
    assert spent(ROW, [("saved", date(2026, 11, 29))]) is None, "an earlier save: the launch planned anew"
    assert spent(ROW, []) is None
    why = spent(ROW, [("saved", date(2026, 11, 29)), ("cancelled", date(2026, 11, 30))])
    assert why is not None and why.startswith("its save ended cancelled on 2026-11-30")
