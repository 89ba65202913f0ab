"""What SaveFollowUpWorkflow and its activities exchange (issue 12, part 3): one dataclass each way.

Part of workflow histories: add fields only with defaults, never rename or remove.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from campaigns.model import AccountRef

# What the store records for a step of a follow-up (save_follow_ups.result).
HELD: Final = "held"  # the renewal check: the save held, they renewed again
CHURNED: Final = "churned"  # the renewal check: they left after all
NO_ANSWER: Final = "no_answer"  # the renewal check was never reported
RENEWAL_RESULTS: Final = (HELD, CHURNED)
STARTED: Final = "started"  # a win-back stage started a sequence
REFUSED: Final = "refused"  # a win-back stage's rules refused it (the reason says which)
FOLLOW_UP_RESULTS: Final = (HELD, CHURNED, NO_ANSWER, STARTED, REFUSED)
RENEWAL_CHECK: Final = "renewal-check"  # the step and task id of the renewal check

# A follow-up task's state.
OPEN: Final = "open"
DONE: Final = "done"
SKIPPED: Final = "skipped"


@dataclass(frozen=True)
class Promise:
    """Something the save promised: a fix with its owner, or what the customer committed to in
    exchange for a concession (tracked by the account's CSM)."""

    promise_id: str  # "issue-1", "commitment-1"
    what: str
    owner: str  # handle
    due_utc: datetime
    done: bool = False  # already closed when the save ended


@dataclass(frozen=True)
class FollowUpInput:
    account: AccountRef
    save_workflow_id: str
    campaign_id: str  # the saves campaign
    outcome: str  # contracts.saves.SAVED | LOST
    reason: str
    renewal_on: str  # ISO date the saved contract renewed
    csm: str  # handle
    manager: str  # handle: overdue promises and the debrief go to them
    promises: tuple[Promise, ...] = ()
    monitor_months: int = 6  # campaigns.save_followup.MONITOR_MONTHS_RANGE
    # The win-back campaign file a lost account's later touches run in; "" starts none.
    winback_campaign: str = ""


@dataclass
class FollowUpTask:
    task_id: str  # "health-1", "promise-issue-1", "escalation-issue-1", "renewal-check", "debrief"
    title: str
    owner: str
    opened_utc: datetime
    due_utc: datetime
    state: str = OPEN
    note: str = ""
    board: str = ""


@dataclass
class FollowUpStatus:
    account_id: str
    outcome: str
    tasks: list[FollowUpTask] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # "winback-3m: started (time_based)", ...
    done: bool = False
    # complete_task signals refused (unreadable, or no such open task), newest last, at most 10:
    # "2026-12-01 09:00 UTC complete_task refused: ..." (an Update's refusal goes to its sender).
    refused: list[str] = field(default_factory=list)
    # From the input, for `winback tasks`: the saves campaign and the customer's zone (a task's
    # due_local). Filled by every run a current worker answers for, whenever it started.
    campaign_id: str = ""
    timezone: str = ""


@dataclass(frozen=True)
class FollowUpReport:
    """Close a follow-up task; the renewal check takes held or churned as its outcome."""

    task_id: str
    outcome: str = DONE
    note: str = ""


# --- activities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WinbackStartRequest:
    workflow_id: str  # the follow-up's
    run_id: str
    account_id: str
    step: str  # campaigns.save_followup.WINBACK_STAGES' step
    campaign_path: str
    playbook: str  # "" for the campaign's playbook for the churn reason
    with_offer: bool
    lost_on: str  # ISO date the save was lost: the account's churn date for the rules
    # When the stage came round (the workflow's clock): the day the rules are judged on and the
    # start is staggered from, as a launch on that day would.
    at: datetime | None = None


@dataclass(frozen=True)
class FollowUpRecord:
    """One step of a follow-up as the store keeps it; the first record of a step stands."""

    workflow_id: str
    run_id: str
    step: str
    account_id: str
    result: str  # one of FOLLOW_UP_RESULTS
    detail: str  # why refused, the playbook started, the check's note
    at: datetime


@dataclass(frozen=True)
class FollowUpReceipt:
    result: str
    detail: str
    recorded: bool  # False: the store already had this step (the first record stands)
