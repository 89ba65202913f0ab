"""What a save's follow-up shows a person about one of its tasks, on the task board and in
`winback tasks`: its channel, subject, due date in the customer's time, which outcomes it takes
and how to report it. One function each, shared by SaveFollowUpWorkflow and the command.

Pure functions, passed through the workflow sandbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from campaigns import calendar
from contracts import ids
from contracts.save_followup import DONE, RENEWAL_CHECK, RENEWAL_RESULTS, SKIPPED

# Every follow-up task's channel, on the owner's board and in `winback tasks`.
CHANNEL: Final = "save-followup"


def subject_for(account_id: str, title: str) -> str:
    """A follow-up task's subject on the board and in `winback tasks`."""
    return f"After the save of {account_id}: {title}"


def due_local(due_utc: datetime, timezone: str) -> str:
    """A task's due time in the customer's zone, ISO (as a sequence's `due_local`)."""
    return calendar.to_local(due_utc, timezone).isoformat()


def outcomes_for(task_id: str) -> tuple[str, ...]:
    """What a task takes as its outcome: the renewal check held or churned, the others done or
    skipped (the first is what a report without an outcome means, except for the check)."""
    return RENEWAL_RESULTS if task_id == RENEWAL_CHECK else (DONE, SKIPPED)


def report_back_for(account_id: str, task_id: str) -> str:
    """How a follow-up task is reported: on the board and in `winback tasks` (the command, or the
    Update in the Temporal UI for whoever has no command line)."""
    workflow_id = ids.save_follow_up_id(account_id)
    outcomes = outcomes_for(task_id)
    return (
        f"winback task done {account_id} --task {task_id} --outcome {'|'.join(outcomes)}, or in the "
        f"Temporal UI {workflow_id}'s {ids.COMPLETE_TASK} Update with "
        f'{{"task": "{task_id}", "outcome": "{outcomes[0]}"}}'
    )
