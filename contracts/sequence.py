"""Every payload the sequence workflow and its activities exchange: one dataclass each way.

These are part of workflow histories: add fields only with defaults, never rename or remove.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from campaigns.model import CANCELLED as CANCELLED
from campaigns.model import COMPLETED_NO_REPLY as COMPLETED_NO_REPLY
from campaigns.model import DECLINED as DECLINED
from campaigns.model import REPLIED as REPLIED
from campaigns.model import (
    AccountRef,
    Contacts,
    CoolOff,
    Offer,
    Schedule,
    Sender,
    SequencePlan,
)
from campaigns.model import (
    TriggerEvidence as TriggerEvidence,
)

# Outcomes a sequence ends with (campaigns.outcomes), re-exported for the workflow and its
# activities.
from campaigns.outcomes import BOUNCED as BOUNCED
from campaigns.outcomes import DISQUALIFIED as DISQUALIFIED
from campaigns.outcomes import UNSUBSCRIBED as UNSUBSCRIBED

# Values of the WinbackState search attribute while a sequence runs.
STATE_SCHEDULED = "scheduled"
STATE_WAITING = "waiting"
STATE_PAUSED = "paused"
STATE_TASK_OPEN = "task_open"

TASK_OUTCOMES = ("done", "skipped", "no_answer")
# What ends a sequence from outside (the `stop` signal): the contact may not be emailed any
# more, or a story showed the account is out of reach.
STOP_OUTCOMES = (UNSUBSCRIBED, BOUNCED, DISQUALIFIED)


@dataclass(frozen=True)
class SequenceInput:
    account: AccountRef
    contacts: Contacts
    plan: SequencePlan
    campaign_id: str
    schedule: Schedule
    sender: Sender
    offer: Offer | None = None
    trigger: TriggerEvidence | None = None
    # The sequence's first touch waits for this moment (a launch that starts later).
    start_at: datetime | None = None
    # How long a decline or a sequence with no reply keeps the account from the next one.
    cool_off: CoolOff = CoolOff()


@dataclass
class TouchRecord:
    number: int
    channel: str
    template: str
    # "sent", "task_done", "task_skipped", "task_no_answer", "task_expired", "skipped", "failed"
    status: str
    at_utc: datetime
    at_local: str  # ISO 8601 with the recipient's offset
    deferred: list[str] = field(default_factory=list)
    message_id: str = ""
    note: str = ""
    # The locale of the template that wrote the touch (after fallback); "" before translations
    # existed and for touches that wrote nothing (skipped, a failed render).
    locale: str = ""


@dataclass
class OpenTask:
    touch: int
    channel: str
    template: str
    assigned_utc: datetime
    due_utc: datetime
    due_local: str
    subject: str = ""
    text: str = ""  # the prepared message or call script


@dataclass
class NextAction:
    touch: int
    description: str
    at_utc: datetime
    at_local: str
    deferred: list[str] = field(default_factory=list)  # why it is not sooner


@dataclass
class SequenceStatus:
    account_id: str
    campaign_id: str
    playbook_id: str
    tier: str
    owner_handle: str
    state: str
    current_touch: int
    total_touches: int
    touches: list[TouchRecord]
    details: str
    next_action: NextAction | None = None
    open_task: OpenTask | None = None
    paused: bool = False
    pause_reason: str = ""
    pause_until: datetime | None = None
    outcome: str | None = None
    outcome_reason: str = ""
    trigger: TriggerEvidence | None = None  # why a signal watcher started it
    pause_until_local: str = ""  # ISO 8601 with the recipient's offset; "" when not paused until a time
    # Signals whose input could not be read, newest last: "2026-12-01 10:15 UTC pause refused: ..."
    refused: list[str] = field(default_factory=list)


@dataclass
class SequenceResult:
    account_id: str
    campaign_id: str
    outcome: str
    reason: str
    touches: list[TouchRecord]


# --- messages a CSM or a watcher sends ---------------------------------------------------


@dataclass(frozen=True)
class PauseRequest:
    until: datetime | None = None  # resume on its own then; None = until resumed
    reason: str = ""


@dataclass(frozen=True)
class ResumeRequest:
    note: str = ""


@dataclass(frozen=True)
class TaskCompletion:
    outcome: str = "done"  # done | skipped | no_answer
    note: str = ""
    touch: int | None = None  # guards against completing a newer task from a stale screen


@dataclass(frozen=True)
class ReplyNotice:
    note: str = ""


@dataclass(frozen=True)
class DeclineNotice:
    reason: str = ""


@dataclass(frozen=True)
class StopNotice:
    outcome: str = ""  # one of STOP_OUTCOMES
    reason: str = ""  # e.g. "unsubscribed by one-click link"; never an address


@dataclass(frozen=True)
class SkipRequest:
    touch: int | None = None  # None = the touch being waited for now
    note: str = ""


@dataclass(frozen=True)
class RescheduleRequest:
    """Move the touch being waited for: it goes at the first moment the send-time rules allow
    at or after `at`; later touches count from it as usual."""

    at: datetime
    touch: int | None = None  # guards against moving a newer touch from a stale screen
    reason: str = ""


@dataclass(frozen=True)
class ActionResult:
    """What an update answers in the UI: the sequence's state and current details after it."""

    state: str
    details: str


# --- activities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderRequest:
    template: str
    locale: str
    channel: str
    touch: int
    total_touches: int
    account: AccountRef
    contacts: Contacts
    sender: Sender
    campaign_id: str
    offer: Offer | None = None
    offer_expires_on: str | None = None  # ISO date, fixed when the sequence started
    trigger: TriggerEvidence | None = None


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    unsubscribe_url: str
    template_path: str
    reply_to: str = ""  # the sequence's signed reply address; "" when none is configured
    locale: str = ""  # the locale of the template used (campaigns/locales.py, after fallback)


@dataclass(frozen=True)
class SendRequest:
    # Unique per (sequence run, touch): a retried activity finds its own message and stops.
    key: str
    account_id: str
    campaign_id: str
    touch: int
    to_name: str
    to_email: str
    sender: Sender
    subject: str
    body: str
    unsubscribe_url: str
    thread_root_id: str = ""  # Message-ID of touch 1: later touches reply in its thread
    reply_to: str = ""  # Reply-To: the signed address that leads a reply to this sequence


@dataclass(frozen=True)
class SendResult:
    message_id: str
    already_sent: bool = False


@dataclass(frozen=True)
class TaskAssignment:
    key: str
    workflow_id: str
    account_id: str
    company: str
    campaign_id: str
    owner: str
    touch: int
    channel: str
    template: str
    due_utc: datetime
    due_local: str
    subject: str
    text: str
    # How the owner reports it done; "" for a sequence's task (`winback task done`). A save's
    # tasks are closed by an Update on the save (workflows/save_text.py `report_back`).
    report_back: str = ""


@dataclass(frozen=True)
class TaskReceipt:
    location: str


@dataclass(frozen=True)
class OutcomeRecord:
    """What a finished sequence writes to the store: its outcome and, from that, the
    preference that keeps the account quiet (declined, ghosted) until a date."""

    workflow_id: str
    run_id: str  # the first run's id: one row per sequence, whatever continued as new
    account_id: str
    campaign_id: str
    playbook_id: str
    outcome: str  # REPLIED | DECLINED | COMPLETED_NO_REPLY | CANCELLED
    reason: str
    contact_email: str  # the primary contact, whom a preference is about
    started_at: datetime
    ended_at: datetime
    touches_done: int
    cool_off: CoolOff = CoolOff()


@dataclass(frozen=True)
class OutcomeReceipt:
    preference_until: str | None = None  # ISO date, when the outcome set a cool-off
