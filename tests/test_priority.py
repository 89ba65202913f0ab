"""Priority: the level each churn reason sets, the competitor signal, the sweet spot's ends."""

from __future__ import annotations

from datetime import date

import pytest

from campaigns.model import CHURN_REASONS
from campaigns.priority import (
    BASE_PRIORITY,
    PRIORITIES,
    SWEET_SPOT,
    SWEET_SPOT_MONTHS,
    by_churn_reason,
    departure_drawback,
    in_sweet_spot,
    named,
)

NO_SIGNALS: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("reason", "level"),
    [
        ("product_gap", 0),
        ("service", 0),
        ("budget", 1),
        ("adoption", 1),
        ("bad_fit", 2),
        ("other", 2),
    ],
)
def test_each_churn_reason_sets_its_level(reason: str, level: int) -> None:
    got, note = by_churn_reason(reason, "", NO_SIGNALS)
    assert got == level
    assert note.endswith(f"({PRIORITIES[level]})")


def test_every_reason_but_competitive_and_structural_has_a_base_priority() -> None:
    assert set(BASE_PRIORITY) == set(CHURN_REASONS) - {"competitive", "structural"}


def test_an_unknown_reason_ranks_low_and_says_which_it_was() -> None:
    assert by_churn_reason("weather", "", NO_SIGNALS) == (2, "churn reason weather (low)")


def test_a_loss_to_a_competitor_with_a_live_signal_ranks_high() -> None:
    signals = {"brightloop": ""}
    assert by_churn_reason("competitive", " Brightloop ", signals) == (
        0,
        "lost to Brightloop, which has a live competitor signal (high)",
    )
    # A story a watcher saw is named, so marketing ops see why the account ranks high.
    story = "“Brightloop raises prices 40% for all plans” (2026-11-02)"
    assert by_churn_reason("competitive", "brightloop", {"brightloop": story}) == (
        0,
        f"lost to brightloop, which has a live competitor signal: {story} (high)",
    )
    assert by_churn_reason("competitive", "Tallyhawk", signals) == (
        1,
        "lost to Tallyhawk, no live competitor signal (medium)",
    )
    assert by_churn_reason("competitive", "", signals) == (
        1,
        "lost to a competitor (not named), no live competitor signal (medium)",
    )


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2025, 8, 14), False),  # a day short of 6 months
        (date(2025, 8, 15), True),  # exactly 6 months
        (date(2027, 2, 15), True),  # exactly 24 months
        (date(2027, 2, 16), False),  # a day past 24 months
    ],
)
def test_the_sweet_spot_includes_both_ends(day: date, inside: bool) -> None:
    assert in_sweet_spot(date(2025, 2, 15), day) is inside


def test_the_sweet_spot_clamps_month_ends() -> None:
    # Aug 31 + 6 months is Feb 28 (2026 is not a leap year).
    assert in_sweet_spot(date(2025, 8, 31), date(2026, 2, 28))
    assert not in_sweet_spot(date(2025, 8, 31), date(2026, 2, 27))


def test_sweet_spot_text() -> None:
    assert SWEET_SPOT_MONTHS == (6, 24)
    assert SWEET_SPOT == "6-24 month sweet spot"


def test_drawbacks_stop_lowering_at_low() -> None:
    assert [named(level) for level in range(5)] == ["high", "medium", "low", "low", "low"]


def test_only_an_angry_departure_lowers_the_level() -> None:
    assert departure_drawback("angry") == (1, "angry departure: ranked lower")
    assert departure_drawback("graceful") is None
    assert departure_drawback("neutral") is None
