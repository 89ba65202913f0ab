"""The reconciler on the real dev server (the one `winback up` runs): its Schedule records a
sequence terminated from outside within one interval, and leaves alone a sequence that recorded
its own outcome and one a reset continued; `winback reconcile` does the same pass at once, for
saves too (and `winback saves report` then counts the terminated save); and `winback worker`
writes the Schedule when it starts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.email import OutboxTransport
from activities.launch import start_sequence
from activities.reconcile import ReconcileActivities, Reconciler
from activities.reconcile_runs import TemporalRuns, closed_query
from activities.saves import start_save
from activities.sequence import SequenceActivities
from activities.store import Store, schema
from activities.tasks import FolderTaskBoard
from campaigns.model import WEEKDAYS, Contact, Enrolment, Schedule
from contracts import ids
from contracts.reconcile import ReconcileResult
from contracts.saves import CANCELLED as SAVE_CANCELLED
from contracts.saves import SaveResult
from contracts.sequence import CANCELLED, DECLINED, DeclineNotice, SequenceInput
from tests.cli import REPO, env_for, winback
from tests.factories import make_account, make_campaign, sequence_input, temp_store
from tests.test_save import full_save
from winback import reconciler
from winback.worker import sequence_worker
from workflows.save import SaveWorkflow
from workflows.sequence import SequenceWorkflow

pytestmark = pytest.mark.integration

SECRET = "a-reconcile-test-secret-of-at-least-32-bytes"
WEEK = timedelta(days=7)


def now_input(account_id: str) -> SequenceInput:
    """The product-gap playbook with its first email due the moment the sequence starts: no
    sending window, weekend or holiday defers it; the second touch waits days."""
    always = Schedule(
        window_start="00:00", window_end="24:00", weekdays=WEEKDAYS, quarter_end_blackout_days=0
    )
    # An address of its own: a decline rests the address, and would stop the other sequences.
    contact = Contact(name="Aino Korhonen", email=f"aino.{account_id.lower()}@revontuli.example")
    account = make_account(account_id=account_id, country="", contact=contact)
    inp = sequence_input(account, make_campaign(schedule=always))
    assert inp.plan.touches[0].channel == "email" and inp.plan.touches[1].waits
    return inp


def activities_for(store: Store, folder: Path) -> SequenceActivities:
    return SequenceActivities(
        OutboxTransport(folder / "outbox"),
        FolderTaskBoard(folder / "tasks"),
        store,
        public_url="https://winback.example",
        unsubscribe_secret=SECRET.encode(),
    )


async def start(client: Client, queue: str, store: Store, account_id: str) -> WorkflowHandle[Any, Any]:
    """Start a sequence and write it down, as a launch does."""
    handle = await start_sequence(client, queue, now_input(account_id))
    store.record_started(
        [
            Enrolment(
                account_id=account_id,
                campaign_id="test-campaign",
                workflow_id=handle.id,
                run_id=handle.result_run_id or "",
                started_on=datetime.now(UTC).date().isoformat(),
            )
        ]
    )
    return handle


async def first_touch_sent(handle: WorkflowHandle[Any, Any]) -> None:
    for _ in range(300):
        status = await handle.query(SequenceWorkflow.status)
        if status.touches:
            assert [t.status for t in status.touches] == ["sent"]
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the first touch never went out")


async def reset_to_its_first_task(client: Client, handle: WorkflowHandle[Any, Any]) -> str:
    """What an operator's `temporal workflow reset` does: the run is terminated and the sequence
    goes on in a new run from its first workflow task."""
    events = (await handle.fetch_history()).events
    first_task = next(
        e.event_id for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    )
    reset = await client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=handle.id, run_id=handle.result_run_id or ""),
            reason="reset by an operator",
            workflow_task_finish_event_id=first_task,
            request_id=str(uuid.uuid4()),
        )
    )
    return reset.run_id


def enrolment(store: Store, workflow_id: str) -> dict[str, Any]:
    e = schema.enrolments
    with store.engine.connect() as conn:
        [found] = conn.execute(select(e).where(e.c.workflow_id == workflow_id)).mappings().all()
    return dict(found)


async def recorded(store: Store, workflow_id: str, within: timedelta) -> dict[str, Any]:
    deadline = time.monotonic() + within.total_seconds()
    while time.monotonic() < deadline:
        got = await asyncio.to_thread(enrolment, store, workflow_id)
        if got["outcome"] is not None:
            return got
        await asyncio.sleep(0.2)
    raise AssertionError(f"no outcome for {workflow_id} within {within}")


async def listed(client: Client, queue: str, count: int) -> None:
    """Visibility is eventually consistent: wait until it lists `count` closed sequences."""
    query = closed_query(queue, datetime.now(UTC) - WEEK)
    for _ in range(100):
        if len([w async for w in client.list_workflows(query)]) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"visibility never listed {count} closed sequences on {queue}")


async def test_the_schedule_records_a_terminated_sequence_within_one_interval_and_leaves_the_rest(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_env.client
    queue = f"reconcile-{uuid.uuid4().hex[:8]}"
    tag = uuid.uuid4().hex[:6]
    terminated, declined, reset = f"RT-{tag}", f"RD-{tag}", f"RR-{tag}"
    store = temp_store(tmp_path)
    reconcile = ReconcileActivities(client, store, task_queue=queue)
    every = timedelta(seconds=5)
    schedule = client.get_schedule_handle(ids.reconcile_schedule_id(queue))
    async with sequence_worker(client, queue, activities_for(store, tmp_path), reconcile=reconcile):
        handles = {
            account: await start(client, queue, store, account) for account in (terminated, declined, reset)
        }
        await first_touch_sent(handles[terminated])
        # Ended normally: it records its own outcome.
        await handles[declined].signal(SequenceWorkflow.mark_declined, DeclineNotice(reason="not interested"))
        assert (await handles[declined].result()).outcome == DECLINED
        # Reset: its run is terminated, the sequence goes on in the new one.
        new_run = await reset_to_its_first_task(client, handles[reset])

        assert await reconciler.upsert(client, queue, every)
        try:
            await handles[terminated].terminate(reason="customer asked us to stop, by phone")
            stopped = datetime.now(UTC)
            # One interval until the Schedule fires, plus the pass itself on a busy 2-core machine.
            got = await recorded(store, handles[terminated].id, within=every + timedelta(seconds=10))
            assert (got["outcome"], got["reason"]) == (
                CANCELLED,
                "terminated in Temporal: customer asked us to stop, by phone",
            )
            assert got["touches_done"] == 1 and got["run_id"] == handles[terminated].result_run_id
            assert got["ended_on"] in {stopped.date(), datetime.now(UTC).date()}

            # The same pass once more, now: the terminated one is known, the reset one goes on.
            result = await Reconciler(TemporalRuns(client, queue), store).run(datetime.now(UTC) - WEEK)
            assert (result.closed, result.already_recorded, result.continued, result.recorded) == (2, 1, 1, 0)

            # The Schedule's runs say what they did; together they recorded it once.
            runs = [
                w
                async for w in client.list_workflows(
                    f"WorkflowType = '{ids.RECONCILE_WORKFLOW}' AND TaskQueue = '{queue}'"
                )
                if w.status == WorkflowExecutionStatus.COMPLETED
            ]
            results = [
                await client.get_workflow_handle(w.id, run_id=w.run_id, result_type=ReconcileResult).result()
                for w in runs
            ]
            assert sum(r.recorded for r in results) == 1
            assert [r.recorded_ids for r in results if r.recorded] == [[handles[terminated].id]]

            # Written again (a second worker starting): updated, not a second Schedule.
            assert not await reconciler.upsert(client, queue, every)
        finally:
            await schedule.delete()
            await client.get_workflow_handle(handles[reset].id, run_id=new_run).terminate(reason="test over")
    assert (
        enrolment(store, handles[declined].id)["outcome"],
        enrolment(store, handles[declined].id)["reason"],
    ) == (
        DECLINED,
        "not interested",
    )
    assert enrolment(store, handles[reset].id)["outcome"] is None  # (terminated since, at the test's end)
    store.close()


async def test_winback_reconcile_records_at_once_and_says_how_many(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_env.client
    queue = f"reconcile-cli-{uuid.uuid4().hex[:8]}"
    account = f"RC-{uuid.uuid4().hex[:6]}"
    store = temp_store(tmp_path)  # the CLI's store: winback.db in WINBACK_DATA_DIR
    async with sequence_worker(client, queue, activities_for(store, tmp_path)):
        handle = await start(client, queue, store, account)
        await first_touch_sent(handle)
    await handle.terminate(reason="duplicate account")
    await listed(client, queue, 1)
    env = env_for(dev_env, tmp_path, queue)

    first = await winback("reconcile", env=env)
    assert first.code == 0, first.err
    assert first.out.splitlines() == [
        "1 outcome recorded: 1 sequence and 0 saves terminated, timed out or failed in Temporal in the "
        "last 7 days, "
        "0 already recorded, 0 continued after a reset, 0 unreadable",
        f"  recorded   {handle.id}: cancelled",
    ]
    got = enrolment(store, handle.id)
    assert (got["outcome"], got["reason"], got["touches_done"]) == (
        CANCELLED,
        "terminated in Temporal: duplicate account",
        1,
    )
    assert "@" not in first.out + first.err  # workflow ids and counts, never an address

    again = await winback("reconcile", "--days", "1", env=env)
    assert again.code == 0, again.err
    assert again.out.startswith(
        "0 outcomes recorded: 1 sequence and 0 saves terminated, timed out or failed in Temporal in the "
        "last 1 day, "
        "1 already recorded"
    )

    bad = await winback("reconcile", "--days", "0", env=env)
    assert (bad.code, bad.err) == (2, "--days: '0' is not a number of days from 1 to 90\n")
    store.close()


async def tasks_on_boards(handle: WorkflowHandle[Any, SaveResult]) -> None:
    """The save has handed its first tasks to their owners' boards."""
    for _ in range(300):
        status = await handle.query(SaveWorkflow.status)
        if any(t.board for t in status.tasks):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the save never opened a task")


async def test_winback_reconcile_records_a_terminated_save_once_leaves_a_reset_one_and_the_report_counts_it(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_env.client
    queue = f"reconcile-saves-{uuid.uuid4().hex[:8]}"
    tag = uuid.uuid4().hex[:6]
    terminated, reset = f"ST-{tag}", f"SR-{tag}"
    store = temp_store(tmp_path)  # the CLI's store: winback.db in WINBACK_DATA_DIR
    env = env_for(dev_env, tmp_path, queue)
    today = datetime.now(UTC).date()
    async with sequence_worker(client, queue, activities_for(store, tmp_path)):
        handles = {
            account: await start_save(client, queue, full_save(today, account_id=account))
            for account in (terminated, reset)
        }
        for handle in handles.values():
            await tasks_on_boards(handle)
        new_run = await reset_to_its_first_task(client, handles[reset])
        try:
            await handles[terminated].terminate(reason="duplicate save,\nstarted twice")
            await listed(client, queue, 2)

            first = await winback("reconcile", env=env)
            assert first.code == 0, first.err
            assert first.out.splitlines() == [
                "1 outcome recorded: 0 sequences and 2 saves terminated, timed out or failed in Temporal "
                "in the last 7 days, 0 already recorded, 1 continued after a reset, 0 unreadable",
                f"  recorded   {handles[terminated].id}: cancelled",
            ]
            described = await handles[terminated].describe()
            [got] = store.save_outcomes(account_id=terminated)
            inp = full_save(today, account_id=terminated)
            assert (got.outcome, got.reason) == (
                SAVE_CANCELLED,
                "terminated in Temporal: duplicate save, started twice",
            )
            assert (got.workflow_id, got.run_id) == (
                handles[terminated].id,
                handles[terminated].result_run_id,
            )
            assert (got.campaign_id, got.effort, got.mode, got.root_cause, got.renewal_on) == (
                inp.campaign_id,
                inp.decision.effort,
                inp.decision.mode,
                inp.root_cause,
                inp.renewal_on,
            )
            assert (got.started_at, got.ended_at) == (described.start_time, described.close_time)
            assert (got.tasks_done, got.tasks_total) == (0, len(inp.tasks))
            assert store.save_outcomes(account_id=reset) == []  # it goes on in its new run

            again = await winback("reconcile", env=env)
            assert again.code == 0, again.err
            assert again.out.splitlines() == [
                "0 outcomes recorded: 0 sequences and 2 saves terminated, timed out or failed in Temporal "
                "in the last 7 days, 1 already recorded, 1 continued after a reset, 0 unreadable",
            ]
            assert len(store.save_outcomes(account_id=terminated)) == 1
        finally:
            await client.get_workflow_handle(handles[reset].id, run_id=new_run).terminate(reason="test over")

    report = await winback("saves", "report", "--json", env=env)
    assert report.code == 0, report.err
    overall = json.loads(report.out)["overall"]
    assert (overall["ended"], overall["cancelled"]) == (1, 1)
    store.close()


async def test_winback_worker_writes_the_schedule_and_a_restart_updates_it_keeping_it_paused(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_env.client
    queue = f"reconcile-worker-{uuid.uuid4().hex[:8]}"
    schedule = client.get_schedule_handle(ids.reconcile_schedule_id(queue))
    base = env_for(dev_env, tmp_path / "data", queue) | {"WINBACK_UNSUBSCRIBE_SECRET": SECRET}
    try:
        line = await worker_says(base | {"WINBACK_RECONCILE_EVERY": "120"}, "reconciles outcomes")
        assert line == f"Temporal Schedule winback-reconcile:{queue} reconciles outcomes every 2 min"
        described = await schedule.describe()
        assert [i.every for i in described.schedule.spec.intervals] == [timedelta(minutes=2)]
        assert not described.schedule.state.paused

        await schedule.pause(note="paused by an operator")
        line = await worker_says(base | {"WINBACK_RECONCILE_EVERY": "600"}, "reconciles outcomes")
        assert line.endswith("every 10 min")
        described = await schedule.describe()
        assert [i.every for i in described.schedule.spec.intervals] == [timedelta(minutes=10)]
        assert described.schedule.state.paused and described.schedule.state.note == "paused by an operator"
    finally:
        await schedule.delete()

    bad = await winback("worker", env=base | {"WINBACK_RECONCILE_EVERY": "5m"})
    assert (
        bad.code == 2 and bad.err.count("\n") == 1 and bad.err.startswith("WINBACK_RECONCILE_EVERY is '5m'")
    )


async def worker_says(env: dict[str, str], wanted: str, timeout: float = 60) -> str:
    """Start `winback worker`, return its first stdout line containing `wanted`, stop it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "winback",
        "worker",
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(proc.stdout.readline(), deadline - time.monotonic())
            if not raw:
                raise AssertionError(f"the worker exited: {(await proc.stderr.read()).decode()}")
            if wanted in raw.decode():
                return raw.decode().strip()
        raise AssertionError(f"the worker never said {wanted!r}")
    finally:
        if proc.returncode is None:
            os.kill(proc.pid, signal.SIGINT)  # Ctrl-C: the worker stops as a user's would
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
