"""Tiers at their ARR boundaries, and the order a launch ranks them in."""

from __future__ import annotations

import pytest

from campaigns.tiers import MIN_ARR, TIERS, rank, thresholds_text, tier_for_arr
from tests.factories import make_account


@pytest.mark.parametrize(
    ("arr", "tier"),
    [
        (0.0, None),
        (999.99, None),
        (1_000.0, "T3"),
        (9_999.99, "T3"),
        (10_000.0, "T2"),
        (49_999.99, "T2"),
        (50_000.0, "T1"),
        (5_000_000.0, "T1"),
    ],
)
def test_tier_for_arr_at_the_boundaries(arr: float, tier: str | None) -> None:
    assert tier_for_arr(arr) == tier


def test_min_arr_is_where_the_lowest_tier_starts() -> None:
    assert MIN_ARR == 1_000
    assert tier_for_arr(MIN_ARR) == TIERS[-1]
    assert tier_for_arr(MIN_ARR - 0.01) is None


def test_an_account_has_the_tier_of_its_arr() -> None:
    assert make_account(arr=49_999.99).tier == "T2"
    assert make_account(arr=999.99).tier is None


def test_rank_puts_t1_first_and_no_tier_last() -> None:
    assert [rank(t) for t in ("T1", "T2", "T3")] == [0, 1, 2]
    assert rank(None) == len(TIERS)
    assert rank("T9") == len(TIERS)
    assert sorted(["T3", None, "T1", "T2"], key=rank) == ["T1", "T2", "T3", None]


def test_thresholds_text_is_what_messages_quote() -> None:
    assert thresholds_text() == "T1: ARR >= 50,000, T2: >= 10,000, T3: >= 1,000"
