"""Closed runs as Temporal keeps them, for the reconciler (activities/reconcile.py): which
sequences and saves it terminated, timed out or failed (visibility), and what each one's history
tells (its input, first run, start, end and termination reason).

Pure reading: nothing here writes to the store. The history is read as Temporal keeps it
(read_history); the input is decoded apart with the client's data converter, so a payload codec
(encryption) configured on the client applies here too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from contracts import ids
from contracts.saves import SaveInput
from contracts.sequence import SequenceInput

__all__ = [
    "FAILED",
    "INPUTS",
    "TERMINATED",
    "TIMED_OUT",
    "TOUCH_ACTIVITIES",
    "ClosedRun",
    "ClosedRuns",
    "Ending",
    "TemporalRuns",
    "Unreadable",
    "closed_query",
    "read_history",
]

TERMINATED: Final = "terminated"
TIMED_OUT: Final = "timed_out"
FAILED: Final = "failed"
# The statuses that end a sequence or a save before its last step; a cancel is not one of them
# (the workflow catches it and records `cancelled` itself), nor is a normal completion.
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
# The workflows whose outcome the reconciler records, and the input each one starts with.
INPUTS: Final[dict[str, type[SequenceInput] | type[SaveInput]]] = {
    ids.SEQUENCE_WORKFLOW: SequenceInput,
    ids.SAVE_WORKFLOW: SaveInput,
}
# The sequence's activities that carry out a touch: one completed is one touch done, as the
# workflow counts them (an email sent, a task handed to its owner; workflows/sequence_requests.py).
TOUCH_ACTIVITIES: Final = frozenset({"send_email", "assign_task"})
# A termination reason is whatever someone typed in the UI or CLI: one line, and short.
MAX_REASON: Final = 300
# Visibility rows per page.
PAGE_SIZE: Final = 200


@dataclass(frozen=True)
class ClosedRun:
    """One closed run of a sequence or a save, as visibility lists it."""

    workflow_id: str
    run_id: str
    status: str  # TERMINATED, TIMED_OUT or FAILED
    closed_at: datetime
    workflow_type: str = ids.SEQUENCE_WORKFLOW  # a key of INPUTS


@dataclass(frozen=True)
class Ending:
    """What a closed run's history tells about it."""

    inp: SequenceInput | SaveInput  # as INPUTS has it for the run's workflow type
    first_run_id: str  # the store keys a sequence or save by its first run (a reset keeps it)
    started_at: datetime
    closed_at: datetime
    status: str
    termination_reason: str  # "" unless terminated with a reason
    touches_done: int  # a sequence's; a save records no touches


class Unreadable(Exception):
    """A run whose history cannot tell its ending (gone with the namespace's retention, or an
    input this worker cannot decode). The text names no person."""


class ClosedRuns(Protocol):
    """Where the reconciler learns about closed sequences and saves: Temporal (TemporalRuns), or
    a test's own list."""

    def closed(self, *, after: datetime) -> AsyncIterator[Sequence[ClosedRun]]:
        """Pages of the sequences and saves that were terminated, timed out or failed after `after`."""
        ...

    async def ending(self, run: ClosedRun) -> Ending:
        """The run's input and end from its history; Unreadable when it cannot tell."""
        ...

    async def open_first_run_id(self, workflow_id: str) -> str | None:
        """The first run id of the workflow running under this id now, if one is."""
        ...


def closed_query(task_queue: str, after: datetime) -> str:
    """The visibility query for the sequences and saves of one deployment that Temporal ended
    before their last step. Tested on the dev server's SQLite visibility (which has no ORDER BY)
    and valid on every SQL and Elasticsearch visibility store."""
    types = ",".join(f"'{t}'" for t in INPUTS)
    statuses = ",".join(f"'{s}'" for s in ("Terminated", "TimedOut", "Failed"))
    return (
        f"WorkflowType IN ({types}) AND ExecutionStatus IN ({statuses}) "
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


class TemporalRuns:
    """Closed sequences and saves of one task queue, through the client's visibility and
    histories. The input is decoded with the client's own data converter, so a payload codec
    (encryption) configured on the client applies here too."""

    def __init__(self, client: Client, task_queue: str, *, page_size: int = PAGE_SIZE) -> None:
        self.client = client
        self.task_queue = task_queue
        self.page_size = page_size

    async def closed(self, *, after: datetime) -> AsyncIterator[Sequence[ClosedRun]]:
        page: list[ClosedRun] = []
        query = closed_query(self.task_queue, after)
        async for found in self.client.list_workflows(query, page_size=self.page_size):
            status = CLOSED_STATUSES.get(found.status) if found.status is not None else None
            if status is None or found.workflow_type not in INPUTS:  # the query asked for these only
                continue
            closed_at = found.close_time or after
            page.append(ClosedRun(found.id, found.run_id, status, closed_at, found.workflow_type))
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
        wanted = INPUTS.get(attrs.workflow_type.name)
        if wanted is None:
            raise Unreadable(f"it is a {attrs.workflow_type.name[:40]}, not a sequence or a save")
        try:
            values = await self.client.data_converter.decode_wrapper(attrs.input, [wanted])
        except Exception as err:
            # Named by class only: a decoder's text may quote the payload.
            raise Unreadable(f"its input could not be decoded ({type(err).__name__})") from None
        if len(values) != 1 or not isinstance(values[0], wanted):
            raise Unreadable(f"its input is not a {attrs.workflow_type.name}'s input")
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
