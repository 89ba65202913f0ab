"""Executive escalation of a save: when, and its four ordered steps (issue 12).

A save escalates to executives when the account's ARR is at least 50,000 and its effort is
`full` (campaigns/save_effort.py). The later SaveWorkflow runs ESCALATION_STEPS in order; each
step has the role that owns it and a deadline in business days after the previous step ends
(the first: after the escalation starts). The four fit in 12 business days, well inside the 30
days of a compressed save; an emergency save (under 30 days) must not wait on them longer than
the renewal allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from campaigns.save_value import arr_text

__all__ = [
    "ESCALATION_EFFORT",
    "ESCALATION_MIN_ARR",
    "ESCALATION_STEPS",
    "ROLES",
    "EscalationStep",
    "escalates",
    "escalation_reason",
    "total_business_days",
]

ESCALATION_MIN_ARR: Final = 50_000
ESCALATION_EFFORT: Final = "full"
ROLES: Final = ("csm", "executive")  # "executive": ours, who meets the customer's executive


@dataclass(frozen=True)
class EscalationStep:
    order: int  # 1-based; a step starts when the previous one ends
    step: str  # a stable name for tasks and histories
    owner: str  # one of ROLES
    business_days: int  # deadline after the previous step ends
    what: str


ESCALATION_STEPS: Final = (
    # Two days: the brief needs the account's history and the open issues, not a new analysis.
    EscalationStep(1, "brief", "csm", 2, "the CSM prepares the brief and talking points for our executive"),
    # Three days: executive calendars; sooner looks like panic, later loses the renewal's time.
    EscalationStep(2, "executive_contact", "executive", 3, "our executive reaches the customer's executive"),
    # Five days: every commitment made in that conversation gets an owner and a first answer.
    EscalationStep(3, "follow_up", "csm", 5, "the CSM follows up on every commitment made"),
    # Two days: thanks while the conversation is fresh, and a written record for the team.
    EscalationStep(4, "debrief", "executive", 2, "thanks to the customer's executive and a written debrief"),
)


def escalates(arr: float, effort: str | None) -> bool:
    return arr >= ESCALATION_MIN_ARR and effort == ESCALATION_EFFORT


def total_business_days() -> int:
    return sum(step.business_days for step in ESCALATION_STEPS)


def escalation_reason(arr: float, effort: str | None) -> str:
    if escalates(arr, effort):
        return (
            f"executive escalation: ARR {arr_text(arr)} >= {ESCALATION_MIN_ARR:,} and effort "
            f"{ESCALATION_EFFORT} ({len(ESCALATION_STEPS)} steps over {total_business_days()} business days)"
        )
    why = (
        f"ARR {arr_text(arr)} is below {ESCALATION_MIN_ARR:,}"
        if arr < ESCALATION_MIN_ARR
        else f"effort is {effort}, not {ESCALATION_EFFORT}"
    )
    return f"no executive escalation: {why}"
