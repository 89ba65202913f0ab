"""The reconciler's Temporal Schedule: what it runs and how often, one per deployment, and a
Schedule that cannot be written is a warning, never a worker that does not start."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import Schedule, ScheduleActionStartWorkflow, ScheduleOverlapPolicy
from temporalio.service import RPCError, RPCStatusCode

from contracts import ids
from contracts.reconcile import ReconcileInput
from winback import reconciler
from winback.reconciler import schedule_for


def test_the_schedule_runs_one_reconcile_workflow_per_interval_skipping_overlaps() -> None:
    schedule = schedule_for("winback", timedelta(minutes=5))
    action = schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == ids.RECONCILE_WORKFLOW == "ReconcileWorkflow"
    assert (action.id, action.task_queue) == ("winback-reconcile", "winback")
    assert list(action.args) == [ReconcileInput(look_back_hours=168)]
    assert [i.every for i in schedule.spec.intervals] == [timedelta(minutes=5)]
    assert not schedule.spec.cron_expressions and not schedule.spec.calendars
    assert schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    # Missed runs are not replayed one by one: the week of look-back covers them.
    assert schedule.policy.catchup_window == timedelta(minutes=5)


def test_each_deployment_has_its_own_schedule() -> None:
    # A deployment is a task queue and its store; another queue's sequences are another store's.
    assert ids.reconcile_schedule_id("winback") == "winback-reconcile"
    assert ids.reconcile_schedule_id("winback-staging") == "winback-reconcile:winback-staging"
    other = schedule_for("winback-staging", timedelta(hours=1)).action
    assert isinstance(other, ScheduleActionStartWorkflow)
    assert (other.id, other.task_queue) == ("winback-reconcile:winback-staging", "winback-staging")


class RefusingClient:
    """A Temporal that will not write Schedules (a namespace without the permission)."""

    async def create_schedule(self, schedule_id: str, schedule: Schedule, **_: Any) -> None:
        raise RPCError("schedules are not allowed here", RPCStatusCode.PERMISSION_DENIED, b"")


async def test_a_schedule_temporal_refuses_is_one_warning_line() -> None:
    done, line = await reconciler.ensure(RefusingClient(), "winback", timedelta(minutes=5))  # type: ignore[arg-type]
    assert not done
    assert line.startswith("could not create or update the Temporal Schedule winback-reconcile ")
    assert "PERMISSION_DENIED: schedules are not allowed here" in line and "winback reconcile" in line
    assert "\n" not in line
