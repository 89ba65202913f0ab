"""Value by ARR (9,999 / 10,000 / 49,999 / 50,000) and the strategic raise."""

from __future__ import annotations

import pytest

from campaigns.save_value import arr_text, value_for, value_reason


@pytest.mark.parametrize(
    ("arr", "value"),
    [(0, "low"), (9_999, "low"), (9_999.99, "low"), (10_000, "medium"), (49_999, "medium"), (50_000, "high")],
)
def test_value_by_arr(arr: float, value: str) -> None:
    assert value_for(arr, strategic=False) == value


@pytest.mark.parametrize(
    ("arr", "value"), [(9_999, "medium"), (49_999, "high"), (50_000, "high"), (10**9, "high")]
)
def test_strategic_raises_one_level_and_high_stays_high(arr: float, value: str) -> None:
    assert value_for(arr, strategic=True) == value


def test_the_reason_names_the_band_and_the_raise() -> None:
    assert value_reason(9_999, False) == "value low: ARR 9,999 below 10,000"
    assert value_reason(10_000, False) == "value medium: ARR 10,000 >= 10,000"
    assert value_reason(9_999, True) == (
        "value medium: ARR 9,999 below 10,000 is low, raised one level as a strategic account "
        "(logo, reference, case study)"
    )
    assert (
        value_reason(50_000, True) == "value high: ARR 50,000 >= 50,000; strategic, already the highest value"
    )


def test_arr_is_never_rounded_onto_a_threshold() -> None:
    assert arr_text(49_999.5) == "49,999.50"
    assert arr_text(86_000.0) == "86,000"
