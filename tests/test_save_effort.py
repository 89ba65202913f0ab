"""Effort: all nine value x probability cells."""

from __future__ import annotations

import pytest

from campaigns.save_effort import EFFORT, EFFORT_SCOPE, EFFORTS, effort_for, effort_reason

CELLS = [
    ("high", "high", "full"),
    ("high", "medium", "full"),
    ("high", "low", "light"),
    ("medium", "high", "standard"),
    ("medium", "medium", "standard"),
    ("medium", "low", "light"),
    ("low", "high", "light"),
    ("low", "medium", "light"),
    ("low", "low", "none"),
]


@pytest.mark.parametrize(("value", "probability", "effort"), CELLS)
def test_every_cell_of_the_effort_table(value: str, probability: str, effort: str) -> None:
    assert effort_for(value, probability) == effort


def test_the_table_has_exactly_the_nine_cells_and_every_effort_is_described() -> None:
    assert {(v, p): e for v, p, e in CELLS} == dict(EFFORT)
    assert set(EFFORT.values()) == set(EFFORTS) == set(EFFORT_SCOPE)


def test_the_reason_says_what_the_effort_means() -> None:
    assert (
        effort_reason("low", "low")
        == "effort none (no save: a graceful exit): value low, save probability low"
    )
    assert effort_reason("high", "medium") == (
        "effort full (executives, a custom plan, 30-90 days): value high, save probability medium"
    )
