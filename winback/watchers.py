"""Signal watchers on Temporal Schedules: one Schedule per watched source, each firing a
WatchWorkflow every interval (with jitter, and skipping a run while the last one is still
going). The source's configuration and health live in the store (activities/store/watch.py);
the Schedule holds only when to poll and whether it is paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

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
from temporalio.service import RPCError, RPCStatusCode

from activities.store.records import WatchSource
from contracts import ids
from contracts.watch import WatchInput
from winback import schedules

__all__ = ["Health", "ScheduleView", "health", "jitter_for", "pause", "schedule_for", "state_of", "upsert"]

# A source that produced nothing new for this many of its intervals (at least a week) is
# flagged: a feed that went quiet usually moved or broke, it rarely ran out of news.
QUIET_INTERVALS: Final = 14
MIN_QUIET: Final = timedelta(days=7)
# Spread polls of many sources over part of their interval, so they do not all fire at once.
MAX_JITTER: Final = timedelta(minutes=10)


def jitter_for(every: timedelta) -> timedelta:
    return min(every / 10, MAX_JITTER)


def schedule_for(src: WatchSource, task_queue: str) -> Schedule:
    every = timedelta(seconds=src.every_seconds)
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ids.WATCH_WORKFLOW,
            WatchInput(source_id=src.source_id),
            id=ids.watch_schedule_id(src.source_id),
            task_queue=task_queue,
            static_summary=f"watch {src.source_id} ({src.kind})",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)], jitter=jitter_for(every)),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(note=f"winback watch add {src.source_id}"),
    )


async def upsert(client: Client, src: WatchSource, task_queue: str) -> bool:
    """Create the source's Schedule, or update its interval and action. True when created.
    Re-adding a source changes its settings, not whether it is paused."""
    return await schedules.upsert(client, ids.watch_schedule_id(src.source_id), schedule_for(src, task_queue))


async def pause(client: Client, source_id: str, *, paused: bool, note: str) -> None:
    handle = client.get_schedule_handle(ids.watch_schedule_id(source_id))
    if paused:
        await handle.pause(note=note)
    else:
        await handle.unpause(note=note)


@dataclass(frozen=True)
class ScheduleView:
    exists: bool
    paused: bool = False
    next_run: datetime | None = None


async def state_of(client: Client, source_id: str) -> ScheduleView:
    try:
        desc = await client.get_schedule_handle(ids.watch_schedule_id(source_id)).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return ScheduleView(exists=False)
        raise
    upcoming = desc.info.next_action_times
    return ScheduleView(
        exists=True, paused=desc.schedule.state.paused, next_run=upcoming[0] if upcoming else None
    )


@dataclass(frozen=True)
class Health:
    ok: bool
    flag: str  # "" when ok: "failing: ...", "quiet since ...", "never polled"


def health(src: WatchSource, *, now: datetime) -> Health:
    """Whether a source looks healthy: its last poll succeeded, and it produced something new
    within its expected period (QUIET_INTERVALS intervals, at least MIN_QUIET)."""
    every = timedelta(seconds=src.every_seconds)
    if src.last_error:  # a successful poll clears it (activities/store/watch.py, record_poll)
        return Health(False, f"failing: {src.last_error}")
    if src.last_polled_at is None:
        if now - src.created_at > 2 * every:
            return Health(False, "never polled: is a worker running?")
        return Health(True, "")
    if src.kind == "time":
        return Health(True, "")
    quiet_for = max(every * QUIET_INTERVALS, MIN_QUIET)
    last_new = src.last_new_at or src.created_at
    if now - last_new > quiet_for:
        return Health(False, f"nothing new since {last_new.astimezone(UTC):%Y-%m-%d}")
    return Health(True, "")
