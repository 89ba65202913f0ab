"""Executive escalation: ARR 49,999/50,000 x effort full or not, and the four steps as data."""

from __future__ import annotations

import pytest

from campaigns.escalation import (
    ESCALATION_STEPS,
    ROLES,
    escalates,
    escalation_reason,
    total_business_days,
)
from campaigns.save_effort import EFFORTS


@pytest.mark.parametrize("effort", [*EFFORTS, None])
@pytest.mark.parametrize("arr", [49_999, 49_999.99, 50_000, 250_000])
def test_escalation_needs_arr_50000_and_full_effort(arr: float, effort: str | None) -> None:
    assert escalates(arr, effort) is (arr >= 50_000 and effort == "full")


def test_the_reasons() -> None:
    assert escalation_reason(50_000, "full") == (
        "executive escalation: ARR 50,000 >= 50,000 and effort full (4 steps over 12 business days)"
    )
    assert escalation_reason(49_999, "full") == "no executive escalation: ARR 49,999 is below 50,000"
    assert escalation_reason(50_000, "standard") == "no executive escalation: effort is standard, not full"


def test_four_ordered_steps_each_with_an_owner_and_a_deadline() -> None:
    assert [s.order for s in ESCALATION_STEPS] == [1, 2, 3, 4]
    assert [s.step for s in ESCALATION_STEPS] == ["brief", "executive_contact", "follow_up", "debrief"]
    assert [s.owner for s in ESCALATION_STEPS] == ["csm", "executive", "csm", "executive"]
    assert all(s.owner in ROLES and s.business_days > 0 for s in ESCALATION_STEPS)
    assert [s.business_days for s in ESCALATION_STEPS] == [2, 3, 5, 2]
    # The whole escalation fits well inside a compressed save (30 days at least).
    assert total_business_days() == 12
