"""The `intent` signal on SaveWorkflow (time-skipping server): an abandoned cancel flow gives the
owner an intervention task due within one business day of the customer's calendar."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from campaigns.intent import CANCEL_FLOW_ABANDONED, DATA_EXPORT, INTERVENTION_CHANNEL, INTERVENTION_REPORT
from contracts.intent import INTENT, IntentNotice
from contracts.sequence import TaskAssignment
from tests.factories import quiet_monday
from tests.test_save import RecordingBoard, full_save, save_worker, started
from workflows.save import SaveWorkflow


def interventions(board: RecordingBoard) -> list[TaskAssignment]:
    return [t for t in board.assigned if t.channel == INTERVENTION_CHANNEL]


async def some(board: RecordingBoard, count: int) -> list[TaskAssignment]:
    for _ in range(200):
        found = interventions(board)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"never {count} intervention tasks: {board.assigned}")


async def test_an_abandoned_cancel_flow_on_a_friday_evening_is_due_monday_evening_in_helsinki(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    board = RecordingBoard()
    async with save_worker(ts_env, tmp_path, board):
        monday = quiet_monday(await ts_env.get_current_time())
        handle = await started(ts_env, full_save(monday.date(), timezone="Europe/Helsinki"))
        # Friday 18:30 in Helsinki (UTC+2 in January): after the working day, before a weekend.
        friday_evening = monday + timedelta(days=4, hours=11, minutes=30)
        await ts_env.sleep(friday_evening - await ts_env.get_current_time())
        now = await ts_env.get_current_time()
        export = IntentNotice(event_id="id:evt-1", kind=DATA_EXPORT, occurred_at=now)
        abandoned = IntentNotice(
            event_id="id:evt-2", kind=CANCEL_FLOW_ABANDONED, occurred_at=now, detail="plan page"
        )
        await handle.signal(INTENT, export)
        await handle.signal(INTENT, abandoned)
        await handle.signal(INTENT, abandoned)  # the web service signalled again: heard once
        [task] = await some(board, 1)
        await asyncio.sleep(0.3)
        assert len(interventions(board)) == 1, "a data export is a red flag only, and a repeat is heard once"
        # One business day later at the same wall-clock time: Monday 18:xx in Helsinki.
        due_local = datetime.fromisoformat(task.due_local)
        assert due_local.strftime("%a") == "Mon" and due_local.utcoffset() == timedelta(hours=2)
        assert due_local.hour == 18
        assert abs(task.due_utc - (now.astimezone(UTC) + timedelta(days=3))) < timedelta(minutes=1)
        assert task.owner == "maria.lind@winback.example" and task.account_id == "SAVE-1"
        assert "left it unfinished" in task.text and "plan page" in task.text
        assert task.report_back == INTERVENTION_REPORT, "no step of the save waits for it"
        # The CSM sees them on the save: in its status and the UI's current details.
        status = await handle.query(SaveWorkflow.status)
        assert [i.event_id for i in status.intents] == ["id:evt-1", "id:evt-2"]
        assert "2 cancel intents, latest: started the cancellation flow and left it unfinished Fri " in (
            status.details
        )
        await handle.cancel()
