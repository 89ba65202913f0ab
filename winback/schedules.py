"""Creating or updating a Temporal Schedule by its id, the one way every Schedule of Winback's
is written (signal watchers, the reconciler): idempotent, and a paused Schedule stays paused."""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleAlreadyRunningError,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

__all__ = ["upsert"]


async def upsert(client: Client, schedule_id: str, schedule: Schedule) -> bool:
    """Create the Schedule, or update its spec, action and policy. True when created."""
    try:
        await client.create_schedule(schedule_id, schedule)
        return True
    except ScheduleAlreadyRunningError:
        pass

    def update(old: ScheduleUpdateInput) -> ScheduleUpdate:
        # Keep whether it is paused (and why): writing it again changes its settings, not its state.
        schedule.state = old.description.schedule.state
        return ScheduleUpdate(schedule=schedule)

    await client.get_schedule_handle(schedule_id).update(update)
    return False
