"""Names Temporal knows Winback's workflows by: task queue, workflow types, ids, messages.

Ids carry account and campaign ids only, never a person's name or address.
"""

from __future__ import annotations

import re
from typing import Final

from campaigns.accounts import RESERVED_ACCOUNT_ID_PREFIX

# The default task queue; WINBACK_TASK_QUEUE overrides it per deployment.
TASK_QUEUE: Final = "winback"

SEQUENCE_WORKFLOW: Final = "SequenceWorkflow"
LAUNCH_WORKFLOW: Final = "LaunchWorkflow"
WATCH_WORKFLOW: Final = "WatchWorkflow"
RECONCILE_WORKFLOW: Final = "ReconcileWorkflow"

SEQUENCE_ID_PREFIX: Final = "winback-"
# "winback-launch-": no account id may start with the reserved part, so the two never meet.
LAUNCH_ID_PREFIX: Final = f"{SEQUENCE_ID_PREFIX}{RESERVED_ACCOUNT_ID_PREFIX}"

# The sequence's signals and query, by the names the Temporal UI lists.
PAUSE: Final = "pause"
RESUME: Final = "resume"
COMPLETE_TASK: Final = "complete_task"
MARK_REPLIED: Final = "mark_replied"
MARK_DECLINED: Final = "mark_declined"
SKIP_TOUCH: Final = "skip_touch"
RESCHEDULE: Final = "reschedule"
STOP: Final = "stop"
STATUS: Final = "status"
# What the Temporal UI shows beside each name (its "Send an Update" and "Send a Signal" dialogs
# list them): what it does and the JSON it takes. A date or a time without an offset is the
# customer's, in their time zone (contracts/actions.py).
DESCRIPTIONS: Final = {
    PAUSE: 'Pause the sequence. Payload: {"until": "2026-12-15" (the start of that day where the '
    'customer is) or "2026-12-15T09:00" or null for until resumed, "reason": text}. '
    "The remaining touches shift by the pause; a reply meanwhile still ends it.",
    RESUME: 'Resume a paused sequence. Payload: {} or {"note": text}.',
    COMPLETE_TASK: 'Report the open manual task. Payload: {"outcome": "done|skipped|no_answer", '
    '"note": text, "touch": number or null}.',
    MARK_REPLIED: 'The contact replied: stop the sequence. Payload: {"note": text}.',
    MARK_DECLINED: 'The contact declined: stop and record why. Payload: {"reason": text}.',
    SKIP_TOUCH: 'Skip a touch. Payload: {"touch": number or null for the next one, "note": text}.',
    RESCHEDULE: 'Move the next touch. Payload: {"at": "2026-12-17" or "2026-12-17T14:00" (the '
    'customer\'s time), "touch": number or null, "reason": text}. It goes at the first moment the '
    "send-time rules allow from then; later touches follow it.",
    STOP: "The contact may not be emailed any more, or the account is out of reach: stop. "
    'Payload: {"outcome": "unsubscribed|bounced|disqualified", "reason": text}.',
    STATUS: "Where the sequence stands: touches done, next action, outcome.",
}

# The error type an activity raises when the address or account may not be contacted now
# (an unsubscribe or a bounce that arrived after the touch was scheduled); its first detail
# is the outcome the sequence ends with.
SUPPRESSED_ERROR: Final = "Suppressed"

# The error type of an action a sequence refuses (contracts/actions.py): its message is what the
# CSM reads in the UI's dialog, so it stays readable where other failures are encrypted.
REFUSED_ERROR: Final = "ActionRefused"

# The launch's query.
PROGRESS: Final = "progress"

# The memo key that ties a sequence to the launch that started it: after a crash between
# starting a workflow and writing that down, the retried batch recognises its own start.
LAUNCH_MEMO: Final = "winback_launch"
# Memo key under which a running sequence shows its open manual task (an OpenTask), so
# `winback tasks` reads every open task from one visibility list. Absent when no task is open,
# and on sequences that opened their tasks before the memo existed.
OPEN_TASK_MEMO: Final = "winback_open_task"


def workflow_id_for(account_id: str) -> str:
    """One running sequence per account: Temporal's id conflict policy enforces it."""
    return f"{SEQUENCE_ID_PREFIX}{account_id}"


# "winback-launch-watch:": under the reserved prefix no account id takes, with a ':' no
# campaign id has, so a watcher's runs never meet a sequence or a launch.
WATCH_ID_PREFIX: Final = f"{LAUNCH_ID_PREFIX}watch:"
SOURCE_ID_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def watch_schedule_id(source_id: str) -> str:
    """The Temporal Schedule that polls one source; its runs' ids start with the same text."""
    return f"{WATCH_ID_PREFIX}{source_id}"


def launch_workflow_id(campaign_id: str) -> str:
    """One launch at a time per campaign; a finished one can be run again under the same id."""
    return f"{LAUNCH_ID_PREFIX}{campaign_id}"


# The reconciler's Schedule: one per deployment (a task queue and its store), since it records
# only the sequences of its own queue. The default queue's is plainly "winback-reconcile". Its
# runs' ids add the firing time ("...-2026-11-30T10:05:00Z"), whose ':' no account id has.
RECONCILE_SCHEDULE_ID: Final = f"{SEQUENCE_ID_PREFIX}reconcile"


def reconcile_schedule_id(task_queue: str) -> str:
    if task_queue == TASK_QUEUE:
        return RECONCILE_SCHEDULE_ID
    return f"{RECONCILE_SCHEDULE_ID}:{task_queue}"


# --- saves (issue 12) -------------------------------------------------------------------------

SAVE_WORKFLOW: Final = "SaveWorkflow"
# "save-ACC-1001": a prefix no sequence or launch id has ("winback-..."), so a save and the
# account's win-back sequence never meet under one id.
SAVE_ID_PREFIX: Final = "save-"
# The save's own Updates; pause, resume, complete_task and status keep the sequence's names.
REQUEST_CONCESSION: Final = "request_concession"
DECIDE_CONCESSION: Final = "decide_concession"
MARK_SAVED: Final = "mark_saved"
MARK_LOST: Final = "mark_lost"
SAVE_DESCRIPTIONS: Final = {
    PAUSE: 'Pause the save. Payload: {"until": "2026-12-15" (the start of that day where the customer '
    'is) or "2026-12-15T09:00" or null for until resumed, "reason": text}. No task opens meanwhile, '
    "and the open tasks' deadlines move by the pause.",
    RESUME: 'Resume a paused save. Payload: {} or {"note": text}.',
    COMPLETE_TASK: 'Close one of the save\'s open tasks. Payload: {"task": "issue-1" or its number, '
    '"outcome": "done|skipped", "note": text}.',
    REQUEST_CONCESSION: 'Ask for a concession. Payload: {"kind": "discount|payment_terms|reduced_scope|'
    'shorter_term|performance_guarantee|pause|service", "size": "20 %", "commitment": text, '
    '"sunset": "year 1 only", "rationale": text, "alternatives": [text, ...], "override_reason": text '
    '(a discount when the root cause is product_fit or service), "requested_by": handle}.',
    DECIDE_CONCESSION: 'Approve or reject a concession. Payload: {"concession": number, "approver": '
    'handle, "decision": "approve|reject", "note": text}. The approver must be in the approvers file '
    "with the role the concession needs.",
    MARK_SAVED: 'The customer renewed: end the save. Payload: {"reason": text}.',
    MARK_LOST: 'The customer is leaving: end the save. Payload: {"reason": text (required)}.',
    STATUS: "Where the save stands: tasks, concessions and their approvals, outcome.",
}


def save_workflow_id(account_id: str) -> str:
    """One running save per account: Temporal's id conflict policy enforces it."""
    return f"{SAVE_ID_PREFIX}{account_id}"


# After a save's outcome (issue 12, part 3): monitoring a saved account, or a lost one's exit
# and win-back stages. Its own id, so a save of the next renewal can run beside it.
SAVE_FOLLOW_UP_WORKFLOW: Final = "SaveFollowUpWorkflow"
SAVE_FOLLOW_UP_ID_PREFIX: Final = "save-followup-"
SAVE_FOLLOW_UP_DESCRIPTIONS: Final = {
    COMPLETE_TASK: 'Close a follow-up task. Payload: {"task": "promise-issue-1", "outcome": '
    '"done|skipped", "note": text}; the renewal check takes "held" or "churned".',
    STATUS: "Where the follow-up stands: its tasks and the win-back stages started or refused.",
}


def save_follow_up_id(account_id: str) -> str:
    """One follow-up per account; ids carry the account id only."""
    return f"{SAVE_FOLLOW_UP_ID_PREFIX}{account_id}"
