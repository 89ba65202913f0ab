"""The CSM's console on the real dev server, through the `temporal` CLI a CSM or a script runs:
an Update with an unreadable date exits non-zero with the validator's message and changes
nothing; a signal with one is recorded as refused; the list shows each sequence's summary and
the UI lists the described Updates."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from pathlib import Path

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.testing import WorkflowEnvironment

from contracts import ids
from tests.cli import EXAMPLES, env_for, winback
from tests.factories import temp_store
from winback import binaries
from winback.settings import Settings
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
    account = "ACC-1001"
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

        good = await temporal(
            dev_env,
            "workflow", "update", "execute",
            "--workflow-id", workflow_id,
            "--name", "pause",
            "--input", json.dumps({"until": None, "reason": "customer on leave"}),
        )  # fmt: skip
        assert good.returncode == 0, good.stderr
        assert "paused until resumed (customer on leave)" in good.stdout

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
        assert await described.static_summary() == (
            "Win-back · ACC-1001 · T1 · product gap · spring-winback-2027"
        )
        await handle.cancel()
