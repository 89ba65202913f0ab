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
from functools import partial
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from activities.sequence import SequenceActivities
    from campaigns import calendar
    from campaigns.model import MANUAL_CHANNELS, PlannedTouch
    from contracts import ids
    from contracts import search_attributes as sa
    from contracts.sequence import (
        CANCELLED,
        COMPLETED_NO_REPLY,
        STATE_PAUSED,
        STATE_TASK_OPEN,
        STATE_WAITING,
        NextAction,
        OpenTask,
        RenderedMessage,
        SendResult,
        SequenceInput,
        SequenceResult,
        TaskCompletion,
        TaskReceipt,
    )
    from workflows import policies
    from workflows import sequence_requests as requests
    from workflows import sequence_text as text
    from workflows.sequence_controls import SequenceControls
    from workflows.sequence_state import SequenceState as _State
    from workflows.sequence_state import whole_minutes


_In = TypeVar("_In")
_Out = TypeVar("_Out")


# Changes to the workflow's code, named for workflow.patched (histories before them replay as
# they ran).
CANCELED_PATCH = "cancel-ends-canceled"  # a cancelled sequence ends Canceled, not Completed
PAUSE_CHANGES_PATCH = "pause-follows-changes"  # a second pause while paused moves its end


class _Stop(Exception):
    """Raised inside the touch loop when a reply or decline ends the sequence."""


@workflow.defn(name=ids.SEQUENCE_WORKFLOW)
class SequenceWorkflow(SequenceControls):
    @workflow.init
    def __init__(self, inp: SequenceInput) -> None:
        self._inp = inp
        self._s = _State(tz=inp.account.timezone)
        self._published_state: str | None = None
        # The open task as the memo shows it (a copy), None when the memo shows none.
        self._published_task: OpenTask | None = None
        self._project: Callable[[timedelta], NextAction] | None = None

    # --- run -----------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: SequenceInput) -> SequenceResult:
        self._publish()
        touches = inp.plan.touches
        cancelled = False
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
            # Cancel from the UI or CLI: the outcome is recorded like any other first.
            self._finish(CANCELLED, "cancelled by request")
            cancelled = True
        assert self._s.outcome is not None
        # Sequences that started before the store existed replay without this step.
        if workflow.patched("record-outcome"):
            await self._record_outcome()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if cancelled and workflow.patched(CANCELED_PATCH):
            # Then it ends as Canceled in Temporal, as the UI's list and filters expect.
            raise asyncio.CancelledError("cancelled by request")
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
        s = self._s
        s.current_touch = touch.number
        previous = s.touches[-1].at_utc if s.touches else None
        moves: list[str] = []  # why the touch moved from its slot: pauses, a worker outage, the owner
        late_floor: datetime | None = None
        waits = True  # False once the owner moved the touch: the anchor is then its moment

        def slot_at(start: datetime) -> calendar.SendSlot:
            with _calendar_io():
                nominal = self._nominal(touch, start, waits)
                if late_floor is not None and late_floor > nominal:
                    nominal = late_floor
                return calendar.next_send_time(
                    nominal, self._inp.schedule, self._inp.account.country, self._tz, after_utc=previous
                )

        while True:
            slot = slot_at(anchor)
            deferred = (*moves, *slot.deferrals)
            s.state = STATE_WAITING
            s.next_action = text.next_action(touch, self._total, slot.at_utc, self._tz, deferred)
            self._publish()
            self._project = partial(self._slot_after_pause, touch, slot_at, anchor)
            woke = await self._sleep_until(
                slot.at_utc, f"touch {touch.number}/{self._total}: {touch.channel}"
            )
            if woke == "paused":
                paused_at = workflow.now()
                reason = s.pause_reason
                anchor += await self._wait_out_pause()
                moves.append(text.pause_line(paused_at, workflow.now(), reason, self._tz))
                continue
            if woke == "moved":
                req = s.take_reschedule()
                assert req is not None
                moves.append(text.moved_line(slot.at_utc, req.at, req.reason, self._tz))
                anchor, waits, late_floor = req.at, False, None
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
                s.record(touch, "skipped", note="skipped by the owner", deferred=deferred, at=moment)
                return moment
            break
        self._project = None  # carried out now: a pause from here waits for the next touch
        try:
            rendered = await self._render(touch)
        except ActivityError as err:
            self._raise_if_cancelled(err)
            s.record(touch, "failed", note=text.failure_note(err), deferred=deferred, at=moment)
            return moment
        # A reply may have arrived while rendering: never act after it.
        self._check_stop()
        if touch.channel in MANUAL_CHANNELS:
            await self._manual_touch(touch, rendered, deferred, moment)
        else:
            await self._email_touch(touch, rendered, deferred, moment)
        # The next wait counts from this touch's moment (a task's assignment, not when the
        # rep got round to it), so the timeline does not drift with how fast tasks close.
        return s.touches[-1].at_utc

    def _nominal(self, touch: PlannedTouch, anchor: datetime, waits: bool) -> datetime:
        if not waits:
            return anchor
        acc = self._inp.account
        return calendar.add_waits(anchor, touch.waits, acc.country, acc.timezone)

    async def _sleep_until(self, when: datetime, summary: str) -> str:
        """Durable, interruptible wait: returns 'due', 'paused', 'skip' or 'moved'; raises _Stop."""
        while True:
            self._check_stop()
            if self._s.paused:
                return "paused"
            if self._s.skip_requested == self._s.current_touch:
                self._s.skip_requested = None
                return "skip"
            if self._s.reschedule is not None:
                return "moved"
            remaining = when - workflow.now()
            if remaining <= timedelta(0):
                return "due"
            try:
                await workflow.wait_condition(self._interrupted, timeout=remaining, timeout_summary=summary)
            except TimeoutError:
                return "due"

    def _interrupted(self) -> bool:
        s = self._s
        return (
            s.outcome is not None
            or s.paused
            or s.skip_requested == s.current_touch
            or s.reschedule is not None
        )

    async def _wait_out_pause(self) -> timedelta:
        """Block while paused; return how long, so the remaining touches shift by it. Meanwhile
        the details show where the next action lands once the pause ends (self._project)."""
        s = self._s
        started = workflow.now()
        s.paused_since = started
        s.state = STATE_PAUSED
        self._publish()
        # Older sequences waited out the first `until` even when a second pause moved it.
        follows_changes = workflow.patched(PAUSE_CHANGES_PATCH)
        while s.paused and s.outcome is None:
            seen = s.pause_version
            timeout = None
            if s.pause_until is not None:
                timeout = s.pause_until - workflow.now()
                if timeout <= timedelta(0):
                    self._resume()
                    break
                # Current details only (the state is unchanged): where the next action lands.
                self._project_after_pause()
                self._publish()
            try:
                await workflow.wait_condition(
                    partial(self._pause_over, seen, follows_changes),
                    timeout=timeout,
                    timeout_summary="pause ends",
                )
            except TimeoutError:
                if not follows_changes or s.pause_version == seen:
                    self._resume()
        self._check_stop()
        return whole_minutes(workflow.now() - started)

    def _pause_over(self, seen: int, follows_changes: bool) -> bool:
        s = self._s
        return not s.paused or s.outcome is not None or (follows_changes and s.pause_version != seen)

    def _slot_after_pause(
        self,
        touch: PlannedTouch,
        slot_at: Callable[[datetime], calendar.SendSlot],
        anchor: datetime,
        shift: timedelta,
    ) -> NextAction:
        return text.next_action(touch, self._total, slot_at(anchor + shift).at_utc, self._tz)

    def _due_after_pause(self, touch: PlannedTouch, due: datetime, shift: timedelta) -> NextAction:
        return text.next_action(touch, self._total, due + shift, self._tz)

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
            self._raise_if_cancelled(err)
            note = text.failure_note(err)
            suppressed = text.suppressed_outcome(err)
            status = "skipped" if suppressed else "failed"
            self._s.record(touch, status, note=note, deferred=deferred, at=moment, locale=rendered.locale)
            if suppressed:
                # An unsubscribe or bounce arrived after this touch was scheduled: nothing more goes out.
                self._stop_with(suppressed, note)
            return
        if not self._s.thread_root_id:
            self._s.thread_root_id = sent.message_id
            self._s.thread_subject = rendered.subject
        # The language it went out in: status and the simulator show it (a field of the
        # record, not a command, so histories from before it replay unchanged).
        self._s.record(
            touch, "sent", message_id=sent.message_id, deferred=deferred, at=moment, locale=rendered.locale
        )

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
            self._raise_if_cancelled(err)
            # Nobody was given the task: no task is open, and the sequence goes on.
            s.open_task = None
            self._publish_open_task(None)
            s.record(
                touch,
                "failed",
                note=text.failure_note(err),
                deferred=deferred,
                at=assigned,
                locale=rendered.locale,
            )
            return
        del receipt
        try:
            while s.task_result is None:
                self._check_stop()
                self._project = partial(self._due_after_pause, touch, due)
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
            self._project = None
        self._publish_open_task(None)
        result = s.task_result
        s.task_result = None
        if result is None:
            self._s.record(
                touch,
                "task_expired",
                note="deadline passed",
                deferred=deferred,
                at=assigned,
                locale=rendered.locale,
            )
        else:
            self._s.record(
                touch,
                f"task_{result.outcome}",
                note=result.note,
                deferred=deferred,
                at=assigned,
                locale=rendered.locale,
            )

    async def _render(self, touch: PlannedTouch) -> RenderedMessage:
        return await self._act(
            SequenceActivities.render_message,
            requests.render_request(self._inp, touch, started=workflow.info().start_time),
            f"touch {touch.number}: render {touch.template}",
        )

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

    def _raise_if_cancelled(self, err: ActivityError) -> None:
        """A cancel that arrives while an activity runs reaches us as that activity's error:
        it is still the cancel, not a failed touch to note and carry on from."""
        if is_cancelled_exception(err) and workflow.patched(CANCELED_PATCH):
            raise asyncio.CancelledError("cancelled by request")

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
