"""The worker the app runs: what it registers, its sandbox, its queue, and a real sequence through it."""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from types import MethodType

import pytest
from temporalio import activity, workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities import unsubscribe
from activities.launch import LaunchActivities, start_sequence
from activities.reconcile import ReconcileActivities
from activities.reconcile_runs import TemporalRuns
from activities.store import Store
from campaigns.model import WEEKDAYS, Schedule
from contracts import ids
from contracts.sequence import COMPLETED_NO_REPLY, SequenceInput, SequenceStatus, TaskCompletion
from tests.factories import make_account, make_campaign, sequence_input, task_first_input, temp_store
from winback.settings import Settings
from winback.worker import build_worker

SECRET = "a-worker-test-secret-of-at-least-32-bytes"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # A set secret keeps the worker from depending on how a missing one is handled.
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", SECRET)
    return Settings(
        data_dir=tmp_path / "data",
        task_queue=f"winback-{uuid.uuid4().hex[:8]}",
        public_url="https://winback.example",
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return temp_store(tmp_path)


def email_first_input() -> SequenceInput:
    """A sequence of one touch, an email sent the moment the sequence starts, whatever the day
    and hour: no sending window, weekend or holiday defers it."""
    always = Schedule(
        window_start="00:00", window_end="24:00", weekdays=WEEKDAYS, quarter_end_blackout_days=0
    )
    inp = sequence_input(make_account(country=""), make_campaign(schedule=always))
    first = next(t for t in inp.plan.touches if t.channel == "email")
    return replace(inp, plan=replace(inp.plan, touches=(replace(first, number=1, waits=()),)))


def activity_names(worker: Worker) -> set[str]:
    return {activity._Definition.must_from_callable(fn).name or "" for fn in worker.config()["activities"]}


def workflow_names(worker: Worker) -> set[str]:
    return {workflow._Definition.must_from_class(cls).name or "" for cls in worker.config()["workflows"]}


def runner_of(worker: Worker) -> SandboxedWorkflowRunner:
    runner = worker.config()["workflow_runner"]
    assert isinstance(runner, SandboxedWorkflowRunner)
    return runner


async def test_the_worker_registers_exactly_what_the_app_runs(
    ts_env: WorkflowEnvironment, settings: Settings, store: Store
) -> None:
    worker = build_worker(ts_env.client, settings, store)
    assert workflow_names(worker) == {
        ids.SEQUENCE_WORKFLOW,
        ids.LAUNCH_WORKFLOW,
        ids.WATCH_WORKFLOW,
        ids.RECONCILE_WORKFLOW,
        ids.SAVE_WORKFLOW,
        ids.SAVE_FOLLOW_UP_WORKFLOW,
    }
    assert activity_names(worker) == {
        "render_message",
        "send_email",
        "assign_task",
        "record_outcome",
        "start_batch",
        "poll_source",
        "reconcile_outcomes",
        "record_save_outcome",
        "record_follow_up",
        "start_save_winback",
    }


async def test_workflow_code_shares_campaigns_and_contracts_with_the_worker(
    ts_env: WorkflowEnvironment, settings: Settings, store: Store
) -> None:
    passed_through = runner_of(build_worker(ts_env.client, settings, store)).restrictions.passthrough_modules
    assert {"campaigns", "contracts"} <= passed_through
    # The calendar's holiday data loads lazily; inside the sandbox its import-time clock read fails.
    assert {"holidays", "dateutil"} <= passed_through


async def test_the_worker_polls_the_settings_queue_and_launches_start_sequences_there(
    ts_env: WorkflowEnvironment, settings: Settings, store: Store
) -> None:
    worker = build_worker(ts_env.client, settings, store)
    assert worker.task_queue == settings.task_queue
    [start_batch] = [fn for fn in worker.config()["activities"] if fn.__name__ == "start_batch"]
    assert isinstance(start_batch, MethodType)
    launches = start_batch.__self__
    assert isinstance(launches, LaunchActivities)
    assert launches.task_queue == settings.task_queue


async def test_the_reconciler_looks_only_at_the_sequences_of_the_settings_queue(
    ts_env: WorkflowEnvironment, settings: Settings, store: Store
) -> None:
    worker = build_worker(ts_env.client, settings, store)
    [reconcile] = [fn for fn in worker.config()["activities"] if fn.__name__ == "reconcile_outcomes"]
    assert isinstance(reconcile, MethodType)
    acts = reconcile.__self__
    assert isinstance(acts, ReconcileActivities) and isinstance(acts.runs, TemporalRuns)
    assert acts.runs.task_queue == acts.task_queue == settings.task_queue
    assert acts.store is store


async def test_a_one_email_sequence_runs_end_to_end_on_the_built_worker(
    ts_env: WorkflowEnvironment, settings: Settings, store: Store
) -> None:
    inp = email_first_input()
    async with build_worker(ts_env.client, settings, store):
        handle = await start_sequence(ts_env.client, settings.task_queue, inp)
        result = await handle.result()

    assert result.outcome == COMPLETED_NO_REPLY
    assert [t.status for t in result.touches] == ["sent"]
    [path] = sorted(settings.outbox_dir.glob("*.eml"))
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Message-ID"] == result.touches[0].message_id
    assert msg["To"] == "Aino Korhonen <aino@revontuli.example>"
    # The unsubscribe link points at the settings' public URL, signed with the settings' secret.
    found = re.search(r"<(https://[^>]+)>", msg["List-Unsubscribe"])
    assert found is not None
    link = found.group(1)
    assert link.startswith("https://winback.example/u/")
    signed = unsubscribe.verify(SECRET.encode(), link.rsplit("/", 1)[-1])
    assert signed == unsubscribe.SignedUnsubscribe(
        inp.campaign_id,
        "ACC-1",
        handle.id,
        unsubscribe.address_hash(SECRET.encode(), "aino@revontuli.example"),
    )
    # The store the worker was given logged the message and keeps the outcome.
    assert [m.message_id for m in store.messages(account_id="ACC-1")] == [msg["Message-ID"]]
    assert store.outcome_counts(inp.campaign_id)[COMPLETED_NO_REPLY] == 1


async def test_a_manual_task_lands_in_the_settings_tasks_folder_and_completes(
    ts_env: WorkflowEnvironment, settings: Settings, store: Store
) -> None:
    inp = task_first_input()
    async with build_worker(ts_env.client, settings, store):
        handle = await start_sequence(ts_env.client, settings.task_queue, inp)
        status: SequenceStatus | None = None
        for _ in range(60):
            status = await handle.query(ids.STATUS, result_type=SequenceStatus)
            if status.open_task is not None:
                break
            await ts_env.sleep(timedelta(minutes=1))
        assert status is not None and status.open_task is not None
        await handle.signal(ids.COMPLETE_TASK, TaskCompletion(outcome="done", note="sent the note"))
        result = await handle.result()

    assert [(t.status, t.note) for t in result.touches] == [("task_done", "sent the note")]
    [task_file] = sorted(settings.tasks_dir.rglob("*.md"))
    assert task_file.parent == settings.tasks_dir / "maria.lind"
    assert task_file.name == f"ACC-1-touch1-{inp.plan.touches[0].channel}.md"


def test_the_worker_sends_through_sendgrid_only_when_its_key_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from activities.email import OutboxTransport
    from activities.sendgrid import SendGridTransport
    from winback.settings import Settings
    from winback.worker import transport_for

    settings = Settings(data_dir=tmp_path, task_queue="q", public_url="https://winback.example")
    store = Store.open(f"sqlite:///{tmp_path}/winback.db")
    try:
        monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
        assert isinstance(transport_for(settings, store), OutboxTransport)
        monkeypatch.setenv("SENDGRID_API_KEY", "  ")
        assert isinstance(transport_for(settings, store), OutboxTransport)
        monkeypatch.setenv("SENDGRID_API_KEY", "SG.secret-value")
        chosen = transport_for(settings, store)
        assert isinstance(chosen, SendGridTransport) and "SG.secret-value" not in repr(chosen)
    finally:
        store.close()
