"""How a CSM steers a save: validated Updates for people, a few signals for machines, one query.

As for sequences (workflows/sequence_controls.py, docs/ARCHITECTURE.md "The CSM's console"):
every input arrives raw and is read by hand (contracts/save_actions.py, and contracts/actions.py
for pause and resume); a validator runs the reader and the state check and refuses with one line
(ApplicationError type ids.REFUSED_ERROR); the handler runs the same path again, because a
replayed history skips validators. Concession requests and decisions, and the outcome, are
Updates only: a person decides them and must see a refusal. complete_task, pause and resume are
also signals (task boards and scripts send them; the simulator's board reports tasks that way).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
    from contracts import actions, ids, save_actions
    from contracts.saves import (
        LOST,
        SAVED,
        ConcessionDecision,
        ConcessionRequest,
        OutcomeNotice,
        SaveInput,
        SaveStatus,
        TaskReport,
    )
    from contracts.sequence import ActionResult, PauseRequest, ResumeRequest
    from workflows import save_text as text
    from workflows.controls import NO_INPUT, Reading
    from workflows.save_state import SaveState

_T = TypeVar("_T")
D = ids.SAVE_DESCRIPTIONS


class SaveControls(Reading):
    """Mixed into SaveWorkflow, which provides the state and the publishing."""

    _inp: SaveInput
    _s: SaveState
    _outcome_due: datetime | None  # when the save stops waiting for saved or lost

    def _publish(self) -> None:
        raise NotImplementedError

    def _show(self) -> None:
        raise NotImplementedError

    def _stop_with(self, outcome: str, reason: str) -> None:
        raise NotImplementedError

    # --- tasks -------------------------------------------------------------------------------

    @workflow.update(name=ids.COMPLETE_TASK, description=D[ids.COMPLETE_TASK])
    def complete_task_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._s.close(self._check_task(raw), workflow.now())
        return self._accepted()

    @complete_task_update.validator
    def _validate_task(self, raw: RawValue = NO_INPUT) -> None:
        self._check_task(raw)

    def _check_task(self, raw: RawValue) -> TaskReport:
        return self._checked(lambda: save_actions.read_task_report(self._value(raw)), self._s.task_refused)

    @workflow.signal(name=ids.COMPLETE_TASK, description=D[ids.COMPLETE_TASK])
    def complete_task(self, raw: RawValue = NO_INPUT) -> None:
        report = self._signalled(ids.COMPLETE_TASK, lambda: save_actions.read_task_report(self._value(raw)))
        if report is None:
            return
        refused = self._s.task_refused(report)
        if refused:
            self._s.refuse(workflow.now(), refused)
        else:
            self._s.close(report, workflow.now())
        self._publish()

    # --- concessions -------------------------------------------------------------------------

    @workflow.update(name=ids.REQUEST_CONCESSION, description=D[ids.REQUEST_CONCESSION])
    def request_concession(self, raw: RawValue = NO_INPUT) -> ActionResult:
        req = self._check_request(raw)
        self._s.request(req, at=workflow.now(), role=self._roles().get(req.requested_by, ""))
        return self._accepted()

    @request_concession.validator
    def _validate_request(self, raw: RawValue = NO_INPUT) -> None:
        self._check_request(raw)

    def _check_request(self, raw: RawValue) -> ConcessionRequest:
        acc = self._inp.account
        return self._checked(
            lambda: save_actions.read_concession_request(
                self._value(raw), root_cause=self._inp.root_cause, owner=acc.owner_handle
            ),
            lambda _: self._s.request_refused(),
        )

    @workflow.update(name=ids.DECIDE_CONCESSION, description=D[ids.DECIDE_CONCESSION])
    def decide_concession(self, raw: RawValue = NO_INPUT) -> ActionResult:
        dec = self._check_decision(raw)
        self._s.decide(dec, at=workflow.now(), role=self._roles()[dec.approver])
        return self._accepted()

    @decide_concession.validator
    def _validate_decision(self, raw: RawValue = NO_INPUT) -> None:
        self._check_decision(raw)

    def _check_decision(self, raw: RawValue) -> ConcessionDecision:
        return self._checked(
            lambda: save_actions.read_decision(self._value(raw)),
            lambda dec: self._s.decision_refused(dec, self._roles()),
        )

    # --- pause and resume --------------------------------------------------------------------

    @workflow.update(name=ids.PAUSE, description=D[ids.PAUSE])
    def pause_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._s.pause(self._check_pause(raw))
        return self._accepted()

    @pause_update.validator
    def _validate_pause(self, raw: RawValue = NO_INPUT) -> None:
        self._check_pause(raw)

    def _check_pause(self, raw: RawValue) -> PauseRequest:
        return self._checked(
            lambda: actions.read_pause(self._value(raw), self._zone()), lambda _: self._s.pause_refused()
        )

    @workflow.signal(name=ids.PAUSE, description=D[ids.PAUSE])
    def pause(self, raw: RawValue = NO_INPUT) -> None:
        req = self._signalled(ids.PAUSE, lambda: actions.read_pause(self._value(raw), self._zone()))
        if req is not None and self._s.pause(req):
            self._publish()

    @workflow.update(name=ids.RESUME, description=D[ids.RESUME])
    def resume_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._check_resume(raw)
        self._s.resume()
        return self._accepted()

    @resume_update.validator
    def _validate_resume(self, raw: RawValue = NO_INPUT) -> None:
        self._check_resume(raw)

    def _check_resume(self, raw: RawValue) -> ResumeRequest:
        return self._checked(
            lambda: actions.read_resume(self._value(raw)), lambda _: self._s.resume_refused()
        )

    @workflow.signal(name=ids.RESUME, description=D[ids.RESUME])
    def resume(self, raw: RawValue = NO_INPUT) -> None:
        read = self._signalled(ids.RESUME, lambda: actions.read_resume(self._value(raw)))
        if read is not None and self._s.resume():
            self._publish()

    # --- the outcome -------------------------------------------------------------------------

    @workflow.update(name=ids.MARK_SAVED, description=D[ids.MARK_SAVED])
    def mark_saved(self, raw: RawValue = NO_INPUT) -> ActionResult:
        notice = self._check_outcome(raw, SAVED)
        self._stop_with(SAVED, notice.reason or "renewed")
        return self._result()

    @mark_saved.validator
    def _validate_saved(self, raw: RawValue = NO_INPUT) -> None:
        self._check_outcome(raw, SAVED)

    @workflow.update(name=ids.MARK_LOST, description=D[ids.MARK_LOST])
    def mark_lost(self, raw: RawValue = NO_INPUT) -> ActionResult:
        notice = self._check_outcome(raw, LOST)
        self._stop_with(LOST, notice.reason)
        return self._result()

    @mark_lost.validator
    def _validate_lost(self, raw: RawValue = NO_INPUT) -> None:
        self._check_outcome(raw, LOST)

    def _check_outcome(self, raw: RawValue, outcome: str) -> OutcomeNotice:
        action = ids.MARK_SAVED if outcome == SAVED else ids.MARK_LOST
        return self._checked(
            lambda: save_actions.read_outcome(self._value(raw), outcome),
            lambda _: self._s.outcome_refused(action),
        )

    @workflow.query(name=ids.STATUS, description=D[ids.STATUS])
    def status(self) -> SaveStatus:
        return text.status(self._inp, self._s, self._outcome_due)

    # --- reading -----------------------------------------------------------------------------

    def _roles(self) -> dict[str, str]:
        return {a.handle: a.role for a in self._inp.approvers}

    def _accepted(self) -> ActionResult:
        self._s.accepted()
        self._publish()
        return self._result()

    def _result(self) -> ActionResult:
        return ActionResult(
            state=text.state_label(self._s), details=text.details(self._inp, self._s, self._outcome_due)
        )
