"""How a CSM steers a sequence: validated Updates for people, signals for machines, one query.

Each action exists twice under one name (docs/ARCHITECTURE.md, "The CSM's console"):
- an **Update** for the Temporal UI's "Send an Update" dialog and `temporal workflow update`:
  its validator reads the input strictly (contracts/actions.py) and checks it against the
  sequence's state, so a wrong date is refused in the dialog with what to type;
- a **signal** for the web service, scripts and older clients: an input it cannot read is
  recorded in the status and the current details as refused, never dropped in silence.

Both arrive as raw payloads (temporalio.common.RawValue) and are read by hand: the SDK's own
conversion would drop a bad signal with a line in the worker's log only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
    from contracts import actions, ids
    from contracts.actions import Zone
    from contracts.sequence import (
        DECLINED,
        REPLIED,
        ActionResult,
        DeclineNotice,
        NextAction,
        PauseRequest,
        ReplyNotice,
        RescheduleRequest,
        ResumeRequest,
        SequenceInput,
        SequenceStatus,
        SkipRequest,
        TaskCompletion,
    )
    from workflows import sequence_text as text
    from workflows.controls import NO_INPUT, Reading
    from workflows.sequence_state import SequenceState, whole_minutes

_T = TypeVar("_T")

# Sequences started before contracts/actions.py read a zoneless pause date as UTC and took a
# past one; their histories replay with that reading.
LOCAL_DATES_PATCH = "local-action-dates"



class SequenceControls(Reading):
    """Mixed into SequenceWorkflow, which provides the state and the publishing."""

    _inp: SequenceInput
    _s: SequenceState
    # Where the next action lands if the sequence were shifted by a pause of a given length;
    # None while a touch is being carried out.
    _project: Callable[[timedelta], NextAction] | None

    def _publish(self) -> None:
        raise NotImplementedError

    def _resume(self) -> None:
        raise NotImplementedError

    def _stop_with(self, outcome: str, reason: str) -> None:
        raise NotImplementedError

    # --- pause and resume ------------------------------------------------------------------

    @workflow.update(name=ids.PAUSE, description=ids.DESCRIPTIONS[ids.PAUSE])
    def pause_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._s.pause(self._check_pause(raw), at=workflow.now())
        self._project_after_pause()
        return self._accepted()

    @pause_update.validator
    def _validate_pause(self, raw: RawValue = NO_INPUT) -> None:
        self._check_pause(raw)

    def _check_pause(self, raw: RawValue) -> PauseRequest:
        return self._checked(
            lambda: actions.read_pause(self._value(raw), self._zone()), lambda _: self._s.pause_refused()
        )

    @workflow.signal(name=ids.PAUSE, description=ids.DESCRIPTIONS[ids.PAUSE])
    def pause(self, raw: RawValue = NO_INPUT) -> None:
        zone = self._zone() if workflow.patched(LOCAL_DATES_PATCH) else Zone("UTC", None)
        req = self._signalled(ids.PAUSE, lambda: actions.read_pause(self._value(raw), zone))
        if req is not None and self._s.pause(req, at=workflow.now()):
            self._project_after_pause()
            self._publish()

    @workflow.update(name=ids.RESUME, description=ids.DESCRIPTIONS[ids.RESUME])
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

    @workflow.signal(name=ids.RESUME, description=ids.DESCRIPTIONS[ids.RESUME])
    def resume(self, raw: RawValue = NO_INPUT) -> None:
        if self._signalled(ids.RESUME, lambda: actions.read_resume(self._value(raw))) is not None:
            self._resume()

    # --- the owner's task and touches ------------------------------------------------------

    @workflow.update(name=ids.COMPLETE_TASK, description=ids.DESCRIPTIONS[ids.COMPLETE_TASK])
    def complete_task_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._s.task_report_refused(self._check_task(raw))
        return self._accepted()

    @complete_task_update.validator
    def _validate_task(self, raw: RawValue = NO_INPUT) -> None:
        self._check_task(raw)

    def _check_task(self, raw: RawValue) -> TaskCompletion:
        return self._checked(lambda: actions.read_task_completion(self._value(raw)), self._s.task_check)

    @workflow.signal(name=ids.COMPLETE_TASK, description=ids.DESCRIPTIONS[ids.COMPLETE_TASK])
    def complete_task(self, raw: RawValue = NO_INPUT) -> None:
        req = self._signalled(ids.COMPLETE_TASK, lambda: actions.read_task_completion(self._value(raw)))
        if req is None:
            return
        refused = self._s.task_report_refused(req)
        if refused:
            # A report on a task that closed meanwhile (a stale screen): say so where it shows.
            self._s.refuse(workflow.now(), refused)
            self._publish()

    @workflow.update(name=ids.SKIP_TOUCH, description=ids.DESCRIPTIONS[ids.SKIP_TOUCH])
    def skip_touch_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._s.request_skip(self._check_skip(raw))
        return self._accepted()

    @skip_touch_update.validator
    def _validate_skip(self, raw: RawValue = NO_INPUT) -> None:
        self._check_skip(raw)

    def _check_skip(self, raw: RawValue) -> SkipRequest:
        total = len(self._inp.plan.touches)
        return self._checked(
            lambda: actions.read_skip(self._value(raw)), lambda req: self._s.skip_refused(req, total)
        )

    @workflow.signal(name=ids.SKIP_TOUCH, description=ids.DESCRIPTIONS[ids.SKIP_TOUCH])
    def skip_touch(self, raw: RawValue = NO_INPUT) -> None:
        req = self._signalled(ids.SKIP_TOUCH, lambda: actions.read_skip(self._value(raw)))
        if req is not None:
            self._s.request_skip(req)

    @workflow.update(name=ids.RESCHEDULE, description=ids.DESCRIPTIONS[ids.RESCHEDULE])
    async def reschedule_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        s = self._s
        s.request_reschedule(self._check_reschedule(raw))
        s.accepted()
        # Answer with where the touch went: the touch loop takes the move on its next turn.
        await workflow.wait_condition(lambda: s.reschedule is None or s.outcome is not None)
        return self._result()

    @reschedule_update.validator
    def _validate_reschedule(self, raw: RawValue = NO_INPUT) -> None:
        self._check_reschedule(raw)

    def _check_reschedule(self, raw: RawValue) -> RescheduleRequest:
        return self._checked(
            lambda: actions.read_reschedule(self._value(raw), self._zone()), self._s.reschedule_refused
        )

    # --- the contact answered --------------------------------------------------------------

    @workflow.update(name=ids.MARK_REPLIED, description=ids.DESCRIPTIONS[ids.MARK_REPLIED])
    def mark_replied_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._stop_with(REPLIED, self._check_replied(raw).note or "the contact replied")
        return self._result()

    @mark_replied_update.validator
    def _validate_replied(self, raw: RawValue = NO_INPUT) -> None:
        self._check_replied(raw)

    def _check_replied(self, raw: RawValue) -> ReplyNotice:
        return self._checked(
            lambda: actions.read_reply(self._value(raw)), lambda _: self._s.stop_refused(ids.MARK_REPLIED)
        )

    @workflow.signal(name=ids.MARK_REPLIED, description=ids.DESCRIPTIONS[ids.MARK_REPLIED])
    def mark_replied(self, raw: RawValue = NO_INPUT) -> None:
        req = self._signalled(ids.MARK_REPLIED, lambda: actions.read_reply(self._value(raw)))
        # An unreadable note still means the contact replied: stop all the same.
        self._stop_with(REPLIED, (req.note if req else "") or "the contact replied")

    @workflow.update(name=ids.MARK_DECLINED, description=ids.DESCRIPTIONS[ids.MARK_DECLINED])
    def mark_declined_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._stop_with(DECLINED, self._check_declined(raw).reason or "declined")
        return self._result()

    @mark_declined_update.validator
    def _validate_declined(self, raw: RawValue = NO_INPUT) -> None:
        self._check_declined(raw)

    def _check_declined(self, raw: RawValue) -> DeclineNotice:
        return self._checked(
            lambda: actions.read_decline(self._value(raw)), lambda _: self._s.stop_refused(ids.MARK_DECLINED)
        )

    @workflow.signal(name=ids.MARK_DECLINED, description=ids.DESCRIPTIONS[ids.MARK_DECLINED])
    def mark_declined(self, raw: RawValue = NO_INPUT) -> None:
        req = self._signalled(ids.MARK_DECLINED, lambda: actions.read_decline(self._value(raw)))
        self._stop_with(DECLINED, (req.reason if req else "") or "declined")

    @workflow.signal(name=ids.STOP, description=ids.DESCRIPTIONS[ids.STOP])
    def stop(self, raw: RawValue = NO_INPUT) -> None:
        req = self._signalled(ids.STOP, lambda: actions.read_stop(self._value(raw)))
        if req is not None:
            self._stop_with(req.outcome, req.reason or req.outcome)

    @workflow.query(name=ids.STATUS, description=ids.DESCRIPTIONS[ids.STATUS])
    def status(self) -> SequenceStatus:
        return text.status(self._inp, self._s)

    # --- reading ---------------------------------------------------------------------------

    def _project_after_pause(self) -> None:
        """Current details while paused say where the next action lands when it ends."""
        s = self._s
        if self._project is None or s.pause_until is None or s.paused_since is None:
            s.after_pause = None
            return
        s.after_pause = self._project(whole_minutes(max(s.pause_until - s.paused_since, timedelta(0))))

    def _accepted(self) -> ActionResult:
        self._s.accepted()
        self._publish()
        return self._result()

    def _result(self) -> ActionResult:
        s = self._s
        return ActionResult(
            state=text.state_label(s),
            details=text.details(
                s, len(self._inp.plan.touches), self._inp.account.timezone, self._inp.trigger
            ),
        )
