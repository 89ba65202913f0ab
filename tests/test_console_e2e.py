"""The CSM's console on the real dev server, through the `temporal` CLI a CSM or a script runs:
an Update with an unreadable date exits non-zero with the validator's message and changes
nothing; a signal with one is recorded as refused; the list shows each sequence's summary and
the UI lists the described Updates."""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import uuid
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import CancelledError
from temporalio.testing import WorkflowEnvironment

from activities.email import Delivery, OutboxTransport
from activities.launch import start_sequence
from campaigns.model import WEEKDAYS, Schedule
from contracts import ids
from contracts.sequence import CANCELLED, ActionResult, SequenceInput
from tests.cli import EXAMPLES, env_for, winback
from tests.factories import make_account, make_campaign, sequence_input, temp_store
from tests.test_sequence import running_worker
from winback import binaries
from winback.settings import Settings
from winback.simulate import InstantTaskBoard
from winback.worker import build_worker
from workflows.sequence import SequenceWorkflow

pytestmark = pytest.mark.integration

CAMPAIGN = EXAMPLES / "spring-winback.yaml"
ACCOUNTS = EXAMPLES / "accounts.csv"


async def temporal(dev_env: WorkflowEnvironment, *args: str) -> subprocess.CompletedProcess[str]:
    address = dev_env.client.service_client.config.target_host
    command = [str(binaries.temporal_cli()), *args, "--address", address]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=60)


async def test_an_update_with_an_unreadable_date_exits_non_zero_with_the_message_and_changes_nothing(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    queue = f"console-{uuid.uuid4()}"
    settings = Settings(data_dir=tmp_path, task_queue=queue, public_url="https://winback.example")
    account = "ACC-1004"  # Berlin; no other test launches it on the shared dev server
    async with build_worker(dev_env.client, settings, temp_store(tmp_path)):
        run = await winback(
            "launch",
            str(CAMPAIGN),
            "--accounts",
            str(ACCOUNTS),
            "--only",
            account,
            env=env_for(dev_env, tmp_path, queue),
        )
        assert run.code == 0, run.err
        workflow_id = ids.workflow_id_for(account)
        handle = dev_env.client.get_workflow_handle(workflow_id)
        before = await handle.query(SequenceWorkflow.status)

        bad = await temporal(
            dev_env,
            "workflow", "update", "execute",
            "--workflow-id", workflow_id,
            "--name", "pause",
            "--input", json.dumps({"until": "15.12.2026", "reason": "customer on leave"}),
        )  # fmt: skip
        assert bad.returncode != 0
        assert 'pause refused: "until" must be a date like 2026-12-15' in bad.stdout + bad.stderr
        after = await handle.query(SequenceWorkflow.status)
        assert not after.paused and after.next_action == before.next_action and after.refused == []

        signalled = await temporal(
            dev_env,
            "workflow", "signal",
            "--workflow-id", workflow_id,
            "--name", "pause",
            "--input", json.dumps({"until": "15.12.2026"}),
        )  # fmt: skip
        assert signalled.returncode == 0, signalled.stderr  # a signal cannot answer: it is recorded
        shown = await winback("status", account, "--json", env=env_for(dev_env, tmp_path, queue))
        doc = json.loads(shown.out)
        assert doc["state"] != "paused" and len(doc["refused"]) == 1
        assert 'pause refused: "until"' in doc["refused"][0] and 'pause refused: "until"' in doc["details"]

        # A good one is taken; its answer is encrypted like every payload (the CLI reads it with
        # --codec-endpoint, the UI through `winback web`'s codec endpoint).
        done = await handle.execute_update(
            "pause", {"until": None, "reason": "customer on leave"}, result_type=ActionResult
        )
        assert done.details.startswith("paused until resumed (customer on leave)")

        meta = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        updates = {d.name: d.description for d in meta.definition.update_definitions}
        assert set(updates) == {
            "pause",
            "resume",
            "complete_task",
            "skip_touch",
            "reschedule",
            "mark_replied",
            "mark_declined",
        }
        assert all(updates.values())
        described = await handle.describe()
        # What the list and the detail page show first: ids and labels, never a person.
        assert await described.static_summary() == "Win-back · ACC-1004 · T1 · service · spring-winback-2027"
        await handle.cancel()
        # Ended before its worker goes: nothing of this test stays running on the shared server.
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        # An action on an ended sequence is one line and exit 2, not a traceback.
        late = await winback("pause", account, env=env_for(dev_env, tmp_path, queue))
        assert late.code == 2 and late.out == ""
        assert late.err == f"pause refused: the sequence of {account} has ended; `winback status {account}`\n"


class SlowTransport(OutboxTransport):
    """The provider takes its time over the first email: a cancel arrives while it is sent."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.sending = threading.Event()
        self.release = threading.Event()

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        self.sending.set()
        self.release.wait(30)  # a slow provider; the sequence is cancelled meanwhile
        return super().deliver(key, message)


def email_first_input(account_id: str) -> SequenceInput:
    """A sequence whose first touch is an email due the moment it starts (no window, weekend or
    holiday defers it)."""
    always = Schedule(
        window_start="00:00", window_end="24:00", weekdays=WEEKDAYS, quarter_end_blackout_days=0
    )
    inp = sequence_input(make_account(account_id=account_id, country=""), make_campaign(schedule=always))
    first = replace(inp.plan.touches[0], waits=())
    return replace(inp, plan=replace(inp.plan, touches=(first, *inp.plan.touches[1:])))


async def test_a_cancel_while_a_touch_is_being_sent_still_ends_the_sequence_canceled(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    transport = SlowTransport(tmp_path / "outbox")
    async with running_worker(
        dev_env, tmp_path / "outbox", InstantTaskBoard(dev_env.client), transport=transport
    ) as tq:
        handle = await start_sequence(dev_env.client, tq, email_first_input(f"CON-{uuid.uuid4().hex[:8]}"))
        assert await asyncio.to_thread(transport.sending.wait, 30)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as ended:
            # Before the fix the cancel was taken for a failed send and the sequence went on.
            async with asyncio.timeout(30):
                await handle.result()
        transport.release.set()
        assert isinstance(ended.value.cause, CancelledError)
        assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
        status = await handle.query(SequenceWorkflow.status)
    assert status.outcome == CANCELLED and status.touches == []
    # The store learned it too: the account is free for the next campaign, with no cool-off.
    store = temp_store(tmp_path)  # the worker's store (running_worker keeps it beside the outbox)
    try:
        counts = store.outcome_counts("test-campaign")
        assert counts[CANCELLED] == 1 and sum(counts.values()) == 1
    finally:
        store.close()
