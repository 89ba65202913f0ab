"""What a save shows a person: current details in the Temporal UI (the customer's time and
UTC), the status query's record, the result, and the task board's text.

Pure functions of the save's input and state, passed through the workflow sandbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from campaigns.intent import words
from campaigns.save_playbook import SaveTask
from contracts import ids
from contracts.saves import (
    STATE_AWAITING_OUTCOME,
    STATE_PAUSED,
    STATE_WORKING,
    TASK_DONE,
    SaveInput,
    SaveResult,
    SaveStatus,
)
from workflows.save_state import SaveState
from workflows.sequence_text import both_words, pause_end_words

# The open tasks the details name one by one; the rest are counted.
DETAILS_TASKS: Final = 3


def state_label(s: SaveState) -> str:
    if s.outcome is not None:
        return s.outcome
    if s.paused:
        return STATE_PAUSED
    return STATE_AWAITING_OUTCOME if s.all_closed() else STATE_WORKING


def details(inp: SaveInput, s: SaveState, outcome_due: datetime | None = None) -> str:
    tz = inp.account.timezone
    done = sum(1 for t in s.tasks if t.state == TASK_DONE)
    if s.outcome is not None:
        return f"ended: {s.outcome} ({s.outcome_reason}); {done}/{len(s.tasks)} tasks done"
    parts: list[str] = []
    if s.paused:
        until = f" until {pause_end_words(s.pause_until, tz)}" if s.pause_until else " until resumed"
        why = f" ({s.pause_reason})" if s.pause_reason else ""
        parts.append(f"paused{until}{why}")
    open_tasks = sorted(s.open_tasks(), key=lambda t: (t.due_utc is None, t.due_utc or 0, t.number))
    named = [
        f"{t.title} ({t.owner}) {'OVERDUE since' if t.overdue else 'due'} {both_words(t.due_utc, tz)}"
        for t in open_tasks[:DETAILS_TASKS]
        if t.due_utc is not None
    ]
    if open_tasks:
        more = len(open_tasks) - len(named)
        parts.append("open: " + "; ".join(named) + (f"; +{more} more" if more > 0 else ""))
    waiting = sum(1 for t in s.tasks if t.state == "pending")
    if waiting:
        parts.append(f"{waiting} task{'s' if waiting > 1 else ''} still to open")
    if s.all_closed():
        by = f" by {both_words(outcome_due, tz)}" if outcome_due is not None else ""
        parts.append(f"every task closed; record the renewal with mark_saved or mark_lost{by}")
    for c in s.pending():
        parts.append(f"concession {c.number} ({c.concession.words()}) waits for a {c.required_role} or above")
    parts.append(f"{done}/{len(s.tasks)} tasks done")
    if s.intents:
        parts.append(intents_words(s, tz))
    if s.last_refused:
        parts.append(s.last_refused)
    return "; ".join(parts)


def intents_words(s: SaveState, tz: str) -> str:
    """The cancel intents the save heard: how many, and the latest in the customer's time."""
    last = s.intents[-1]
    count = f"{len(s.intents)} cancel intents" if len(s.intents) > 1 else "cancel intent"
    return f"{count}, latest: {words(last.kind)} {both_words(last.occurred_at, tz)}"


def status(inp: SaveInput, s: SaveState, outcome_due: datetime | None = None) -> SaveStatus:
    d = inp.decision
    return SaveStatus(
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        state=state_label(s),
        effort=d.effort or "",
        mode=d.mode or "",
        value=d.value,
        renewal_on=inp.renewal_on,
        executive_escalation=d.executive_escalation,
        tasks=list(s.tasks),
        concessions=list(s.concessions),
        details=details(inp, s, outcome_due),
        paused=s.paused,
        pause_reason=s.pause_reason,
        pause_until=s.pause_until,
        outcome=s.outcome,
        outcome_reason=s.outcome_reason,
        refused=list(s.refused),
        intents=list(s.intents),
    )


def result(inp: SaveInput, s: SaveState) -> SaveResult:
    assert s.outcome is not None
    return SaveResult(
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        outcome=s.outcome,
        reason=s.outcome_reason,
        tasks=list(s.tasks),
        concessions=list(s.concessions),
    )


def task_subject(inp: SaveInput, task: SaveTask) -> str:
    return subject_for(inp.account.account_id, task.title)


def task_channel(kind: str) -> str:
    """A save task's channel on the board and in `winback tasks`: `save-issue`, ..."""
    return f"save-{kind}"


def subject_for(account_id: str, title: str) -> str:
    """A save task's subject on the board and in `winback tasks`."""
    return f"Save {account_id}: {title}"


def task_text(inp: SaveInput, task: SaveTask) -> str:
    """The task board's note: the save in one line, the task's notes, how to report it."""
    d = inp.decision
    head = (
        f"Save of {inp.account.company} ({inp.account.account_id}): renewal {inp.renewal_on}, "
        f"{d.effort} effort, {d.mode} mode, {len(d.flags)} red flag{'s' if len(d.flags) != 1 else ''}."
    )
    return f"{head}\n\n{task.notes}\n"


def report_back(inp: SaveInput, task: SaveTask) -> str:
    return report_back_for(inp.account.account_id, task.task_id)


def report_back_for(account_id: str, task_id: str) -> str:
    """How a save task is reported done: on the board and in `winback tasks` (the command, or the
    Update in the Temporal UI for whoever has no command line)."""
    workflow_id = ids.save_workflow_id(account_id)
    return (
        f"winback task done {account_id} --task {task_id} --outcome done|skipped, or in the Temporal "
        f'UI {workflow_id}\'s {ids.COMPLETE_TASK} Update with {{"task": "{task_id}", "outcome": "done"}}'
    )
