"""SaveWorkflow on the time-skipping server: tasks in order, concessions by role, pause, the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import CancelledError
from temporalio.testing import WorkflowEnvironment

from activities.email import OutboxTransport
from activities.saves import save_input, start_save
from activities.sequence import SequenceActivities
from activities.store import Store
from campaigns.model import Account
from campaigns.renewals import Renewal
from campaigns.save_probability import Factors
from campaigns.triage import triage
from contracts import ids
from contracts.saves import SaveInput, SaveResult, SaveStatus, TaskView
from contracts.sequence import ActionResult, TaskAssignment
from tests.factories import APPROVERS, make_account, quiet_monday, temp_store
from tests.test_sequence_controls import refusal
from winback.worker import sequence_worker
from workflows.save import SaveWorkflow

STEPS = ("brief", "executive_contact", "follow_up", "debrief")


class RecordingBoard:
    """The owners' task boards: every assignment, in order; nobody reports anything by itself."""

    def __init__(self) -> None:
        self.assigned: list[TaskAssignment] = []

    async def assign(self, task: TaskAssignment) -> str:
        self.assigned.append(task)
        return f"board:{task.owner}/{task.template}"


def renewal_for(account: Account, renewal_on: date, root_cause: str = "value_perception") -> Renewal:
    return Renewal(
        account=account,
        renewal_on=renewal_on.isoformat(),
        health_score=60,
        signals=("competitor_evaluation", "engagement_drop"),
        factors=Factors(
            root_cause=root_cause,
            relationship="strong",
            alternative="evaluating",
            budget="confirmed",
            stakeholders="engaged",
        ),
        strategic=False,
    )


def full_save(today: date, *, account_id: str = "SAVE-1", days: int = 120, **kw: Any) -> SaveInput:
    """ARR 120,000 and a high save probability: full effort, with the executive escalation."""
    account = make_account(account_id=account_id, churned_on=None, **kw)
    renewal = renewal_for(account, today + timedelta(days=days))
    entry = triage(renewal, today)
    assert entry.effort == "full" and entry.executive_escalation
    return save_input(renewal, entry, APPROVERS, campaign_id="saves-test")


@asynccontextmanager
async def save_worker(env: WorkflowEnvironment, folder: Path, board: RecordingBoard) -> AsyncIterator[Store]:
    store = temp_store(folder)
    impl = SequenceActivities(
        OutboxTransport(folder / "outbox"),
        board,
        store,
        public_url="https://winback.example",
        unsubscribe_secret=b"test-secret",
    )
    async with sequence_worker(env.client, "saves", impl):
        yield store
    store.close()


async def started(env: WorkflowEnvironment, inp: SaveInput) -> WorkflowHandle[Any, SaveResult]:
    await env.sleep(quiet_monday(await env.get_current_time()) - await env.get_current_time())
    return await start_save(env.client, "saves", inp)


async def until(
    handle: WorkflowHandle[Any, SaveResult], check: Callable[[SaveStatus], bool], what: str
) -> SaveStatus:
    """The status once `check` holds; real time only (time skips only while a result is awaited)."""
    for _ in range(200):
        status = await handle.query(SaveWorkflow.status)
        if check(status):
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


def task(status: SaveStatus, task_id: str) -> TaskView:
    return next(t for t in status.tasks if t.task_id == task_id)


def on_board(status: SaveStatus, task_id: str) -> bool:
    return bool(task(status, task_id).board)


async def test_a_full_save_runs_its_four_escalation_steps_in_order(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    board = RecordingBoard()
    async with save_worker(ts_env, tmp_path, board) as store:
        today = quiet_monday(await ts_env.get_current_time()).date()
        handle = await started(ts_env, full_save(today))
        first = await until(handle, lambda s: on_board(s, "escalation-brief"), "the brief opens")
        # From the start: the conversation, each issue and the first step; the rest wait.
        assert [t.task_id for t in first.tasks if t.state == "open"] == [
            "conversation",
            "issue-1",
            "issue-2",
            "escalation-brief",
        ]
        assert [task(first, f"escalation-{s}").state for s in STEPS] == [
            "open",
            "pending",
            "pending",
            "pending",
        ]
        assert first.state == "working" and "escalation 1/4: brief (maria.lind) due " in first.details

        # Step 1 closed: step 2 opens at once, on our executive's board.
        await handle.execute_update(ids.COMPLETE_TASK, {"task": "escalation-brief", "note": "brief sent"})
        second = await until(handle, lambda s: on_board(s, "escalation-executive_contact"), "step 2 opens")
        brief, contact = task(second, "escalation-brief"), task(second, "escalation-executive_contact")
        assert brief.state == "done" and brief.note == "brief sent"
        assert contact.owner == "claire.dubois" and task(second, "escalation-follow_up").state == "pending"
        assert contact.opened_utc is not None and brief.closed_utc is not None
        assert contact.opened_utc >= brief.closed_utc.replace(microsecond=0)

        # Step 2 never reported: step 3 waits for its deadline (3 business days), then opens.
        assert contact.due_utc is not None
        await ts_env.sleep(contact.due_utc - await ts_env.get_current_time() - timedelta(hours=1))
        assert task(await handle.query(SaveWorkflow.status), "escalation-follow_up").state == "pending"
        await ts_env.sleep(timedelta(hours=2))
        third = await until(handle, lambda s: on_board(s, "escalation-follow_up"), "step 3 opens")
        contact = task(third, "escalation-executive_contact")
        assert contact.state == "open" and contact.overdue and "OVERDUE since" in third.details
        assert task(third, "escalation-follow_up").opened_utc == contact.due_utc

        await handle.execute_update(ids.COMPLETE_TASK, {"task": 7})  # by number, as a script may
        fourth = await until(handle, lambda s: on_board(s, "escalation-debrief"), "step 4 opens")
        assert task(fourth, "escalation-follow_up").state == "done"

        escalation = [a.template for a in board.assigned if a.channel == "save-escalation"]
        assert escalation == [f"escalation-{s}" for s in STEPS]
        # The boards got the guides and how to report back; nothing names a contact.
        conversation = next(a for a in board.assigned if a.template == "conversation")
        assert "1. Open with honesty" in conversation.text and "5. Ask for commitment" in conversation.text
        assert conversation.owner == "maria.lind" and "save-SAVE-1" in conversation.report_back

        done = await handle.execute_update(
            ids.MARK_SAVED, {"reason": "signed a 2-year renewal"}, result_type=ActionResult
        )
        assert done.state == "saved"
        result = await handle.result()
        assert result.outcome == "saved" and result.reason == "signed a 2-year renewal"
        [row] = store.save_outcomes(account_id="SAVE-1")
        assert (row.outcome, row.effort, row.tasks_done, row.tasks_total) == ("saved", "full", 2, 8)


async def test_a_20_percent_discount_waits_for_a_director_and_keeps_the_chain(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()) as store:
        today = quiet_monday(await ts_env.get_current_time()).date()
        handle = await started(ts_env, full_save(today, account_id="SAVE-2"))
        request = {
            "kind": "discount",
            "size": "20 %",
            "commitment": "a 2-year renewal signed by 30 April",
            "sunset": "year 1 only",
            "rationale": "keeps 120,000 ARR against a competitor's trial",
            "alternatives": ["payment terms", "a training package"],
        }
        # Without what the customer commits in exchange, nothing is requested.
        missing = await refusal(handle.execute_update(ids.REQUEST_CONCESSION, {**request, "commitment": ""}))
        assert missing.startswith('request_concession refused: "commitment" is required: ')

        asked = await handle.execute_update(ids.REQUEST_CONCESSION, request, result_type=ActionResult)
        assert "concession 1 (a 20 % discount) waits for a director or above" in asked.details

        said = await refusal(
            handle.execute_update(
                ids.DECIDE_CONCESSION, {"concession": 1, "approver": "sanna.virtanen", "decision": "approve"}
            )
        )
        assert said == (
            "decide_concession refused: a 20 % discount needs a director or above, and sanna.virtanen is "
            "a manager: ask erik.holm (director), claire.dubois (vp)"
        )
        pending = (await handle.query(SaveWorkflow.status)).concessions[0]
        assert pending.state == "pending" and len(pending.chain) == 1

        await handle.execute_update(
            ids.DECIDE_CONCESSION,
            {"concession": 1, "approver": "erik.holm", "decision": "approve", "note": "year 1 only, agreed"},
        )
        [record] = (await handle.query(SaveWorkflow.status)).concessions
        assert record.state == "approved" and record.required_role == "director"
        assert [(c.who, c.role, c.action) for c in record.chain] == [
            ("maria.lind", "csm", "requested"),
            ("erik.holm", "director", "approved"),
        ]
        assert record.chain[1].note == "year 1 only, agreed"
        decided_again = await refusal(
            handle.execute_update(ids.DECIDE_CONCESSION, {"approver": "claire.dubois", "decision": "reject"})
        )
        assert decided_again == "decide_concession refused: no concession to decide; pending: none"

        lost = await refusal(handle.execute_update(ids.MARK_LOST, {}))
        assert lost.startswith('mark_lost refused: "reason" is required')
        await handle.execute_update(ids.MARK_LOST, {"reason": "moved to Brightloop for price"})
        result = await handle.result()
    assert result.outcome == "lost" and result.concessions[0].state == "approved"
    [row] = store.save_outcomes(account_id="SAVE-2")
    assert row.outcome == "lost" and row.reason == "moved to Brightloop for price"
    assert [(c.kind, c.size, c.approved_by) for c in row.concessions] == [("discount", "20 %", "erik.holm")]


async def test_pause_holds_the_next_task_and_moves_the_deadlines(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()):
        today = quiet_monday(await ts_env.get_current_time()).date()
        handle = await started(ts_env, full_save(today, account_id="SAVE-3"))
        before = await until(handle, lambda s: on_board(s, "escalation-brief"), "the brief opens")
        due = task(before, "issue-1").due_utc
        assert due is not None
        paused = await handle.execute_update(
            ids.PAUSE, {"reason": "customer on leave"}, result_type=ActionResult
        )
        assert paused.state == "paused" and paused.details.startswith(
            "paused until resumed (customer on leave)"
        )
        # A task reported while paused closes; the one after it waits for the resume.
        await handle.execute_update(ids.COMPLETE_TASK, {"task": "escalation-brief"})
        await ts_env.sleep(timedelta(days=2))
        held = await handle.query(SaveWorkflow.status)
        assert task(held, "escalation-executive_contact").state == "pending" and held.paused

        await handle.execute_update(ids.RESUME, {})
        after = await until(handle, lambda s: on_board(s, "escalation-executive_contact"), "step 2 opens")
        moved = task(after, "issue-1").due_utc
        assert moved is not None and moved - due >= timedelta(days=2) and not after.paused
        assert (
            await refusal(handle.execute_update(ids.RESUME, {})) == "resume refused: the save is not paused"
        )
        await handle.execute_update(ids.MARK_SAVED, {})


async def test_cancel_records_cancelled_and_ends_canceled(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()) as store:
        today = quiet_monday(await ts_env.get_current_time()).date()
        handle = await started(ts_env, full_save(today, account_id="SAVE-4"))
        await until(handle, lambda s: on_board(s, "escalation-brief"), "the brief opens")
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        assert isinstance(failed.value.cause, CancelledError)
        assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
        [row] = store.save_outcomes(account_id="SAVE-4")
        assert (row.outcome, row.reason) == ("cancelled", "cancelled by request")


async def test_nobody_records_the_renewal_the_save_ends_no_decision(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()) as store:
        today = quiet_monday(await ts_env.get_current_time()).date()
        # Emergency: 10 days to the renewal; every deadline lands before it.
        inp = full_save(today, account_id="SAVE-5", days=10)
        assert inp.decision.mode == "emergency"
        handle = await started(ts_env, inp)
        result = await handle.result()
        assert result.outcome == "no_decision" and result.reason.startswith("no outcome recorded by ")
        renewal = datetime.fromisoformat(f"{inp.renewal_on}T00:00+02:00")
        assert all(t.due_utc is not None and t.due_utc <= renewal for t in result.tasks)
        assert all(t.state == "open" and t.overdue for t in result.tasks)
        assert store.save_outcomes(account_id="SAVE-5")[0].outcome == "no_decision"


def test_each_account_has_one_save_id() -> None:
    assert ids.save_workflow_id("ACC-1") == "save-ACC-1" != ids.workflow_id_for("ACC-1")
