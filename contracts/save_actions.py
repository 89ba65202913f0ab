"""What a CSM types into the Temporal UI's "Send an Update" dialog for a save or its follow-up,
read strictly.

As for sequences (contracts/actions.py, whose pause and resume readers a save reuses): every
input is read by hand, and a mistake is refused with one line that names the field and shows
what to type. The concession rules themselves live in campaigns/concessions.py.

Pure: the save's update validators and handlers call these.
"""

from __future__ import annotations

from typing import Final

from campaigns.concessions import ConcessionError, check_concession
from contracts import ids
from contracts.actions import Reader
from contracts.save_followup import DONE, FollowUpReport
from contracts.saves import (
    DECISIONS,
    LOST,
    SAVED,
    TASK_REPORTS,
    ConcessionDecision,
    ConcessionRequest,
    OutcomeNotice,
    TaskReport,
)

EXAMPLES: Final = {
    ids.COMPLETE_TASK: '{"task": "issue-1", "outcome": "done", "note": "fix shipped"}',
    ids.REQUEST_CONCESSION: (
        '{"kind": "discount", "size": "20 %", "commitment": "2-year renewal by 30 April", '
        '"sunset": "year 1 only", "rationale": "keeps 86,000 ARR", "alternatives": ["payment terms"]}'
    ),
    ids.DECIDE_CONCESSION: '{"concession": 1, "approver": "erik.holm", "decision": "approve"}',
    ids.MARK_SAVED: '{"reason": "signed a 2-year renewal"}',
    ids.MARK_LOST: '{"reason": "moved to Brightloop for price"}',
}
# The follow-up after a save (workflows/save_followup.py) names its tasks by id only.
FOLLOW_UP_EXAMPLES: Final = {
    ids.COMPLETE_TASK: '{"task": "health-1", "outcome": "done", "note": "usage steady"}',
}


def read_task_report(value: object) -> TaskReport:
    action = ids.COMPLETE_TASK
    f = _fields(value, action, ("task", "touch", "outcome", "note"))
    task = f.get("task", f.get("touch"))
    task_id, number = "", None
    if isinstance(task, str) and task.strip():
        task_id = task.strip()
    elif isinstance(task, int) and not isinstance(task, bool) and task >= 1:
        number = task
    else:
        raise _refused(action, '"task" is required: the task\'s id such as "issue-1", or its number', task)
    outcome = f.get("outcome", "done")
    if outcome == "no_answer":
        outcome = "done"  # a call nobody answered was still made (the sequences' task tools send it)
    if outcome not in TASK_REPORTS:
        raise _refused(action, f'"outcome" must be one of {", ".join(TASK_REPORTS)}', outcome)
    return TaskReport(task_id=task_id, number=number, outcome=outcome, note=_text(f, action, "note"))


def read_concession_request(value: object, *, root_cause: str, owner: str) -> ConcessionRequest:
    action = ids.REQUEST_CONCESSION
    names = ("kind", "size", "commitment", "sunset", "rationale", "alternatives", "override_reason")
    f = _fields(value, action, (*names, "requested_by"))
    size = f.get("size")
    if isinstance(size, int | float) and not isinstance(size, bool):
        size = f"{size:g} %"  # a bare number is a discount's percentage
    alternatives = f.get("alternatives")
    if isinstance(alternatives, str):
        alternatives = [alternatives]
    if alternatives is not None and (
        not isinstance(alternatives, list) or not all(isinstance(a, str) for a in alternatives)
    ):
        raise _refused(action, '"alternatives" must be a list of texts', alternatives)
    try:
        concession = check_concession(
            kind=_text(f, action, "kind"),
            size=_text({"size": size}, action, "size"),
            commitment=_text(f, action, "commitment"),
            sunset=_text(f, action, "sunset"),
            rationale=_text(f, action, "rationale"),
            alternatives=[" ".join(a.split())[:500] for a in alternatives or ()],
            override_reason=_text(f, action, "override_reason"),
            root_cause=root_cause,
        )
    except ConcessionError as err:
        raise _refused(action, str(err)) from None
    who = _text(f, action, "requested_by").lower() or owner
    return ConcessionRequest(concession=concession, requested_by=who)


def read_decision(value: object) -> ConcessionDecision:
    action = ids.DECIDE_CONCESSION
    f = _fields(value, action, ("concession", "approver", "decision", "note"))
    number = f.get("concession")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
        raise _refused(action, '"concession" must be the request\'s number (1, 2, ...) or null', number)
    approver = _text(f, action, "approver").lower()
    if not approver:
        raise _refused(action, '"approver" is required: the handle of who decides, as in the approvers file')
    decision = f.get("decision")
    if decision not in DECISIONS:
        raise _refused(action, '"decision" must be approve or reject', decision)
    return ConcessionDecision(
        concession=number, approver=approver, decision=DECISIONS[decision], note=_text(f, action, "note")
    )


def read_outcome(value: object, outcome: str) -> OutcomeNotice:
    action = ids.MARK_SAVED if outcome == SAVED else ids.MARK_LOST
    f = _fields(value, action, ("reason",))
    reason = _text(f, action, "reason")
    if outcome == LOST and not reason:
        raise _refused(action, '"reason" is required: why they are leaving, for the win-back that follows')
    return OutcomeNotice(outcome=outcome, reason=reason)


def read_follow_up_report(value: object) -> FollowUpReport:
    """A follow-up task's report; which outcomes a task takes is the follow-up's to check (the
    renewal check held or churned, the others done or skipped)."""
    action, read = ids.COMPLETE_TASK, _FOLLOW_UP
    f = read.fields(value, action, ("task", "outcome", "note"))
    task = f.get("task")
    if not isinstance(task, str) or not task.strip():
        raise read.refused(action, '"task" is required: the task\'s id such as "health-1"', task)
    outcome = f.get("outcome", DONE)
    if not isinstance(outcome, str):
        raise read.refused(action, '"outcome" must be text in quotes', outcome)
    return FollowUpReport(task_id=task.strip(), outcome=outcome.strip(), note=read.text(f, action, "note"))


# --- pieces: the sequence's reader with this family's examples ---------------------------------

_READ: Final = Reader(EXAMPLES)
_fields = _READ.fields
_text = _READ.text
_refused = _READ.refused
_FOLLOW_UP: Final = Reader(FOLLOW_UP_EXAMPLES)
