"""End to end on the real Temporal dev server (the one `winback up` runs)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.testing import WorkflowEnvironment

from contracts import ids as ids_mod
from contracts.sequence import PauseRequest
from tests.cli import EXAMPLES, env_for, winback
from tests.factories import temp_store
from winback.settings import Settings
from winback.worker import build_worker
from workflows.sequence import SequenceWorkflow

CAMPAIGN = EXAMPLES / "spring-winback.yaml"
ACCOUNTS = EXAMPLES / "accounts.csv"

pytestmark = pytest.mark.integration


async def find(client: Client, query: str, expect: int) -> list[str]:
    ids: list[str] = []
    for _ in range(50):  # visibility is eventually consistent
        ids = [wf.id async for wf in client.list_workflows(query)]
        if len(ids) >= expect:
            return ids
        await asyncio.sleep(0.2)
    return ids


async def test_launched_sequence_is_found_by_search_attributes_and_pause_shows_in_status(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    queue = f"it-{uuid.uuid4()}"
    env = env_for(dev_env, tmp_path, queue)
    settings = Settings(data_dir=tmp_path, task_queue=queue, public_url="https://winback.example")
    account = "ACC-1001"
    async with build_worker(dev_env.client, settings, temp_store(tmp_path)):
        run = await winback("launch", str(CAMPAIGN), "--accounts", str(ACCOUNTS), "--only", account, env=env)
        assert run.code == 0, run.err
        assert "1 started" in run.out

        ids = await find(
            dev_env.client,
            f"WinbackAccountId = '{account}' AND WinbackCampaign = 'spring-winback-2027' "
            "AND ExecutionStatus = 'Running'",
            1,
        )
        assert ids == [f"winback-{account}"]
        described = await dev_env.client.get_workflow_handle(ids[0]).describe()
        attrs = {k.name: v for k, v in ((p.key, p.value) for p in described.typed_search_attributes)}
        assert attrs["WinbackOwner"] and "@" not in attrs["WinbackOwner"]
        assert attrs["WinbackTier"] in {"T1", "T2", "T3"}

        # A CSM's client, not the one that launched it.
        other = await Client.connect(dev_env.client.service_client.config.target_host)
        await other.get_workflow_handle(ids[0]).signal(
            ids_mod.PAUSE, PauseRequest(reason="customer asked for quiet")
        )
        status = None
        for _ in range(50):
            status = await dev_env.client.get_workflow_handle(ids[0]).query(SequenceWorkflow.status)
            if status.paused:
                break
            await asyncio.sleep(0.1)
        assert status is not None and status.paused and status.state == "paused"
        assert "customer asked for quiet" in status.details

        # What the Web UI shows: current details and the described signals of its "Send a Signal" dialog.
        meta = await dev_env.client.get_workflow_handle(ids[0]).query(
            "__temporal_workflow_metadata", result_type=WorkflowMetadata
        )
        # A pause with no end says so, instead of the slot from before the pause.
        assert meta.current_details == (
            "paused until resumed (customer asked for quiet); the next touch waits for the resume"
        )
        described_signals = {d.name: d.description for d in meta.definition.signal_definitions}
        assert set(described_signals) >= {
            "pause",
            "resume",
            "complete_task",
            "mark_replied",
            "mark_declined",
            "skip_touch",
        }
        assert all(described_signals.values())

        shown = await winback("status", account, "--json", env=env)
        assert shown.code == 0, shown.err
        assert json.loads(shown.out)["state"] == "paused"
        paused = await find(dev_env.client, f"WinbackAccountId = '{account}' AND WinbackState = 'paused'", 1)
        assert paused == ids

        again = await winback(
            "launch", str(CAMPAIGN), "--accounts", str(ACCOUNTS), "--only", account, env=env
        )
        # The store remembers the running sequence: the second launch leaves it out and says why.
        assert again.code == 0, again.err
        assert f"not started  {account}: already in a running sequence" in again.out
        assert "nothing new to start, 0 sequences started" in again.out

        cancelled = await winback("cancel", account, env=env)
        assert cancelled.code == 0, cancelled.err
        ended = dev_env.client.get_workflow_handle_for(SequenceWorkflow.run, ids[0])
        with pytest.raises(WorkflowFailureError):
            await ended.result()
        # Canceled in Temporal's list, and the store knows the outcome.
        assert (await ended.describe()).status == WorkflowExecutionStatus.CANCELED
        assert (await ended.query(SequenceWorkflow.status)).outcome == "cancelled"
