"""The `intent` signal: the product reported a cancel intent for a running save's account.

Sent by the web service (winback/intent_webhook.py) after the event is stored. Each event is a
red flag the save keeps (heard once by its id: the web service may signal again after a
failure); an abandoned cancel flow opens an intervention task for the account's owner through
the sequences' `assign_task`, due within one business day of the customer's calendar
(campaigns/intent.py), never after the renewal. It adds no command to a save that hears no
intent, so committed histories replay unchanged; a save that has ended opens nothing.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.common import RawValue
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.sequence import SequenceActivities
    from campaigns import calendar
    from campaigns import intent as rules
    from contracts.intent import INTENT, INTENT_DESCRIPTION, IntentNotice, read_intent
    from contracts.sequence import TaskAssignment
    from workflows import policies
    from workflows.controls import NO_INPUT
    from workflows.save_controls import SaveControls


class SaveIntent(SaveControls):
    """SaveWorkflow's controls plus the intent signal; the workflow provides the renewal moment."""

    _renewal_at: datetime

    @workflow.signal(name=INTENT, description=INTENT_DESCRIPTION)
    async def intent(self, raw: RawValue = NO_INPUT) -> None:
        notice = self._signalled(INTENT, lambda: read_intent(self._value(raw)))
        if notice is None or any(seen.event_id == notice.event_id for seen in self._s.intents):
            return
        self._s.intents.append(notice)
        # The status and the UI's details show it. Details only: setting them is no command, so
        # saves that heard intents before they were shown replay unchanged.
        self._show()
        if notice.kind in rules.INTERVENTION_KINDS and self._s.outcome is None:
            await self._intervene(notice)

    async def _intervene(self, notice: IntentNotice) -> None:
        acc, info = self._inp.account, workflow.info()
        now = workflow.now().replace(microsecond=0)
        with workflow.unsafe.sandbox_unrestricted():  # holiday calendars: see workflows/save.py
            due = rules.intervention_due(now, acc.country, acc.timezone)
            if now < self._renewal_at < due:
                due = self._renewal_at  # after the renewal the intervention is no use
            occurred = calendar.to_local(notice.occurred_at, acc.timezone)
            due_local = calendar.to_local(due, acc.timezone)
        task = TaskAssignment(
            key=f"{info.workflow_id}/{info.first_execution_run_id}/intent-{notice.event_id}"[:512],
            workflow_id=info.workflow_id,
            account_id=acc.account_id,
            company=acc.company,
            campaign_id=self._inp.campaign_id,
            owner=acc.owner,
            touch=0,
            channel=rules.INTERVENTION_CHANNEL,
            template=notice.kind,
            due_utc=due,
            due_local=due_local.isoformat(),
            subject=f"Intervene: {acc.company} {rules.words(notice.kind)}",
            text=rules.intervention_text(
                acc.company, notice.kind, occurred.strftime("%a %d %b %H:%M %Z"), notice.detail
            ),
            report_back=rules.INTERVENTION_REPORT,
        )
        try:
            await workflow.execute_activity_method(
                SequenceActivities.assign_task,
                task,
                start_to_close_timeout=policies.ACTIVITY_TIMEOUT,
                retry_policy=policies.TOUCH_RETRY,
                summary=f"intervention task: {notice.kind}",
            )
        except ActivityError as err:
            # The intent stays stored (the web service keeps it); the owner is told in the log.
            workflow.logger.warning(
                "intervention task for %s not assigned: %s", acc.account_id, err.cause or err
            )
