"""SequenceWorkflow: one account's outreach sequence, durable for weeks.

Deterministic only: time comes from workflow.now(), the calendar is pure, every side effect
is an activity. A CSM steers it with described signals (pause, resume, complete_task,
mark_replied, mark_declined, skip_touch) and reads it with the `status` query; cancelling it
from the UI ends it gracefully with outcome `cancelled`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.sequence import SequenceActivities
    from campaigns import calendar
    from campaigns.model import MANUAL_CHANNELS, PlannedTouch
    from contracts import ids
    from contracts import search_attributes as sa
    from contracts.sequence import (
        CANCELLED,
        COMPLETED_NO_REPLY,
        DECLINED,
        REPLIED,
        STATE_PAUSED,
        STATE_TASK_OPEN,
        STATE_WAITING,
        STOP_OUTCOMES,
        DeclineNotice,
        OpenTask,
        PauseRequest,
        RenderedMessage,
        ReplyNotice,
        ResumeRequest,
        SendResult,
        SequenceInput,
        SequenceResult,
        SequenceStatus,
        SkipRequest,
        StopNotice,
        TaskCompletion,
        TaskReceipt,
    )
    from workflows import policies
    from workflows import sequence_requests as requests
    from workflows import sequence_text as text
    from workflows.sequence_state import SequenceState as _State


_In = TypeVar("_In")
_Out = TypeVar("_Out")


class _Stop(Exception):
    """Raised inside the touch loop when a reply or decline ends the sequence."""


@workflow.defn(name=ids.SEQUENCE_WORKFLOW)
class SequenceWorkflow:
    @workflow.init
    def __init__(self, inp: SequenceInput) -> None:
        self._inp = inp
        self._s = _State(tz=inp.account.timezone)
        self._published_state: str | None = None
        # The open task as the memo shows it (a copy), None when the memo shows none.
        self._published_task: OpenTask | None = None

    # --- run -----------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: SequenceInput) -> SequenceResult:
        self._publish()
        touches = inp.plan.touches
        try:
            # Whole seconds: timelines read cleanly and match what a launch asked for.
            anchor = workflow.now().replace(microsecond=0)
            if inp.start_at is not None and inp.start_at > anchor:
                anchor = inp.start_at
            for touch in touches:
                anchor = await self._run_touch(touch, anchor)
            self._finish(
                COMPLETED_NO_REPLY,
                f"all {len(touches)} touches done, no reply",
            )
        except _Stop:
            pass
        except asyncio.CancelledError:
            # Cancel from the UI or CLI: a graceful end with its own outcome, not a failure.
            self._finish(CANCELLED, "cancelled by request")
        assert self._s.outcome is not None
        # Sequences that started before the store existed replay without this step.
        if workflow.patched("record-outcome"):
            await self._record_outcome()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return text.result(inp, self._s)

    async def _record_outcome(self) -> None:
        """Write the outcome to the store: what it implies (a decline, no reply) must hold for
        the next campaigns. Retried for about a day (policies.OUTCOME_RETRY); the sequence
        ends only once the store has it."""
        inp = self._inp
        s = self._s
        assert s.outcome is not None
        info = workflow.info()
        await self._act(
            SequenceActivities.record_outcome,
            requests.outcome_record(
                inp,
                s,
                workflow_id=info.workflow_id,
                first_run_id=info.first_execution_run_id,
                started_at=info.start_time,
                ended_at=workflow.now(),
            ),
            f"record outcome: {s.outcome}",
            retry=policies.OUTCOME_RETRY,
        )

    async def _run_touch(self, touch: PlannedTouch, anchor: datetime) -> datetime:
        """Wait for the touch's moment, carry it out, and return the anchor for the next one."""
        inp = self._inp
        acc = inp.account
        self._s.current_touch = touch.number
        previous = self._s.touches[-1].at_utc if self._s.touches else None
        moves: list[str] = []  # why the touch moved from its slot: pauses, a worker outage
        late_floor: datetime | None = None
        while True:
            with _calendar_io():
                nominal = calendar.add_waits(anchor, touch.waits, acc.country, acc.timezone)
                if late_floor is not None and late_floor > nominal:
                    nominal = late_floor
                slot = calendar.next_send_time(
                    nominal, inp.schedule, acc.country, acc.timezone, after_utc=previous
                )
            deferred = (*moves, *slot.deferrals)
            self._s.state = STATE_WAITING
            self._s.next_action = text.next_action(touch, self._total, slot.at_utc, self._tz, deferred)
            self._publish()
            woke = await self._sleep_until(
                slot.at_utc, f"touch {touch.number}/{self._total}: {touch.channel}"
            )
            if woke == "paused":
                paused_at = workflow.now()
                reason = self._s.pause_reason
                anchor += await self._wait_out_pause()
                moves.append(text.pause_line(paused_at, workflow.now(), reason, self._tz))
                continue
            now = workflow.now().replace(microsecond=0)
            if woke == "due" and now - slot.at_utc > policies.LATE:
                # The workers were away past the moment: never send at whatever hour they are
                # back; find the next allowed moment from now instead, and say why it moved.
                late_floor = now
                moves[:] = [*deferred, text.late_line(slot.at_utc, now, self._tz)]
                continue
            moment = max(slot.at_utc, now)
            if woke == "skip":
                self._s.record(touch, "skipped", note="skipped by the owner", deferred=deferred, at=moment)
                return moment
            break
        try:
            rendered = await self._render(touch)
        except ActivityError as err:
            self._s.record(touch, "failed", note=text.failure_note(err), deferred=deferred, at=moment)
            return moment
        # A reply may have arrived while rendering: never act after it.
        self._check_stop()
        if touch.channel in MANUAL_CHANNELS:
            await self._manual_touch(touch, rendered, deferred, moment)
        else:
            await self._email_touch(touch, rendered, deferred, moment)
        # The next wait counts from this touch's moment (a task's assignment, not when the
        # rep got round to it), so the timeline does not drift with how fast tasks close.
        return self._s.touches[-1].at_utc

    async def _sleep_until(self, when: datetime, summary: str) -> str:
        """Durable, interruptible wait: returns 'due', 'paused' or 'skip'; raises _Stop."""
        while True:
            self._check_stop()
            if self._s.paused:
                return "paused"
            if self._s.skip_requested == self._s.current_touch:
                self._s.skip_requested = None
                return "skip"
            remaining = when - workflow.now()
            if remaining <= timedelta(0):
                return "due"
            try:
                await workflow.wait_condition(self._interrupted, timeout=remaining, timeout_summary=summary)
            except TimeoutError:
                return "due"

    def _interrupted(self) -> bool:
        s = self._s
        return s.outcome is not None or s.paused or s.skip_requested == s.current_touch

    async def _wait_out_pause(self) -> timedelta:
        """Block while paused; return how long, so the remaining touches shift by it."""
        s = self._s
        started = workflow.now()
        s.state = STATE_PAUSED
        self._publish()
        while s.paused and s.outcome is None:
            timeout = None
            if s.pause_until is not None:
                timeout = s.pause_until - workflow.now()
                if timeout <= timedelta(0):
                    self._resume()
                    break
            try:
                await workflow.wait_condition(
                    lambda: not s.paused or s.outcome is not None,
                    timeout=timeout,
                    timeout_summary="pause ends",
                )
            except TimeoutError:
                self._resume()
        self._check_stop()
        # Whole minutes: a shifted touch keeps a clean time of day.
        return timedelta(minutes=round((workflow.now() - started).total_seconds() / 60))

    async def _email_touch(
        self, touch: PlannedTouch, rendered: RenderedMessage, deferred: tuple[str, ...], moment: datetime
    ) -> None:
        request = requests.send_request(self._inp, self._s, touch, rendered, key=self._touch_key(touch))
        try:
            sent: SendResult = await self._act(
                SequenceActivities.send_email,
                request,
                f"touch {touch.number}: send {touch.channel}",
            )
        except ActivityError as err:
            note = text.failure_note(err)
            suppressed = text.suppressed_outcome(err)
            status = "skipped" if suppressed else "failed"
            self._s.record(touch, status, note=note, deferred=deferred, at=moment)
            if suppressed:
                # An unsubscribe or bounce arrived after this touch was scheduled: nothing more goes out.
                self._stop_with(suppressed, note)
            return
        if not self._s.thread_root_id:
            self._s.thread_root_id = sent.message_id
            self._s.thread_subject = rendered.subject
        self._s.record(touch, "sent", message_id=sent.message_id, deferred=deferred, at=moment)

    async def _manual_touch(
        self, touch: PlannedTouch, rendered: RenderedMessage, deferred: tuple[str, ...], moment: datetime
    ) -> None:
        inp = self._inp
        s = self._s
        assigned = moment
        with _calendar_io():
            due = requests.task_due(inp, touch, assigned)
        task = s.open(touch, rendered, assigned=assigned, due=due)
        s.next_action = text.next_action(touch, self._total, due, self._tz)
        self._publish()
        self._publish_open_task(task)
        try:
            receipt: TaskReceipt = await self._act(
                SequenceActivities.assign_task,
                requests.task_assignment(
                    inp,
                    touch,
                    rendered,
                    key=self._touch_key(touch),
                    workflow_id=workflow.info().workflow_id,
                    due=due,
                ),
                f"touch {touch.number}: assign {touch.channel} task",
            )
        except ActivityError as err:
            # Nobody was given the task: no task is open, and the sequence goes on.
            s.open_task = None
            self._publish_open_task(None)
            s.record(touch, "failed", note=text.failure_note(err), deferred=deferred, at=assigned)
            return
        del receipt
        try:
            while s.task_result is None:
                self._check_stop()
                if s.paused:
                    # The deadline moves with the pause, like every other touch.
                    due += await self._wait_out_pause()
                    task.due_utc = due
                    task.due_local = text.local_iso(due, self._tz)
                    s.state = STATE_TASK_OPEN
                    self._publish()
                    self._publish_open_task(task)
                    continue
                if s.skip_requested == touch.number:
                    s.skip_requested = None
                    s.task_result = TaskCompletion(outcome="skipped", note="skipped by the owner")
                    break
                remaining = due - workflow.now()
                if remaining <= timedelta(0):
                    break
                try:
                    await workflow.wait_condition(
                        lambda: s.task_result is not None or self._interrupted(),
                        timeout=remaining,
                        timeout_summary=f"touch {touch.number}/{self._total}: {touch.channel} task deadline",
                    )
                except TimeoutError:
                    break
        finally:
            s.open_task = None
        self._publish_open_task(None)
        result = s.task_result
        s.task_result = None
        if result is None:
            self._s.record(touch, "task_expired", note="deadline passed", deferred=deferred, at=assigned)
        else:
            self._s.record(touch, f"task_{result.outcome}", note=result.note, deferred=deferred, at=assigned)

    async def _render(self, touch: PlannedTouch) -> RenderedMessage:
        return await self._act(
            SequenceActivities.render_message,
            requests.render_request(self._inp, touch, started=workflow.info().start_time),
            f"touch {touch.number}: render {touch.template}",
        )

    # --- controls ------------------------------------------------------------------------

    @workflow.signal(name=ids.PAUSE, description=ids.DESCRIPTIONS[ids.PAUSE])
    def pause(self, req: PauseRequest = PauseRequest()) -> None:
        if self._s.pause(req):
            self._publish()

    @workflow.signal(name=ids.RESUME, description=ids.DESCRIPTIONS[ids.RESUME])
    def resume(self, req: ResumeRequest = ResumeRequest()) -> None:
        self._resume()

    @workflow.signal(name=ids.COMPLETE_TASK, description=ids.DESCRIPTIONS[ids.COMPLETE_TASK])
    def complete_task(self, req: TaskCompletion = TaskCompletion()) -> None:
        refused = self._s.task_report_refused(req)
        if refused:
            workflow.logger.warning("complete_task ignored: %s", refused)

    @workflow.signal(name=ids.MARK_REPLIED, description=ids.DESCRIPTIONS[ids.MARK_REPLIED])
    def mark_replied(self, req: ReplyNotice = ReplyNotice()) -> None:
        self._stop_with(REPLIED, req.note or "the contact replied")

    @workflow.signal(name=ids.MARK_DECLINED, description=ids.DESCRIPTIONS[ids.MARK_DECLINED])
    def mark_declined(self, req: DeclineNotice = DeclineNotice()) -> None:
        self._stop_with(DECLINED, req.reason or "declined")

    @workflow.signal(name=ids.SKIP_TOUCH, description=ids.DESCRIPTIONS[ids.SKIP_TOUCH])
    def skip_touch(self, req: SkipRequest = SkipRequest()) -> None:
        self._s.request_skip(req)

    @workflow.signal(name=ids.STOP, description=ids.DESCRIPTIONS[ids.STOP])
    def stop(self, req: StopNotice = StopNotice()) -> None:
        if req.outcome not in STOP_OUTCOMES:
            workflow.logger.warning("stop ignored: unknown outcome")
            return
        self._stop_with(req.outcome, req.reason or req.outcome)

    @workflow.query(name=ids.STATUS, description=ids.DESCRIPTIONS[ids.STATUS])
    def status(self) -> SequenceStatus:
        return text.status(self._inp, self._s)

    # --- helpers -------------------------------------------------------------------------

    async def _act(
        self,
        method: Callable[[Any, _In], Awaitable[_Out]],
        arg: _In,
        summary: str,
        retry: RetryPolicy = policies.TOUCH_RETRY,
    ) -> _Out:
        """Every activity the sequence runs: one timeout, a bounded retry policy."""
        return await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=policies.ACTIVITY_TIMEOUT, retry_policy=retry, summary=summary
        )

    @property
    def _total(self) -> int:
        return len(self._inp.plan.touches)

    @property
    def _tz(self) -> str:
        return self._inp.account.timezone

    def _resume(self) -> None:
        if self._s.resume():
            self._publish()

    def _stop_with(self, outcome: str, reason: str) -> None:
        # The first word wins: a decline after a reply does not rewrite history.
        if self._s.outcome is None:
            self._finish(outcome, reason)

    def _check_stop(self) -> None:
        if self._s.outcome is not None:
            raise _Stop()

    def _finish(self, outcome: str, reason: str) -> None:
        self._s.finish(outcome, reason)
        self._publish()
        self._publish_open_task(None)

    def _touch_key(self, touch: PlannedTouch) -> str:
        """Unique per sequence and touch, and stable across retries and resets of the run."""
        info = workflow.info()
        return f"{info.workflow_id}/{info.first_execution_run_id}/touch-{touch.number}"

    def _publish(self) -> None:
        """Mirror the state into search attributes and the UI's current details."""
        acc = self._inp.account
        state = text.state_label(self._s)
        if self._published_state is None:
            attrs = sa.for_sequence(acc, campaign_id=self._inp.campaign_id, state=state)
            workflow.upsert_search_attributes([p.key.value_set(p.value) for p in attrs])
        elif state != self._published_state:
            # Each upsert is a history event: only the state moves after the first.
            workflow.upsert_search_attributes([sa.STATE.value_set(state)])
        self._published_state = state
        workflow.set_current_details(text.details(self._s, self._total, self._tz, self._inp.trigger))

    def _publish_open_task(self, task: OpenTask | None) -> None:
        """Mirror the open task into the memo, where `winback tasks` reads it straight from the
        visibility list; None removes it. Only a change is written (each is a history event)."""
        if task == self._published_task:
            return
        # Sequences whose histories predate the memo replay without these events.
        if not workflow.patched("open-task-memo"):
            return
        workflow.upsert_memo({ids.OPEN_TASK_MEMO: task})
        self._published_task = None if task is None else dataclasses.replace(task)


def _calendar_io() -> AbstractContextManager[None]:
    """Holiday calendars read the `holidays` package's translation files on first use.

    That is package data, as fixed as code for a given release, so it is as deterministic as
    the calendar itself; the sandbox cannot know that and would refuse the file access.
    """
    return workflow.unsafe.sandbox_unrestricted()
