"""The reconciler's Temporal Schedule: a ReconcileWorkflow every WINBACK_RECONCILE_EVERY
seconds (default 5 minutes), skipping a run while the last one still goes. `winback up` and
`winback worker` create it, or bring an existing one up to date, whenever they start.

Missed runs are not caught up one by one: each run looks back a week (contracts/reconcile.py),
so the first run after an outage covers everything the missed ones would have.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.service import RPCError

from contracts import ids
from contracts.reconcile import ReconcileInput
from winback import schedules

__all__ = ["ensure", "schedule_for", "upsert"]


def schedule_for(task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ids.RECONCILE_WORKFLOW,
            ReconcileInput(),
            id=ids.reconcile_schedule_id(task_queue),
            task_queue=task_queue,
            static_summary="record the outcomes of sequences and saves terminated, timed out or failed",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # One missed run is caught up (a server restart); the look-back covers any more.
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=max(every, timedelta(minutes=1))
        ),
        state=ScheduleState(note="winback up / winback worker: WINBACK_RECONCILE_EVERY"),
    )


async def upsert(client: Client, task_queue: str, every: timedelta) -> bool:
    """Create the task queue's reconciler Schedule, or update its interval. True when created."""
    return await schedules.upsert(
        client, ids.reconcile_schedule_id(task_queue), schedule_for(task_queue, every)
    )


async def ensure(client: Client, task_queue: str, every: timedelta) -> tuple[bool, str]:
    """upsert, as a starting worker does it: (whether it worked, the line to show). A Schedule
    that cannot be written must not keep the worker from sending, so it is a warning."""
    schedule_id = ids.reconcile_schedule_id(task_queue)
    try:
        await upsert(client, task_queue, every)
    except RPCError as err:
        return False, (
            f"could not create or update the Temporal Schedule {schedule_id} ({err.status.name}: "
            f"{err.message}); sequences and saves terminated in Temporal keep no outcome until it exists "
            "(run `winback reconcile` meanwhile)"
        )
    return True, f"Temporal Schedule {schedule_id} reconciles outcomes every {_every(every)}"


def _every(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
