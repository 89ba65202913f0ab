"""SaveFollowUpWorkflow: what follows a save's outcome (issue 12, part 3).

A new workflow type rather than more of SaveWorkflow: the save's committed histories stay as
they are, the follow-up lives for up to a year past the renewal on its own id
(`save-followup-{account_id}`), and a save of the next renewal can run beside it. The save
starts it as an abandoned child once the outcome is recorded (behind a patch there).

- saved: a health-check task every week for `monitor_months` (26 for 6 months); every promise
  of the save opens as a task with its due date and, still open at that date, opens an
  escalation task for the manager; at the next renewal a check task whose answer (held or
  churned) goes to the store; not answered by its deadline: no_answer.
- lost: an offboarding-help task and a debrief with the playbook's questions, then at 3, 6 and
  12 months a win-back stage, started or refused by the win-back start path's rules on that day
  (activities/save_followup.py) and recorded either way.

Every task goes through the sequences' assign_task, due in the customer's business days. A task
is closed by the `complete_task` Update (people: a refusal answers them) or the signal of the
same name (task boards and scripts: a refusal is kept in the status and the current details),
read and checked on one path (workflows/controls.py, contracts/save_actions.py).
Nothing here emails anyone; the stages' sequences do, under their own rules. 52 weekly tasks
at most: a history of a few hundred events, so no continue-as-new.

Deterministic only: time comes from workflow.now(), the calendar is pure, every side effect is
an activity. Later changes to the commands it issues go behind workflow.patched.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from temporalio import workflow
from temporalio.common import RawValue
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.save_followup import SaveFollowUpActivities
    from activities.sequence import SequenceActivities
    from campaigns import calendar
    from campaigns import save_followup as plan
    from campaigns.model import Wait
    from campaigns.months import add_months
    from contracts import ids
    from contracts.save_actions import read_follow_up_report
    from contracts.save_followup import (
        NO_ANSWER,
        OPEN,
        RENEWAL_CHECK,
        FollowUpInput,
        FollowUpRecord,
        FollowUpReport,
        FollowUpStatus,
        FollowUpTask,
        WinbackStartRequest,
    )
    from contracts.saves import SAVED
    from contracts.sequence import ActionResult, TaskAssignment, TaskReceipt
    from workflows import policies
    from workflows import save_followup_text as text
    from workflows.controls import NO_INPUT, Reading

D = ids.SAVE_FOLLOW_UP_DESCRIPTIONS


@dataclass
class Refusals:
    """The refused signals a follow-up keeps: in its status, and the newest in the current
    details until the next accepted report (as a sequence's and a save's state do)."""

    status: FollowUpStatus
    last: str = ""

    def refuse(self, at: datetime, line: str) -> None:
        stamp = f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        self.last = line
        self.status.refused = [*self.status.refused[-9:], f"{stamp} {line}"]

    def accepted(self) -> None:
        self.last = ""


@workflow.defn(name=ids.SAVE_FOLLOW_UP_WORKFLOW)
class SaveFollowUpWorkflow(Reading):
    _inp: FollowUpInput
    _s: Refusals

    @workflow.init
    def __init__(self, inp: FollowUpInput) -> None:
        self._inp = inp
        self._status = FollowUpStatus(
            account_id=inp.account.account_id,
            outcome=inp.outcome,
            campaign_id=inp.campaign_id,
            timezone=inp.account.timezone,
        )
        self._s = Refusals(self._status)
        self._version = 0  # bumped by every accepted report: the run loop wakes on it
        self._numbers = 0  # each task's number on the board (its file is named by its key)

    @workflow.run
    async def run(self, inp: FollowUpInput) -> FollowUpStatus:
        if inp.outcome == SAVED:
            await self._monitor()
        else:
            await self._exit_and_win_back()
        self._status.done = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status

    # --- saved -------------------------------------------------------------------------------

    async def _monitor(self) -> None:
        inp = self._inp
        start = workflow.now().replace(microsecond=0)
        checks = [start + timedelta(weeks=k) for k in range(1, plan.health_checks(inp.monitor_months) + 1)]
        promises = [p for p in inp.promises if not p.done]
        for p in promises:
            due = p.due_utc if p.due_utc > start else self._due(start, plan.ESCALATION_DAYS)
            await self._open(
                f"promise-{p.promise_id}", f"promise: {p.what}", p.owner, due, self._promise_text(p.what)
            )
        escalations = {f"promise-{p.promise_id}": p.what for p in promises}
        renewal_at = self._renewal_at()
        renewal_due: datetime | None = None
        while True:
            now = workflow.now()
            while checks and checks[0] <= now:
                week = sum(t.task_id.startswith("health-") for t in self._status.tasks) + 1
                await self._open(
                    f"health-{week}",
                    f"weekly health check {week}",
                    inp.csm,
                    self._due(now, plan.HEALTH_CHECK_DAYS),
                    "Check usage, support tickets and the champion's mood; report anything that looks like "
                    "the risk coming back.",
                )
                checks.pop(0)
            for task_id, what in list(escalations.items()):
                task = self._task(task_id)
                if task is None or task.state != OPEN:
                    escalations.pop(task_id)
                elif task.due_utc <= now:
                    escalations.pop(task_id)
                    await self._open(
                        f"escalation-{task_id.removeprefix('promise-')}",
                        f"overdue promise: {what}",
                        inp.manager,
                        self._due(now, plan.ESCALATION_DAYS),
                        f"The promise '{what}' ({task.owner}) was due {task.due_utc:%Y-%m-%d} and is "
                        "not done: get it done or tell the customer when it will be.",
                    )
            if renewal_due is None and now >= renewal_at:
                renewal_due = self._due(now, plan.RENEWAL_CHECK_DAYS)
                await self._open(
                    RENEWAL_CHECK,
                    "did the save hold at the renewal?",
                    inp.csm,
                    renewal_due,
                    'Report "held" if they renewed again, "churned" if they left.',
                )
            check = self._task(RENEWAL_CHECK)
            if check is not None and check.state != OPEN:
                await self._record(RENEWAL_CHECK, check.state, check.note)
                return
            if renewal_due is not None and now >= renewal_due:
                await self._record(RENEWAL_CHECK, NO_ANSWER, "nobody reported the renewal check")
                return
            wakes = [renewal_due or renewal_at]
            if checks:
                wakes.append(checks[0])
            wakes += [t.due_utc for t in map(self._task, escalations) if t is not None]
            wake = min(wakes)
            with suppress(TimeoutError):
                await workflow.wait_condition(
                    partial(self._changed, self._version),
                    timeout=wake - now,
                    timeout_summary="next follow-up",
                )

    def _renewal_at(self) -> datetime:
        """The start of the next renewal day (a year after the saved one) where the customer is."""
        acc = self._inp.account
        renewal = add_months(date.fromisoformat(self._inp.renewal_on), 12)
        with _calendar_io():
            return calendar.from_local(datetime.combine(renewal, time(0)), acc.timezone)

    # --- lost --------------------------------------------------------------------------------

    async def _exit_and_win_back(self) -> None:
        inp = self._inp
        lost = workflow.now().replace(microsecond=0)
        due = self._due(lost, plan.EXIT_DAYS)
        await self._open("offboarding", "help them leave well", inp.csm, due, plan.OFFBOARDING_GUIDE)
        questions = "\n".join(f"{n}. {q}" for n, q in enumerate(plan.DEBRIEF_QUESTIONS, start=1))
        await self._open(
            "debrief", "debrief of the lost save", inp.manager, due, f"Lost: {inp.reason}\n\n{questions}"
        )
        lost_on = calendar.to_local(lost, inp.account.timezone).date()
        info = workflow.info()
        for stage in plan.WINBACK_STAGES:
            at = lost + (add_months(lost_on, stage.months) - lost_on)
            await workflow.sleep(
                at - workflow.now(), summary=f"win-back {stage.label} at {stage.months} months"
            )
            receipt = await workflow.execute_activity_method(
                SaveFollowUpActivities.start_save_winback,
                WinbackStartRequest(
                    workflow_id=info.workflow_id,
                    run_id=info.first_execution_run_id,
                    account_id=inp.account.account_id,
                    step=stage.step,
                    campaign_path=inp.winback_campaign,
                    playbook=stage.playbook,
                    with_offer=stage.with_offer,
                    lost_on=lost_on.isoformat(),
                    at=workflow.now(),
                ),
                start_to_close_timeout=policies.ACTIVITY_TIMEOUT,
                retry_policy=policies.OUTCOME_RETRY,
                summary=f"win-back {stage.step}",
            )
            self._status.steps.append(f"{stage.step}: {receipt.result} ({receipt.detail})")
            self._publish()

    # --- tasks -------------------------------------------------------------------------------

    async def _open(self, task_id: str, title: str, owner: str, due: datetime, notes: str) -> None:
        inp, info = self._inp, workflow.info()
        now = workflow.now().replace(microsecond=0)
        task = FollowUpTask(task_id=task_id, title=title, owner=owner, opened_utc=now, due_utc=due)
        self._status.tasks.append(task)
        self._numbers += 1
        self._publish()
        acc_id = inp.account.account_id
        assignment = TaskAssignment(
            key=f"{info.workflow_id}/{info.first_execution_run_id}/{task_id}",
            workflow_id=info.workflow_id,
            account_id=inp.account.account_id,
            company=inp.account.company,
            campaign_id=inp.campaign_id,
            owner=owner,
            touch=self._numbers,
            channel=text.CHANNEL,
            template=task_id,
            due_utc=due,
            due_local=text.due_local(due, inp.account.timezone),
            subject=text.subject_for(acc_id, title),
            text=f"{inp.account.company} ({acc_id}), save {inp.outcome}: {inp.reason}\n\n{notes}\n",
            report_back=text.report_back_for(acc_id, task_id),
        )
        try:
            receipt: TaskReceipt = await workflow.execute_activity_method(
                SequenceActivities.assign_task,
                assignment,
                start_to_close_timeout=policies.ACTIVITY_TIMEOUT,
                retry_policy=policies.TOUCH_RETRY,
                summary=f"task {task_id}: assign to {owner}",
            )
        except ActivityError as err:
            # Nobody's board has it, but the follow-up still tracks it: the status says why.
            task.note = f"not on the task board: {err.cause or err}"
            return
        task.board = receipt.location

    def _task(self, task_id: str) -> FollowUpTask | None:
        return next((t for t in self._status.tasks if t.task_id == task_id), None)

    def _due(self, start: datetime, business_days: int) -> datetime:
        acc = self._inp.account
        with _calendar_io():
            return calendar.deadline_after(
                start.replace(microsecond=0), Wait(business_days, "business_days"), acc.country, acc.timezone
            )

    def _promise_text(self, what: str) -> str:
        return f"The save promised: {what}. Report it done when the customer has it."

    async def _record(self, step: str, result: str, detail: str) -> None:
        info = workflow.info()
        await workflow.execute_activity_method(
            SaveFollowUpActivities.record_follow_up,
            FollowUpRecord(
                workflow_id=info.workflow_id,
                run_id=info.first_execution_run_id,
                step=step,
                account_id=self._inp.account.account_id,
                result=result,
                detail=detail,
                at=workflow.now(),
            ),
            start_to_close_timeout=policies.ACTIVITY_TIMEOUT,
            retry_policy=policies.OUTCOME_RETRY,
            summary=f"record {step}: {result}",
        )
        self._status.steps.append(f"{step}: {result}")
        self._publish()

    # --- the CSM's controls ------------------------------------------------------------------

    @workflow.update(name=ids.COMPLETE_TASK, description=D[ids.COMPLETE_TASK])
    def complete_task_update(self, raw: RawValue = NO_INPUT) -> ActionResult:
        self._close(self._check(raw))
        self._s.accepted()
        self._publish()
        return ActionResult(state=self._state(), details=self._details())

    @complete_task_update.validator
    def _validate(self, raw: RawValue = NO_INPUT) -> None:
        self._check(raw)

    def _check(self, raw: RawValue) -> FollowUpReport:
        """One path for validator and handler (a replayed history skips validators)."""
        return self._checked(lambda: read_follow_up_report(self._value(raw)), self._task_refused)

    @workflow.signal(name=ids.COMPLETE_TASK, description=D[ids.COMPLETE_TASK])
    def complete_task(self, raw: RawValue = NO_INPUT) -> None:
        """The same report from a machine: a refusal is recorded, and nothing else changes."""
        report = self._signalled(ids.COMPLETE_TASK, lambda: read_follow_up_report(self._value(raw)))
        if report is None:
            return
        refused = self._task_refused(report)
        if refused:
            self._s.refuse(workflow.now(), refused)
        else:
            self._close(report)
        self._publish()

    def _task_refused(self, report: FollowUpReport) -> str | None:
        """Why the report cannot close a task now, or None."""
        task = self._task(report.task_id)
        if task is None or task.state != OPEN:
            open_now = ", ".join(t.task_id for t in self._status.tasks if t.state == OPEN) or "none"
            word = "no open task" if task is None else f"task {task.task_id} is already {task.state};"
            return f"complete_task refused: {word} {report.task_id}; open now: {open_now}"
        allowed = text.outcomes_for(task.task_id)
        if report.outcome not in allowed:
            return f'complete_task refused: "outcome" of {task.task_id} must be one of {", ".join(allowed)}'
        return None

    def _close(self, report: FollowUpReport) -> None:
        task = self._task(report.task_id)
        assert task is not None
        task.state, task.note = report.outcome, report.note or task.note
        self._version += 1

    @workflow.query(name=ids.STATUS, description=D[ids.STATUS])
    def status(self) -> FollowUpStatus:
        return self._status

    def _changed(self, seen: int) -> bool:
        return self._version != seen

    def _state(self) -> str:
        return "done" if self._status.done else f"{self._inp.outcome}_follow_up"

    def _details(self) -> str:
        open_tasks = [t for t in self._status.tasks if t.state == OPEN]
        lines = [f"after the save ({self._inp.outcome}): {len(open_tasks)} open task(s)"]
        lines += [f"{t.task_id} ({t.owner}) due {t.due_utc:%Y-%m-%d}" for t in open_tasks[-5:]]
        lines += self._status.steps
        if self._s.last:
            lines.append(self._s.last)
        return "\n".join(lines)

    def _publish(self) -> None:
        workflow.set_current_details(self._details())


def _calendar_io() -> AbstractContextManager[None]:
    """Holiday calendars read package data on first use: as fixed as code (see workflows/sequence.py)."""
    return workflow.unsafe.sandbox_unrestricted()
