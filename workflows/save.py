"""SaveWorkflow: one at-risk renewal's save, durable until the renewal is decided (issue 12).

The save plan (campaigns/save_playbook.py) is its state: every task opens on its owner's task
board through the sequences' `assign_task` activity as soon as the tasks it waits for are closed
or past their deadline (escalation steps strictly one after another), with a deadline in the
customer's business days. Nothing here emails the customer. A CSM closes tasks, asks for and
decides concessions, pauses, resumes and records the outcome through Updates
(workflows/save_controls.py); a cancel records `cancelled` and ends Canceled, like a sequence.

Deterministic only: time comes from workflow.now(), the calendar is pure, every side effect is
an activity. Later changes to the commands it issues go behind workflow.patched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, suppress
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, WorkflowAlreadyStartedError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from activities.saves import SaveActivities
    from activities.sequence import SequenceActivities
    from campaigns import calendar, save_followup
    from campaigns.model import Wait
    from campaigns.save_playbook import SaveTask
    from contracts import ids
    from contracts import search_attributes as sa
    from contracts.save_followup import FollowUpInput, Promise
    from contracts.saves import (
        APPROVED,
        CANCELLED,
        LOST,
        NO_DECISION,
        OUTCOME_GRACE_DAYS,
        SAVED,
        TASK_DONE,
        TASK_OPEN,
        GrantedConcession,
        SaveInput,
        SaveOutcomeRecord,
        SaveResult,
        TaskView,
    )
    from contracts.sequence import TaskAssignment, TaskReceipt
    from workflows import policies
    from workflows import save_text as text
    from workflows.save_intent import SaveIntent
    from workflows.save_state import SaveState
    from workflows.sequence_state import whole_minutes
    from workflows.sequence_text import both_words

_In = TypeVar("_In")
_Out = TypeVar("_Out")


@workflow.defn(name=ids.SAVE_WORKFLOW)
class SaveWorkflow(SaveIntent):  # SaveIntent adds the `intent` signal to SaveControls
    @workflow.init
    def __init__(self, inp: SaveInput) -> None:
        self._inp = inp
        self._s = SaveState.planned(inp.account.timezone, inp.tasks)
        self._plan = {t.task_id: t for t in inp.tasks}
        self._published_state: str | None = None
        acc = inp.account
        with _calendar_io():
            # The start of the renewal day where the customer is; the outcome is due some
            # business days later, when the CSM knows whether they renewed.
            self._renewal_at = calendar.from_local(
                datetime.combine(date.fromisoformat(inp.renewal_on), time(0)), acc.timezone
            )
            self._outcome_due: datetime | None = calendar.add_waits(
                self._renewal_at, [Wait(OUTCOME_GRACE_DAYS, "business_days")], acc.country, acc.timezone
            )

    @workflow.run
    async def run(self, inp: SaveInput) -> SaveResult:
        self._publish()
        cancelled = False
        try:
            await self._work()
        except asyncio.CancelledError:
            self._stop_with(CANCELLED, "cancelled by request")
            cancelled = True
        await self._record_outcome()
        # Added after save_full_escalation.json was committed: its replay takes the old path.
        if self._s.outcome in (SAVED, LOST) and workflow.patched("save-follow-up"):
            await self._start_follow_up()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if cancelled:
            # Ends Canceled in Temporal, as the UI's list and filters expect (as a sequence).
            raise asyncio.CancelledError("cancelled by request")
        return text.result(inp, self._s)

    async def _work(self) -> None:
        """Open what is ready, wait for a report, a deadline or an action; until an outcome."""
        s = self._s
        assert self._outcome_due is not None
        while s.outcome is None:
            if s.paused:
                await self._wait_out_pause()
                continue
            now = workflow.now()
            if s.mark_overdue(now):
                self._publish()
            ready = s.ready()
            if ready:
                for task in ready:
                    if s.outcome is not None or s.paused:
                        break
                    await self._open(task)
                continue
            if now >= self._outcome_due:
                self._stop_with(
                    NO_DECISION, f"no outcome recorded by {both_words(self._outcome_due, self._tz)}"
                )
                break
            wake, summary = self._outcome_due, "renewal outcome due"
            nearest = s.next_deadline()
            if nearest is not None and nearest.due_utc is not None and nearest.due_utc < wake:
                wake, summary = nearest.due_utc, f"task {nearest.task_id} deadline"
            with suppress(TimeoutError):
                await workflow.wait_condition(
                    partial(self._changed, s.version), timeout=wake - now, timeout_summary=summary
                )

    async def _open(self, view: TaskView) -> None:
        """Open one task: due in its business days (never after the renewal), on its owner's board."""
        task = self._plan[view.task_id]
        now = workflow.now().replace(microsecond=0)
        acc = self._inp.account
        with _calendar_io():
            due = calendar.deadline_after(
                now, Wait(task.business_days, "business_days"), acc.country, self._tz
            )
        if now < self._renewal_at < due:
            due = self._renewal_at  # a deadline after the renewal is no use to the save
        self._s.open(view, at=now, due=due)
        self._publish()
        try:
            receipt: TaskReceipt = await self._act(
                SequenceActivities.assign_task,
                self._assignment(task, due),
                f"task {task.task_id}: assign to {view.owner}",
            )
        except ActivityError as err:
            if is_cancelled_exception(err):
                raise asyncio.CancelledError("cancelled by request") from None
            # Nobody's board has it, but the task is still the save's: the CSM sees why.
            view.note = f"not on the task board: {err.cause or err}"
            self._publish()
            return
        view.board = receipt.location

    def _assignment(self, task: SaveTask, due: datetime) -> TaskAssignment:
        inp, acc, info = self._inp, self._inp.account, workflow.info()
        return TaskAssignment(
            key=f"{info.workflow_id}/{info.first_execution_run_id}/task-{task.task_id}",
            workflow_id=info.workflow_id,
            account_id=acc.account_id,
            company=acc.company,
            campaign_id=inp.campaign_id,
            owner=task.owner,
            touch=task.number,
            channel=text.task_channel(task.kind),
            template=task.task_id,
            due_utc=due,
            due_local=calendar.to_local(due, self._tz).isoformat(),
            subject=text.task_subject(inp, task),
            text=text.task_text(inp, task),
            report_back=text.report_back(inp, task),
        )

    async def _wait_out_pause(self) -> None:
        """No task opens while paused; once it ends, the open tasks' deadlines move by its length."""
        s = self._s
        started = workflow.now()
        self._publish()
        while s.paused and s.outcome is None:
            seen = s.pause_version
            timeout = None if s.pause_until is None else s.pause_until - workflow.now()
            if timeout is not None and timeout <= timedelta(0):
                s.resume()
                break
            try:
                await workflow.wait_condition(
                    partial(self._pause_over, seen),
                    timeout=timeout,
                    timeout_summary="pause ends",
                )
            except TimeoutError:
                if s.pause_version == seen:
                    s.resume()
        s.shift_open_deadlines(whole_minutes(workflow.now() - started))
        self._publish()

    async def _record_outcome(self) -> None:
        """The outcome goes to the store (what post-save monitoring and a lost save's win-back
        will read), retried like a sequence's for about a day."""
        inp, s, info = self._inp, self._s, workflow.info()
        assert s.outcome is not None
        granted = tuple(
            GrantedConcession(
                kind=c.concession.kind,
                size=c.concession.size,
                commitment=c.concession.commitment,
                sunset=c.concession.sunset,
                approved_by=c.chain[-1].who,
            )
            for c in s.concessions
            if c.state == APPROVED
        )
        await self._act(
            SaveActivities.record_save_outcome,
            SaveOutcomeRecord(
                workflow_id=info.workflow_id,
                run_id=info.first_execution_run_id,
                account_id=inp.account.account_id,
                campaign_id=inp.campaign_id,
                outcome=s.outcome,
                reason=s.outcome_reason,
                effort=inp.decision.effort or "",
                mode=inp.decision.mode or "",
                root_cause=inp.root_cause,
                renewal_on=inp.renewal_on,
                started_at=info.start_time,
                ended_at=workflow.now(),
                tasks_done=sum(1 for t in s.tasks if t.state == TASK_DONE),
                tasks_total=len(s.tasks),
                concessions=granted,
            ),
            f"record outcome: {s.outcome}",
            retry=policies.OUTCOME_RETRY,
        )

    async def _start_follow_up(self) -> None:
        """Monitoring (saved) or the exit and win-back stages (lost) run on in their own
        workflow, which outlives this one (workflows/save_followup.py)."""
        inp, s = self._inp, self._s
        assert s.outcome is not None
        try:
            await workflow.start_child_workflow(
                ids.SAVE_FOLLOW_UP_WORKFLOW,
                FollowUpInput(
                    account=inp.account,
                    save_workflow_id=workflow.info().workflow_id,
                    campaign_id=inp.campaign_id,
                    outcome=s.outcome,
                    reason=s.outcome_reason,
                    renewal_on=inp.renewal_on,
                    csm=inp.account.owner_handle,
                    manager=self._manager(),
                    promises=self._promises(),
                    monitor_months=inp.monitor_months,
                    winback_campaign=inp.winback_campaign,
                ),
                id=ids.save_follow_up_id(inp.account.account_id),
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                static_summary=f"After the save · {inp.account.account_id} · {s.outcome}",
            )
        except WorkflowAlreadyStartedError:
            # An earlier save's follow-up still runs for the account: it keeps going, and the
            # CSM sees why this one has none.
            workflow.logger.warning("save %s: a follow-up already runs", workflow.info().workflow_id)

    def _manager(self) -> str:
        """The approvers file's manager: whoever the save's manager tasks went to, else the
        first approver in that role, else the account's owner."""
        by_task = next((t.owner for t in self._inp.tasks if t.owner_role == "manager"), None)
        by_role = next((a.handle for a in self._inp.approvers if a.role == "manager"), None)
        return by_task or by_role or self._inp.account.owner_handle

    def _promises(self) -> tuple[Promise, ...]:
        """What the save promised: each issue's fix with its owner and due date, and what the
        customer committed to for each approved concession (the CSM follows it up)."""
        now = workflow.now().replace(microsecond=0)
        acc = self._inp.account
        with _calendar_io():
            later = calendar.deadline_after(
                now, Wait(save_followup.PROMISE_DAYS, "business_days"), acc.country, self._tz
            )
        out: list[Promise] = []
        for view in self._s.tasks:
            task = self._plan[view.task_id]
            if task.issue is None:
                continue
            due = view.due_utc if view.state == TASK_OPEN and view.due_utc is not None else later
            out.append(
                Promise(
                    promise_id=task.task_id,
                    what=task.issue.fix,
                    owner=task.issue.owner.split("@", 1)[0],
                    due_utc=due,
                    done=view.state == TASK_DONE,
                )
            )
        granted = [c for c in self._s.concessions if c.state == APPROVED]
        for n, c in enumerate(granted, start=1):
            out.append(
                Promise(
                    promise_id=f"commitment-{n}",
                    what=f"the customer's commitment for {c.concession.kind}: {c.concession.commitment}",
                    owner=acc.owner_handle,
                    due_utc=later,
                )
            )
        return tuple(out)

    # --- helpers -----------------------------------------------------------------------------

    def _changed(self, seen: int) -> bool:
        return self._s.version != seen

    def _pause_over(self, seen: int) -> bool:
        s = self._s
        return not s.paused or s.outcome is not None or s.pause_version != seen

    async def _act(
        self,
        method: Callable[[Any, _In], Awaitable[_Out]],
        arg: _In,
        summary: str,
        retry: RetryPolicy = policies.TOUCH_RETRY,
    ) -> _Out:
        return await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=policies.ACTIVITY_TIMEOUT, retry_policy=retry, summary=summary
        )

    @property
    def _tz(self) -> str:
        return self._inp.account.timezone

    def _stop_with(self, outcome: str, reason: str) -> None:
        if self._s.outcome is None:  # the first word wins
            self._s.finish(outcome, reason)
            self._publish()

    def _publish(self) -> None:
        """Mirror the state into search attributes and the UI's current details."""
        state = text.state_label(self._s)
        if self._published_state is None:
            attrs = sa.for_save(self._inp.account, campaign_id=self._inp.campaign_id, state=state)
            workflow.upsert_search_attributes([p.key.value_set(p.value) for p in attrs])
        elif state != self._published_state:
            workflow.upsert_search_attributes([sa.STATE.value_set(state)])
        self._published_state = state
        self._show()

    def _show(self) -> None:
        """The UI's current details only."""
        workflow.set_current_details(text.details(self._inp, self._s, self._outcome_due))


def _calendar_io() -> AbstractContextManager[None]:
    """Holiday calendars read package data on first use: as fixed as code (see workflows/sequence.py)."""
    return workflow.unsafe.sandbox_unrestricted()
