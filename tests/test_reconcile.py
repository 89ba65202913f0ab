"""The reconciler: a sequence Temporal terminated, timed out or failed gets the outcome it never
recorded (`cancelled`, with what ended it), once; one that recorded its own is left alone, and so
is one a reset continued. The activity runs as Temporal runs it (ActivityEnvironment) on a real
store, SQLite and PostgreSQL, with the closed sequences from a list instead of visibility; the
history reading runs on committed histories. The Schedule, the real dev server's visibility and
`winback reconcile` are in tests/test_reconcile_e2e.py."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter, PayloadCodec
from temporalio.testing import ActivityEnvironment

from activities.reconcile import ReconcileActivities
from activities.reconcile_runs import (
    FAILED,
    TERMINATED,
    TIMED_OUT,
    TOUCH_ACTIVITIES,
    ClosedRun,
    Ending,
    TemporalRuns,
    Unreadable,
    closed_query,
    read_history,
)
from activities.sequence import SequenceActivities
from activities.store import Store, schema
from campaigns.model import Enrolment
from contracts.reconcile import MAX_LISTED, ReconcileRequest, ReconcileResult
from contracts.sequence import CANCELLED, DECLINED, OutcomeRecord, SequenceInput
from tests.factories import make_account, sequence_input

HISTORIES = Path(__file__).parent / "histories"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WEEK_AGO = NOW - timedelta(days=7)


def history(name: str) -> list[HistoryEvent]:
    path = HISTORIES / name
    return list(WorkflowHistory.from_json(path.stem, path.read_text()).events)


def run_of(
    account_id: str, *, status: str = TERMINATED, run_id: str = "", closed: datetime = NOW
) -> ClosedRun:
    return ClosedRun(f"winback-{account_id}", run_id or f"run-{account_id}", status, closed)


def ending_of(
    run: ClosedRun,
    *,
    reason: str = "",
    touches: int = 2,
    first_run_id: str = "",
    campaign: str = "spring-2026",
) -> Ending:
    account = make_account(account_id=run.workflow_id.removeprefix("winback-"))
    return Ending(
        inp=replace(sequence_input(account), campaign_id=campaign),
        first_run_id=first_run_id or run.run_id,
        started_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        closed_at=run.closed_at,
        status=run.status,
        termination_reason=reason,
        touches_done=touches,
    )


class ListedRuns:
    """Closed sequences from a list, in pages, as TemporalRuns gives them from visibility; records
    which histories were read."""

    def __init__(
        self,
        found: Sequence[tuple[ClosedRun, Ending | str]],
        *,
        running: dict[str, str] | None = None,
        page_size: int = 2,
    ) -> None:
        self.found = list(found)
        self.running = running or {}  # workflow id -> the first run id of its open run
        self.page_size = page_size
        self.asked_after: list[datetime] = []
        self.read: list[str] = []

    async def closed(self, *, after: datetime) -> AsyncIterator[Sequence[ClosedRun]]:
        self.asked_after.append(after)
        runs = [run for run, _ in self.found if run.closed_at > after]
        for start in range(0, len(runs), self.page_size):
            yield runs[start : start + self.page_size]

    async def ending(self, run: ClosedRun) -> Ending:
        self.read.append(run.workflow_id)
        got = dict(self.found)[run]
        if isinstance(got, str):
            raise Unreadable(got)
        return got

    async def open_first_run_id(self, workflow_id: str) -> str | None:
        return self.running.get(workflow_id)


async def reconcile(
    store: Store, runs: ListedRuns, *, after: datetime = WEEK_AGO, env: ActivityEnvironment | None = None
) -> ReconcileResult:
    acts = ReconcileActivities(None, store, task_queue="winback", runs=runs)  # type: ignore[arg-type]
    return await (env or ActivityEnvironment()).run(
        acts.reconcile_outcomes, ReconcileRequest(closed_after=after)
    )


def started(run: ClosedRun, campaign: str = "spring-2026") -> Enrolment:
    """The enrolment a launch wrote when it started the sequence."""
    return Enrolment(
        account_id=run.workflow_id.removeprefix("winback-"),
        campaign_id=campaign,
        workflow_id=run.workflow_id,
        run_id=run.run_id,
        started_on="2026-11-02",
    )


def row(store: Store, workflow_id: str) -> dict[str, Any]:
    e = schema.enrolments
    with store.engine.connect() as conn:
        [found] = conn.execute(select(e).where(e.c.workflow_id == workflow_id)).mappings().all()
    return dict(found)


# --- the activity, on a real store ----------------------------------------------------------


async def test_a_terminated_sequence_gets_cancelled_with_the_reason_its_close_and_its_touches(
    store: Store,
) -> None:
    run = run_of("ACC-1", closed=datetime(2026, 11, 27, 16, 45, tzinfo=UTC))
    store.record_started([started(run)])
    runs = ListedRuns([(run, ending_of(run, reason="customer asked us to stop, by phone", touches=2))])

    result = await reconcile(store, runs)

    assert (result.closed, result.recorded, result.already_recorded, result.failed) == (1, 1, 0, 0)
    assert result.recorded_ids == ["winback-ACC-1"]
    got = row(store, "winback-ACC-1")
    assert got["outcome"] == CANCELLED
    assert got["reason"] == "terminated in Temporal: customer asked us to stop, by phone"
    assert (got["ended_on"], got["touches_done"], got["run_id"]) == (date(2026, 11, 27), 2, run.run_id)
    assert got["started_on"] == date(2026, 11, 2) and got["playbook_id"] == "product_gap"
    # The account is free again for the next campaign: it no longer runs, and a cancel rests nobody.
    assert [e.ended_on for e in store.enrolments_for_plan("autumn-2026")] == []
    assert store.preferences(as_of=date(2026, 12, 1)) == []
    assert store.outcome_counts("spring-2026")["cancelled"] == 1


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (TERMINATED, "", "terminated in Temporal"),
        (TIMED_OUT, "", "timed out in Temporal"),
        (FAILED, "", "failed in Temporal"),
    ],
)
async def test_each_way_temporal_ends_a_sequence_has_its_reason(
    store: Store, status: str, reason: str, expected: str
) -> None:
    run = run_of("ACC-2", status=status)
    store.record_started([started(run)])
    result = await reconcile(store, ListedRuns([(run, ending_of(run, reason=reason))]))
    assert result.recorded == 1
    assert (row(store, run.workflow_id)["outcome"], row(store, run.workflow_id)["reason"]) == (
        CANCELLED,
        expected,
    )


async def test_a_sequence_that_recorded_its_own_outcome_is_left_alone_and_its_history_not_read(
    store: Store,
) -> None:
    # Declined, recorded, then terminated while it waited for a signal handler to finish.
    run = run_of("ACC-3")
    store.record_started([started(run)])
    own = OutcomeRecord(
        workflow_id=run.workflow_id,
        run_id=run.run_id,
        account_id="ACC-3",
        campaign_id="spring-2026",
        playbook_id="product_gap",
        outcome=DECLINED,
        reason="went with a competitor",
        contact_email="aino@revontuli.example",
        started_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        ended_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        touches_done=2,
    )
    store.record_outcome(own)
    runs = ListedRuns([(run, ending_of(run, reason="cleanup"))])

    result = await reconcile(store, runs)

    assert (result.closed, result.already_recorded, result.recorded) == (1, 1, 0)
    assert runs.read == []
    got = row(store, run.workflow_id)
    assert (got["outcome"], got["reason"], got["ended_on"]) == (
        DECLINED,
        "went with a competitor",
        date(2026, 11, 20),
    )


async def test_reconciling_twice_records_once(store: Store) -> None:
    run = run_of("ACC-4")
    store.record_started([started(run)])
    runs = ListedRuns([(run, ending_of(run, reason="duplicate account"))])
    first = await reconcile(store, runs)
    second = await reconcile(store, runs)
    assert (first.recorded, second.recorded, second.already_recorded) == (1, 0, 1)
    assert store.outcome_counts("spring-2026")["cancelled"] == 1


async def test_a_sequence_the_store_never_saw_start_is_recorded_too(store: Store) -> None:
    # The launch died between starting it and writing it down: the store learns both at once.
    run = run_of("ACC-5")
    result = await reconcile(store, ListedRuns([(run, ending_of(run))]))
    assert result.recorded == 1
    assert [(e.account_id, e.outcome) for e in store.enrolments_for_plan("spring-2026")] == [
        ("ACC-5", CANCELLED)
    ]


async def test_a_run_a_reset_replaced_is_not_the_end_of_its_sequence(store: Store) -> None:
    # A reset terminates the old run and goes on in a new one with the same first run id.
    reset = run_of("ACC-6")
    # Terminated; the account runs a newer sequence (another campaign): that is another first run.
    ended = run_of("ACC-7")
    store.record_started([started(reset), started(ended)])
    runs = ListedRuns(
        [(reset, ending_of(reset, reason="resetting")), (ended, ending_of(ended))],
        running={reset.workflow_id: reset.run_id, ended.workflow_id: "run-of-a-newer-sequence"},
    )

    result = await reconcile(store, runs)

    assert (result.closed, result.continued, result.recorded) == (2, 1, 1)
    assert row(store, reset.workflow_id)["outcome"] is None
    assert row(store, ended.workflow_id)["outcome"] == CANCELLED


async def test_a_later_run_is_recorded_under_its_sequence_s_first_run(store: Store) -> None:
    # A reset's run that was terminated in its turn: the store knows the sequence by its first run.
    first = run_of("ACC-8", run_id="run-first")
    later = run_of("ACC-8", run_id="run-after-reset", closed=NOW - timedelta(hours=1))
    replaced = replace(first, closed_at=NOW - timedelta(hours=2))
    store.record_started([started(first)])
    runs = ListedRuns(
        [
            (later, ending_of(later, reason="stop it", first_run_id="run-first")),
            (replaced, ending_of(replaced, reason="resetting", first_run_id="run-first")),
        ]
    )

    result = await reconcile(store, runs)

    assert (result.closed, result.recorded, result.already_recorded) == (2, 1, 1)
    got = row(store, "winback-ACC-8")
    assert (got["run_id"], got["reason"]) == ("run-first", "terminated in Temporal: stop it")
    # Once recorded, a later pass knows it by the first run without deciding again.
    again = await reconcile(store, runs)
    assert (again.recorded, again.already_recorded) == (0, 2)


async def test_an_unreadable_run_is_reported_and_the_others_are_still_recorded(store: Store) -> None:
    gone = run_of("ACC-9")
    fine = run_of("ACC-10")
    runs = ListedRuns([(gone, "its history is gone (the namespace's retention)"), (fine, ending_of(fine))])
    result = await reconcile(store, runs)
    assert (result.failed, result.recorded) == (1, 1)
    assert result.failures == ["winback-ACC-9: its history is gone (the namespace's retention)"]


async def test_the_window_is_the_request_s_and_each_page_heartbeats(store: Store) -> None:
    found: list[tuple[ClosedRun, Ending | str]] = []
    for n in range(1, 6):
        run = run_of(f"ACC-{n}", closed=NOW - timedelta(days=n * 2))  # 2, 4, 6, 8, 10 days ago
        found.append((run, ending_of(run)))
    runs = ListedRuns(found, page_size=2)
    env = ActivityEnvironment()
    beats: list[Sequence[Any]] = []
    env.on_heartbeat = lambda *details: beats.append(details)

    result = await reconcile(store, runs, env=env)

    assert runs.asked_after == [WEEK_AGO]
    assert (result.closed, result.recorded) == (3, 3)  # 8 and 10 days ago are outside the week
    assert [list(b) for b in beats] == [[2, 2], [3, 3]]


async def test_the_result_lists_only_the_first_few_ids(store: Store) -> None:
    found: list[tuple[ClosedRun, Ending | str]] = []
    for n in range(MAX_LISTED + 5):
        run = run_of(f"ACC-{n}")
        found.append((run, ending_of(run) if n % 2 else "unreadable"))
    result = await reconcile(store, ListedRuns(found, page_size=7))
    assert result.recorded + result.failed == MAX_LISTED + 5
    assert len(result.recorded_ids) == result.recorded and len(result.failures) == result.failed
    assert len(result.recorded_ids) <= MAX_LISTED and len(result.failures) <= MAX_LISTED


# --- what a history tells -------------------------------------------------------------------


def terminated_after(events: list[HistoryEvent], last_id: int, reason: str) -> list[HistoryEvent]:
    """The history as it would read had someone terminated the sequence after event `last_id`."""
    kept = [e for e in events if e.event_id <= last_id]
    end = HistoryEvent(event_id=last_id + 1, event_type=EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED)
    end.event_time.CopyFrom(kept[-1].event_time)
    end.workflow_execution_terminated_event_attributes.reason = reason
    return [*kept, end]


def test_a_history_tells_its_first_run_its_times_the_reason_and_the_touches_carried_out() -> None:
    events = history("sequence_t1_full.json")  # email, three tasks, email
    # Terminated while touch 3's task was open: touch 1's email went, touch 2's task was handed out.
    cut = terminated_after(events, 50, "customer asked us\nto stop")
    read = read_history(cut)
    started = events[0].workflow_execution_started_event_attributes
    assert read.first_run_id == started.first_execution_run_id != ""
    assert read.started_at == events[0].event_time.ToDatetime(tzinfo=UTC)
    assert read.closed_at == events[49].event_time.ToDatetime(tzinfo=UTC)
    assert (read.status, read.termination_reason, read.touches_done) == (
        TERMINATED,
        "customer asked us to stop",  # one line
        2,
    )
    assert read_history(terminated_after(events, 10, "")).touches_done == 0  # before any touch
    assert read_history(terminated_after(events, 110, "x" * 1000)).touches_done == 5
    assert len(read_history(terminated_after(events, 110, "x" * 1000)).termination_reason) == 300


def test_a_render_that_failed_or_only_started_is_no_touch() -> None:
    events = history("sequence_t3_declined_outcome.json")  # one email, declined, outcome recorded
    # Terminated after the email's activity was scheduled but before it completed.
    assert read_history(terminated_after(events, 19, "")).touches_done == 0
    assert read_history(terminated_after(events, 20, "")).touches_done == 1


def test_a_history_that_did_not_end_in_temporal_s_hands_is_unreadable() -> None:
    with pytest.raises(Unreadable, match="does not end in a termination"):
        read_history(history("sequence_t3_declined_outcome.json"))  # completed normally
    with pytest.raises(Unreadable, match="no start event"):
        read_history([])


def test_the_touch_activities_are_the_sequence_s() -> None:
    names = {SequenceActivities.send_email.__name__, SequenceActivities.assign_task.__name__}
    assert names == TOUCH_ACTIVITIES
    defined = {activity._Definition.must_from_callable(getattr(SequenceActivities, n)).name for n in names}
    assert defined == TOUCH_ACTIVITIES


def test_the_query_asks_for_one_queue_s_sequences_and_saves_temporal_ended() -> None:
    after = datetime(2026, 11, 23, 10, 0, 30, 123456, tzinfo=UTC)
    assert closed_query("winback", after) == (
        "WorkflowType IN ('SequenceWorkflow','SaveWorkflow') "
        "AND ExecutionStatus IN ('Terminated','TimedOut','Failed') "
        "AND CloseTime > '2026-11-23T10:00:30Z' AND TaskQueue = 'winback'"
    )
    assert closed_query("it's", after).endswith("""TaskQueue = "it's\"""")
    with pytest.raises(ValueError, match="quotes or a backslash"):
        closed_query("""it's "odd\"""", after)


# --- reading through the client's data converter ------------------------------------------


class Compressing(PayloadCodec):
    """A codec like the encryption one a deployment adds: payloads in the history are not JSON."""

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(metadata={"encoding": b"binary/zlib"}, data=zlib.compress(p.SerializeToString()))
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            assert p.metadata["encoding"] == b"binary/zlib", "the codec was skipped"
            out.append(Payload.FromString(zlib.decompress(p.data)))
        return out


class HistoryHandle:
    def __init__(self, events: list[HistoryEvent]) -> None:
        self.events = events

    async def fetch_history_events(self, **_: Any) -> AsyncIterator[HistoryEvent]:
        for e in self.events:
            yield e


class HistoryClient:
    """The two things TemporalRuns.ending asks of a client: a run's history, its data converter."""

    def __init__(self, events: list[HistoryEvent], converter: DataConverter) -> None:
        self.events = events
        self.data_converter = converter

    def get_workflow_handle(self, workflow_id: str, *, run_id: str | None = None) -> HistoryHandle:
        return HistoryHandle(self.events)


async def test_the_input_is_decoded_with_the_client_s_codec() -> None:
    converter = DataConverter(payload_codec=Compressing())
    inp = sequence_input(make_account(account_id="ACC-C"))
    events = terminated_after(history("sequence_t3_declined_outcome.json"), 20, "by hand")
    started = events[0].workflow_execution_started_event_attributes
    started.input.CopyFrom(await converter.encode_wrapper([inp]))
    run = run_of("ACC-C")

    ending = await TemporalRuns(HistoryClient(events, converter), "winback").ending(run)  # type: ignore[arg-type]

    assert isinstance(ending.inp, SequenceInput) and ending.inp == inp
    assert (ending.touches_done, ending.termination_reason) == (1, "by hand")
    # Without the codec the input cannot be read, and the reason names no value.
    plain = TemporalRuns(HistoryClient(events, DataConverter.default), "winback")  # type: ignore[arg-type]
    with pytest.raises(Unreadable, match=r"its input could not be decoded \(\w+\)$"):
        await plain.ending(run)
