"""Outcomes the store never learned: sequences Temporal ended without letting them run their
last step (terminated from the UI or CLI, timed out, failed), recorded `cancelled`.

A sequence writes its own outcome as its last activity (workflows/sequence.py). One that is
terminated, times out or fails never gets there, and the store would show the account enrolled
for ever: every later plan would leave it out as "already in a running sequence". The
reconciler lists such sequences through Temporal's visibility, reads each one's input from the
first event of its history, and records the outcome the way the sequence would have
(Store.record_outcome, which keeps the first outcome of a sequence, so running twice is once).

`cancelled` is the outcome a CSM's cancel gives too: it leaves no cool-off, so the account is
as free for the next campaign as after a cancel (campaigns/contactability.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.failures import classified
from activities.store import Store
from contracts import ids
from contracts.reconcile import MAX_LISTED, ReconcileRequest, ReconcileResult
from contracts.sequence import CANCELLED, OutcomeRecord, SequenceInput

__all__ = [
    "TOUCH_ACTIVITIES",
    "ClosedRun",
    "Ending",
    "ReconcileActivities",
    "Reconciler",
    "SequenceRuns",
    "TemporalRuns",
    "Unreadable",
    "closed_query",
    "outcome_for",
    "read_history",
]

TERMINATED: Final = "terminated"
TIMED_OUT: Final = "timed_out"
FAILED: Final = "failed"
# The statuses that end a sequence before its last step; a cancel is not one of them (the
# sequence catches it and records `cancelled` itself), nor is a normal completion.
CLOSED_STATUSES: Final = {
    WorkflowExecutionStatus.TERMINATED: TERMINATED,
    WorkflowExecutionStatus.TIMED_OUT: TIMED_OUT,
    WorkflowExecutionStatus.FAILED: FAILED,
}
_CLOSE_EVENTS: Final = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: FAILED,
}
# The sequence's activities that carry out a touch: one completed is one touch done, as the
# workflow counts them (an email sent, a task handed to its owner; workflows/sequence_requests.py).
TOUCH_ACTIVITIES: Final = frozenset({"send_email", "assign_task"})
# A termination reason is whatever someone typed in the UI or CLI: one line, and short.
MAX_REASON: Final = 300
# Visibility rows per page, and histories read at once.
PAGE_SIZE: Final = 200
CONCURRENCY: Final = 8


@dataclass(frozen=True)
class ClosedRun:
    """One closed run of a sequence, as visibility lists it."""

    workflow_id: str
    run_id: str
    status: str  # TERMINATED, TIMED_OUT or FAILED
    closed_at: datetime


@dataclass(frozen=True)
class Ending:
    """What a closed run's history tells about it."""

    inp: SequenceInput
    first_run_id: str  # the store keys a sequence by its first run (a reset keeps it)
    started_at: datetime
    closed_at: datetime
    status: str
    termination_reason: str  # "" unless terminated with a reason
    touches_done: int


class Unreadable(Exception):
    """A run whose history cannot tell its ending (gone with the namespace's retention, or an
    input this worker cannot decode). The text names no person."""


class SequenceRuns(Protocol):
    """Where the reconciler learns about closed sequences: Temporal (TemporalRuns), or a test's
    own list."""

    def closed(self, *, after: datetime) -> AsyncIterator[Sequence[ClosedRun]]:
        """Pages of the sequences that were terminated, timed out or failed after `after`."""
        ...

    async def ending(self, run: ClosedRun) -> Ending:
        """The run's input and end from its history; Unreadable when it cannot tell."""
        ...

    async def open_first_run_id(self, workflow_id: str) -> str | None:
        """The first run id of the sequence running under this id now, if one is."""
        ...


def closed_query(task_queue: str, after: datetime) -> str:
    """The visibility query for the sequences of one deployment that Temporal ended before their
    last step. Tested on the dev server's SQLite visibility (which has no ORDER BY) and valid on
    every SQL and Elasticsearch visibility store."""
    statuses = ",".join(f"'{s}'" for s in ("Terminated", "TimedOut", "Failed"))
    return (
        f"WorkflowType = '{ids.SEQUENCE_WORKFLOW}' AND ExecutionStatus IN ({statuses}) "
        f"AND CloseTime > '{_rfc3339(after)}' AND TaskQueue = {_literal(task_queue)}"
    )


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _literal(text: str) -> str:
    """A string literal of the visibility query language, which has no escapes."""
    for quote in ("'", '"'):
        if quote not in text and "\\" not in text:
            return f"{quote}{text}{quote}"
    raise ValueError("the task queue's name has quotes or a backslash; the reconciler cannot query it")


@dataclass(frozen=True)
class _Read:
    """A history without its decoded input."""

    first_run_id: str
    started_at: datetime
    closed_at: datetime
    status: str
    termination_reason: str
    touches_done: int


def read_history(events: Sequence[HistoryEvent]) -> _Read:
    """How a closed run began and ended, and how many touches it carried out. Pure: the
    events as Temporal keeps them; the input is decoded apart (it may need a codec)."""
    if not events or not events[0].HasField("workflow_execution_started_event_attributes"):
        raise Unreadable("its history has no start event")
    first, last = events[0], events[-1]
    status = _CLOSE_EVENTS.get(last.event_type)
    if status is None:
        raise Unreadable("its history does not end in a termination, a time-out or a failure")
    started = first.workflow_execution_started_event_attributes
    reason = ""
    if status == TERMINATED:
        reason = " ".join(last.workflow_execution_terminated_event_attributes.reason.split())
    touch_tasks = {
        e.event_id
        for e in events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name in TOUCH_ACTIVITIES
    }
    done = sum(
        1
        for e in events
        if e.HasField("activity_task_completed_event_attributes")
        and e.activity_task_completed_event_attributes.scheduled_event_id in touch_tasks
    )
    return _Read(
        # A continued or reset run names the first; the first run names itself (or nothing).
        first_run_id=started.first_execution_run_id or started.original_execution_run_id,
        started_at=first.event_time.ToDatetime(tzinfo=UTC),
        closed_at=last.event_time.ToDatetime(tzinfo=UTC),
        status=status,
        termination_reason=reason[:MAX_REASON],
        touches_done=done,
    )


def outcome_for(run: ClosedRun, ending: Ending) -> OutcomeRecord:
    """The outcome the sequence would have recorded had it been let finish: `cancelled`, with
    what ended it as the reason, ended when Temporal closed it."""
    if ending.status == TERMINATED:
        why = "terminated in Temporal"
        if ending.termination_reason:
            why = f"{why}: {ending.termination_reason}"
    elif ending.status == TIMED_OUT:
        why = "timed out in Temporal"
    else:
        why = "failed in Temporal"
    inp = ending.inp
    return OutcomeRecord(
        workflow_id=run.workflow_id,
        run_id=ending.first_run_id or run.run_id,
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        playbook_id=inp.plan.playbook_id,
        outcome=CANCELLED,
        reason=why,
        contact_email=inp.contacts.primary.email,
        started_at=ending.started_at,
        ended_at=ending.closed_at,
        touches_done=ending.touches_done,
        cool_off=inp.cool_off,
    )


class TemporalRuns:
    """Closed sequences of one task queue, through the client's visibility and histories. The
    input is decoded with the client's own data converter, so a payload codec (encryption)
    configured on the client applies here too."""

    def __init__(self, client: Client, task_queue: str, *, page_size: int = PAGE_SIZE) -> None:
        self.client = client
        self.task_queue = task_queue
        self.page_size = page_size

    async def closed(self, *, after: datetime) -> AsyncIterator[Sequence[ClosedRun]]:
        page: list[ClosedRun] = []
        query = closed_query(self.task_queue, after)
        async for found in self.client.list_workflows(query, page_size=self.page_size):
            status = CLOSED_STATUSES.get(found.status) if found.status is not None else None
            if status is None:  # the query asked for these three only
                continue
            page.append(ClosedRun(found.id, found.run_id, status, found.close_time or after))
            if len(page) >= self.page_size:
                yield page
                page = []
        if page:
            yield page

    async def ending(self, run: ClosedRun) -> Ending:
        handle = self.client.get_workflow_handle(run.workflow_id, run_id=run.run_id)
        try:
            events = [e async for e in handle.fetch_history_events()]
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise Unreadable("its history is gone (the namespace's retention)") from None
            raise
        read = read_history(events)
        attrs = events[0].workflow_execution_started_event_attributes
        try:
            values = await self.client.data_converter.decode_wrapper(attrs.input, [SequenceInput])
        except Exception as err:
            # Named by class only: a decoder's text may quote the payload.
            raise Unreadable(f"its input could not be decoded ({type(err).__name__})") from None
        if len(values) != 1 or not isinstance(values[0], SequenceInput):
            raise Unreadable("its input is not a sequence's input")
        return Ending(
            inp=values[0],
            first_run_id=read.first_run_id or run.run_id,
            started_at=read.started_at,
            closed_at=read.closed_at,
            status=read.status,
            termination_reason=read.termination_reason,
            touches_done=read.touches_done,
        )

    async def open_first_run_id(self, workflow_id: str) -> str | None:
        handle = self.client.get_workflow_handle(workflow_id)
        try:
            desc = await handle.describe()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
        if desc.status != WorkflowExecutionStatus.RUNNING:
            return None
        first = desc.raw_description.workflow_execution_info.first_run_id
        if first:
            return first
        # Servers that do not describe it: the open run's first event names it.
        running = self.client.get_workflow_handle(workflow_id, run_id=desc.run_id)
        async for event in running.fetch_history_events(page_size=1):
            started = event.workflow_execution_started_event_attributes
            return started.first_execution_run_id or desc.run_id
        return desc.run_id


class Reconciler:
    """The reconciliation, apart from Temporal's activity plumbing (`winback reconcile` runs it
    in its own process)."""

    def __init__(self, runs: SequenceRuns, store: Store, *, concurrency: int = CONCURRENCY) -> None:
        self.runs = runs
        self.store = store
        self.concurrency = concurrency

    async def run(
        self, closed_after: datetime, *, progress: Callable[[ReconcileResult], None] | None = None
    ) -> ReconcileResult:
        result = ReconcileResult()
        seen: set[tuple[str, str]] = set()  # (workflow id, first run id) decided in this run
        async for page in self.runs.closed(after=closed_after):
            result.closed += len(page)
            # The first run is the store's key; for nearly every sequence it is the closed run.
            keys = [(r.workflow_id, r.run_id) for r in page]
            known = await asyncio.to_thread(self.store.with_outcome, keys)
            todo = [r for r in page if (r.workflow_id, r.run_id) not in known]
            result.already_recorded += len(page) - len(todo)
            read = await self._read_all(todo, result)
            # A reset or continued run is known by its first run: ask again for those.
            later = [(r.workflow_id, e.first_run_id) for r, e in read if e.first_run_id != r.run_id]
            known = await asyncio.to_thread(self.store.with_outcome, later) if later else set()
            for run, ending in read:
                key = (run.workflow_id, ending.first_run_id)
                if key in known or key in seen:
                    result.already_recorded += 1
                    continue
                seen.add(key)
                # A reset terminates the run it replaces while the sequence goes on in the new
                # one, under the same first run id: that sequence has not ended.
                if await self.runs.open_first_run_id(run.workflow_id) == ending.first_run_id:
                    result.continued += 1
                    continue
                await asyncio.to_thread(self.store.record_outcome, outcome_for(run, ending))
                result.recorded += 1
                if len(result.recorded_ids) < MAX_LISTED:
                    result.recorded_ids.append(run.workflow_id)
            if progress is not None:
                progress(result)
        return result

    async def _read_all(
        self, runs: Sequence[ClosedRun], result: ReconcileResult
    ) -> list[tuple[ClosedRun, Ending]]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(run: ClosedRun) -> tuple[ClosedRun, Ending | str]:
            async with gate:
                try:
                    return run, await self.runs.ending(run)
                except Unreadable as err:
                    return run, str(err)

        read: list[tuple[ClosedRun, Ending]] = []
        for run, got in await asyncio.gather(*(one(r) for r in runs)):
            if isinstance(got, Ending):
                read.append((run, got))
                continue
            result.failed += 1
            if len(result.failures) < MAX_LISTED:
                result.failures.append(f"{run.workflow_id}: {got}")
        return read


class ReconcileActivities:
    """The reconcile workflow's one activity; holds the client and the store it needs."""

    def __init__(
        self, client: Client, store: Store, *, task_queue: str, runs: SequenceRuns | None = None
    ) -> None:
        self.client = client
        self.store = store
        self.task_queue = task_queue  # the sequences' queue: this deployment's, no other's
        self.runs = runs or TemporalRuns(client, task_queue)

    @activity.defn
    async def reconcile_outcomes(self, req: ReconcileRequest) -> ReconcileResult:
        reconciler = Reconciler(self.runs, self.store)
        # A store that is down is retried within the policy's bound (activities/failures.py).
        with classified("reconciling outcomes"):
            try:
                result = await reconciler.run(req.closed_after, progress=_heartbeat)
            except RPCError as err:
                # Temporal's own words (a refused query, an unreachable frontend): no personal
                # data. A query it refuses is refused again on a retry.
                raise ApplicationError(
                    f"reconciling outcomes: Temporal answered {err.status.name}: {err.message}",
                    type="TemporalUnavailable",
                    non_retryable=err.status == RPCStatusCode.INVALID_ARGUMENT,
                ) from None
        # Counts and workflow ids only: a termination reason is free text someone typed.
        activity.logger.info(
            "reconciled %d closed sequences: %d outcomes recorded, %d already recorded, "
            "%d continued, %d unreadable",
            result.closed,
            result.recorded,
            result.already_recorded,
            result.continued,
            result.failed,
        )
        return result


def _heartbeat(result: ReconcileResult) -> None:
    activity.heartbeat(result.closed, result.recorded)
