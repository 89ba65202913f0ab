"""Committed histories must replay against today's workflow code (determinism guard)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from winback.worker import workflow_runner
from workflows.launch import LaunchWorkflow
from workflows.sequence import SequenceWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_the_histories_are_committed() -> None:
    names = {p.name for p in HISTORIES}
    assert {
        "sequence_t1_full.json",  # before the store: replays without the outcome activity
        "sequence_t2_pause_reply.json",
        "sequence_t3_declined_outcome.json",  # writes its outcome to the store
        "launch_small.json",  # three batches
    } <= names


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=[SequenceWorkflow, LaunchWorkflow], workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
