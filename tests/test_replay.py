"""Committed histories must replay against today's workflow code (determinism guard)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from contracts.ids import OPEN_TASK_MEMO
from contracts.reconcile import ReconcileResult
from tests.cli import codec_converter
from winback.worker import WORKFLOWS, workflow_runner

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
        "reconcile_terminated.json",  # one reconciler pass that records a terminated sequence
        "sequence_console.json",  # Updates, a refused signal, pauses, a reschedule, a cancel
        "save_follow_up_lost.json",  # a lost save's follow-up: exit tasks, three stages refused
        "save_full_escalation.json",  # a full save: four escalation steps in order, a concession, saved
        "save_lost_follow_up.json",  # a save recorded lost starts its follow-up (the patched path)
        "save_started_by_intent.json",  # a cancel intent's signal-with-start, its intervention, a cancel
    } <= names


def test_the_console_history_takes_the_patched_paths_and_ends_canceled() -> None:
    path = Path(__file__).parent / "histories" / "sequence_console.json"
    events = WorkflowHistory.from_json(path.stem, path.read_text()).events
    patches = b" ".join(
        e.marker_recorded_event_attributes.details["patch-data"].payloads[0].data
        for e in events
        if e.HasField("marker_recorded_event_attributes")
    )
    for patch in (b"local-action-dates", b"pause-follows-changes", b"cancel-ends-canceled"):
        assert patch in patches
    assert sum(e.HasField("workflow_execution_update_completed_event_attributes") for e in events) == 3
    assert events[-1].HasField("workflow_execution_canceled_event_attributes")


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


def test_the_reconcile_history_looks_back_a_week_and_records_one_outcome() -> None:
    path = Path(__file__).parent / "histories" / "reconcile_terminated.json"
    events = WorkflowHistory.from_json(path.stem, path.read_text()).events
    [scheduled] = [e for e in events if e.HasField("activity_task_scheduled_event_attributes")]
    attrs = scheduled.activity_task_scheduled_event_attributes
    assert attrs.activity_type.name == "reconcile_outcomes"
    request = json.loads(attrs.input.payloads[0].data)
    # workflow.now() is the time its first workflow task started.
    task = next(e for e in events if e.HasField("workflow_task_started_event_attributes"))
    now = task.event_time.ToDatetime(tzinfo=UTC)
    assert now - datetime.fromisoformat(request["closed_after"]) == timedelta(days=7)
    result = ReconcileResult(
        **json.loads(events[-1].workflow_execution_completed_event_attributes.result.payloads[0].data)
    )
    assert (result.closed, result.recorded, result.recorded_ids) == (1, 1, ["winback-HIST-TERMINATED"])


def test_the_save_history_runs_the_escalation_in_order_and_ends_saved() -> None:
    path = Path(__file__).parent / "histories" / "save_full_escalation.json"
    events = WorkflowHistory.from_json(path.stem, path.read_text()).events
    assigned = [
        json.loads(e.activity_task_scheduled_event_attributes.input.payloads[0].data)["template"]
        for e in events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == "assign_task"
    ]
    steps = [t for t in assigned if t.startswith("escalation-")]
    assert steps == [f"escalation-{s}" for s in ("brief", "executive_contact", "follow_up", "debrief")]
    # Each step opened only after the one before it was reported done (the board's signal).
    reported: set[int] = set()
    previous: int | None = None
    for e in events:
        if e.HasField("workflow_execution_signaled_event_attributes"):
            reported.add(
                json.loads(e.workflow_execution_signaled_event_attributes.input.payloads[0].data)["touch"]
            )
        elif e.HasField("activity_task_scheduled_event_attributes"):
            task = json.loads(e.activity_task_scheduled_event_attributes.input.payloads[0].data)
            if task.get("template", "").startswith("escalation-"):
                assert previous is None or previous in reported
                previous = task["touch"]
    # request, approval, pause, resume, mark_saved; the manager's approval was refused (no event).
    assert sum(e.HasField("workflow_execution_update_completed_event_attributes") for e in events) == 5
    assert events[-1].HasField("workflow_execution_completed_event_attributes")


def test_the_intent_history_hears_its_intent_before_any_task_and_opens_the_intervention_first() -> None:
    path = Path(__file__).parent / "histories" / "save_started_by_intent.json"
    events = WorkflowHistory.from_json(path.stem, path.read_text()).events
    kinds = [e.WhichOneof("attributes") for e in events]
    # Signal-with-start: the intent is in the history before the first workflow task runs.
    assert kinds.index("workflow_execution_signaled_event_attributes") < kinds.index(
        "workflow_task_completed_event_attributes"
    )
    first = next(
        json.loads(e.activity_task_scheduled_event_attributes.input.payloads[0].data)
        for e in events
        if e.HasField("activity_task_scheduled_event_attributes")
    )
    assert (first["channel"], first["template"]) == ("save-intervention", "cancel_flow_abandoned")
    assert sum(e.HasField("workflow_execution_signaled_event_attributes") for e in events) == 2
    assert events[-1].HasField("workflow_execution_canceled_event_attributes")


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.name)
def test_no_summary_in_a_history_names_a_person(path: Path) -> None:
    """The UI shows the static summary, timer and activity summaries to everyone who can open
    it: ids, touches and campaigns only, never the contact's name or address."""
    events = WorkflowHistory.from_json(path.stem, path.read_text()).events
    summaries = [e.user_metadata.summary.data.decode() for e in events if e.HasField("user_metadata")]
    assert summaries or path.name.startswith(("launch", "watch", "reconcile"))
    people = ("Aino", "Korhonen", "Mikko", "@")
    assert not [text for text in summaries if any(p in text for p in people)]


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays_with_the_codec(path: Path) -> None:
    # Written before the codec: its plain payloads pass through the codec's decode unchanged.
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        data_converter=codec_converter(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
