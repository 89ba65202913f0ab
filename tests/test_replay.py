"""Committed histories must replay against today's workflow code (determinism guard)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from contracts.ids import OPEN_TASK_MEMO
from tests.cli import codec_converter
from winback.worker import workflow_runner
from workflows.launch import LaunchWorkflow
from workflows.sequence import SequenceWorkflow
from workflows.watch import WatchWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_the_histories_are_committed() -> None:
    names = {p.name for p in HISTORIES}
    assert {
        "sequence_t1_full.json",  # before the store: replays without the outcome activity
        "sequence_t2_pause_reply.json",
        "sequence_t3_declined_outcome.json",  # writes its outcome to the store
        "launch_small.json",  # three batches
        "sequence_task_memo.json",  # the open task in the memo: opened, moved by a pause, cleared
        "watch_time_poll.json",  # one poll of the time source
    } <= names


def test_the_task_memo_history_takes_the_patched_path() -> None:
    path = Path(__file__).parent / "histories" / "sequence_task_memo.json"
    events = WorkflowHistory.from_json(path.stem, path.read_text()).events
    patches = [
        e.marker_recorded_event_attributes.details["patch-data"].payloads[0].data
        for e in events
        if e.HasField("marker_recorded_event_attributes")
    ]
    assert any(b'"open-task-memo"' in p for p in patches)
    memos = [
        e.workflow_properties_modified_event_attributes.upserted_memo.fields[OPEN_TASK_MEMO]
        for e in events
        if e.HasField("workflow_properties_modified_event_attributes")
    ]
    # Shown when the task opens, shown again with the deadline a pause moved, then removed.
    assert [m.metadata["encoding"] for m in memos] == [b"json/plain", b"json/plain", b"binary/null"]
    assert memos[0].data != memos[1].data


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[SequenceWorkflow, LaunchWorkflow, WatchWorkflow], workflow_runner=workflow_runner()
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays_with_the_codec(path: Path) -> None:
    # Written before the codec: its plain payloads pass through the codec's decode unchanged.
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[SequenceWorkflow, LaunchWorkflow, WatchWorkflow],
        workflow_runner=workflow_runner(),
        data_converter=codec_converter(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
