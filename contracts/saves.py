"""Every payload SaveWorkflow and its activities exchange: one dataclass each way (issue 12).

Part of workflow histories: add fields only with defaults, never rename or remove.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from campaigns.concessions import Concession
from campaigns.model import AccountRef
from campaigns.save_playbook import SaveTask
from campaigns.triage import SaveEntry
from contracts.intent import IntentNotice

# How a save ends. `no_decision`: nobody recorded saved or lost by OUTCOME_GRACE_DAYS business
# days after the renewal, so the save stops waiting.
SAVED: Final = "saved"
LOST: Final = "lost"
CANCELLED: Final = "cancelled"
NO_DECISION: Final = "no_decision"
SAVE_OUTCOMES: Final = (SAVED, LOST, CANCELLED, NO_DECISION)
OUTCOME_GRACE_DAYS: Final = 10

# Values of WinbackState while a save runs: tasks are open, or every task is closed and the
# save waits for the renewal's outcome; `paused` as for sequences.
STATE_WORKING: Final = "working"
STATE_AWAITING_OUTCOME: Final = "awaiting_outcome"
STATE_PAUSED: Final = "paused"

# A task's state: not open yet (waiting for the tasks before it), open, or closed.
TASK_PENDING: Final = "pending"
TASK_OPEN: Final = "open"
TASK_DONE: Final = "done"
TASK_SKIPPED: Final = "skipped"
TASK_REPORTS: Final = (TASK_DONE, TASK_SKIPPED)

# A concession's state and the actions its chain records.
PENDING: Final = "pending"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
DECISIONS: Final = {"approve": APPROVED, "reject": REJECTED}


@dataclass(frozen=True)
class Approver:
    handle: str
    role: str  # campaigns.concessions.ROLES


@dataclass(frozen=True)
class SaveInput:
    account: AccountRef
    renewal_on: str  # ISO date the contract renews
    decision: SaveEntry  # the saves plan's row: risk, probability, value, effort, mode, escalation, why
    root_cause: str  # campaigns.save_probability.FACTORS["root_cause"]
    tasks: tuple[SaveTask, ...]  # campaigns.save_playbook.save_tasks, plan order
    approvers: tuple[Approver, ...]  # from the approvers file when the save started
    campaign_id: str  # the saves campaign: WinbackCampaign
    # What follows the outcome (workflows/save_followup.py): weekly checks for this many months
    # after a save (campaigns.save_followup.MONITOR_MONTHS_RANGE), and the win-back campaign
    # file a lost account's 3/6/12-month stages run in ("" starts none, each refusal recorded).
    monitor_months: int = 6
    winback_campaign: str = ""


@dataclass
class TaskView:
    """One task of a running save, as the status shows it."""

    task_id: str
    number: int
    kind: str
    title: str
    owner: str  # handle
    state: str  # TASK_PENDING | TASK_OPEN | TASK_DONE | TASK_SKIPPED
    after: list[str] = field(default_factory=list)
    opened_utc: datetime | None = None
    due_utc: datetime | None = None
    due_local: str = ""  # ISO 8601 with the customer's offset
    closed_utc: datetime | None = None
    overdue: bool = False  # open past its deadline: the tasks after it no longer wait for it
    note: str = ""  # the owner's report, or why the board did not get it
    board: str = ""  # where the task board filed it


@dataclass(frozen=True)
class ChainLink:
    """One step of a concession's way: who requested or decided, in which role, when."""

    at_utc: datetime
    who: str  # handle
    role: str  # their role then ("" for a requester outside the approvers file)
    action: str  # "requested" | APPROVED | REJECTED
    note: str = ""


@dataclass
class ConcessionRecord:
    number: int  # 1-based, in the order requested
    concession: Concession
    requested_by: str
    required_role: str
    state: str  # PENDING | APPROVED | REJECTED
    chain: list[ChainLink] = field(default_factory=list)


@dataclass
class SaveStatus:
    account_id: str
    campaign_id: str
    state: str
    effort: str
    mode: str
    value: str
    renewal_on: str
    executive_escalation: bool
    tasks: list[TaskView]
    concessions: list[ConcessionRecord]
    details: str
    paused: bool = False
    pause_reason: str = ""
    pause_until: datetime | None = None
    outcome: str | None = None
    outcome_reason: str = ""
    refused: list[str] = field(default_factory=list)  # signals whose input could not be read
    intents: list[IntentNotice] = field(default_factory=list)  # cancel intents heard, in order


@dataclass
class SaveResult:
    account_id: str
    campaign_id: str
    outcome: str
    reason: str
    tasks: list[TaskView]
    concessions: list[ConcessionRecord]


# --- what a CSM sends -------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskReport:
    """Close an open task: by id, or by number (tools made for sequences send `touch`)."""

    task_id: str = ""
    number: int | None = None
    outcome: str = TASK_DONE
    note: str = ""


@dataclass(frozen=True)
class ConcessionRequest:
    concession: Concession
    requested_by: str  # handle; the account's owner when the request names nobody


@dataclass(frozen=True)
class ConcessionDecision:
    concession: int | None  # number; None: the one pending request
    approver: str
    decision: str  # APPROVED | REJECTED
    note: str = ""


@dataclass(frozen=True)
class OutcomeNotice:
    outcome: str  # SAVED | LOST
    reason: str = ""


# --- activities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantedConcession:
    """An approved concession as the store keeps it: what post-save monitoring checks."""

    kind: str
    size: str
    commitment: str
    sunset: str
    approved_by: str


@dataclass(frozen=True)
class SaveOutcomeRecord:
    """What a finished save writes to the store: the outcome and what later steps need
    (post-save monitoring: the concessions and commitments; a lost save's win-back: when,
    why and the root cause)."""

    workflow_id: str
    run_id: str  # the first run's id: one row per save
    account_id: str
    campaign_id: str
    outcome: str  # one of SAVE_OUTCOMES
    reason: str
    effort: str
    mode: str
    root_cause: str
    renewal_on: str  # ISO date
    started_at: datetime
    ended_at: datetime
    tasks_done: int
    tasks_total: int
    concessions: tuple[GrantedConcession, ...] = ()


@dataclass(frozen=True)
class SaveOutcomeReceipt:
    recorded: bool  # False: the store already had this save's outcome (the first one stands)
