"""What follows a save's outcome (issue 12, part 3), as data: post-save monitoring of a saved
account, and the graceful exit and later win-back touches of a lost one.

- saved: a health check every week for MONITOR_MONTHS (a campaign may say up to 12), every
  promise of the save tracked to done (an overdue one escalates to the manager), and at the next
  renewal a check whether the save held;
- lost: an offboarding-help task and a debrief with DEBRIEF_QUESTIONS, then WINBACK_STAGES: a
  win-back start at 3, 6 and 12 months, each through the win-back start path and its rules.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "DEBRIEF_QUESTIONS",
    "ESCALATION_DAYS",
    "EXIT_DAYS",
    "HEALTH_CHECK_DAYS",
    "MONITOR_MONTHS",
    "MONITOR_MONTHS_RANGE",
    "OFFBOARDING_GUIDE",
    "PROMISE_DAYS",
    "RENEWAL_CHECK_DAYS",
    "WINBACK_STAGES",
    "WinbackStage",
    "health_checks",
]

MONITOR_MONTHS: Final = 6  # unless the save's campaign says otherwise
MONITOR_MONTHS_RANGE: Final = (6, 12)
# Business days each follow-up task is due in after it opens.
HEALTH_CHECK_DAYS: Final = 2
RENEWAL_CHECK_DAYS: Final = 10
ESCALATION_DAYS: Final = 2  # a manager's look at an overdue promise
PROMISE_DAYS: Final = 15  # a promise the save left without a deadline (a concession's commitment)
EXIT_DAYS: Final = 5

OFFBOARDING_GUIDE: Final = (
    "Help them leave well: the data export in the format they need, the end date and what stops "
    "when, who to call with a question. No obstacles and no sales pitch: how they leave is what "
    "they remember when the win-back calls."
)
# The debrief after a lost save: the questions, in this order, go into the task's notes.
DEBRIEF_QUESTIONS: Final = (
    "Why did they leave, in their words?",
    "What would have changed it, and when would it have had to happen?",
    "What did we promise and not deliver?",
    "Would they take a call in 3 months?",
    "Who else should we talk to there?",
)


@dataclass(frozen=True)
class WinbackStage:
    step: str  # stable: the store's key for the start or refusal
    months: int  # after the save was lost
    label: str
    # The playbook it runs, by id; "" runs the win-back campaign's playbook for the churn reason.
    playbook: str
    with_offer: bool  # the campaign's offer goes with it (the formal win-back only)


# Why these playbooks: the 3-month check-in is the time-based playbook, which is a low-pressure
# hello and an open door; 6 months brings what changed about the reason they left, which is
# exactly what each churn reason's playbook says (product gap: the release, service: the new
# team...); 12 months is the formal win-back, the same playbook with the campaign's offer.
WINBACK_STAGES: Final = (
    WinbackStage("winback-3m", 3, "check-in", "time_based", with_offer=False),
    WinbackStage("winback-6m", 6, "relevant updates", "", with_offer=False),
    WinbackStage("winback-12m", 12, "formal win-back", "", with_offer=True),
)


def health_checks(monitor_months: int) -> int:
    """Weekly checks in `monitor_months` (clamped to MONITOR_MONTHS_RANGE): 26 in 6 months."""
    low, high = MONITOR_MONTHS_RANGE
    months = min(max(monitor_months, low), high)
    return round(months * 52 / 12)
