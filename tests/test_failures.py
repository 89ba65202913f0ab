"""A touch whose activity cannot succeed fails once (or after a bounded number of attempts),
is recorded with the reason, and the sequence goes on: on the time-skipping server."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.email import Delivery, OutboxTransport
from activities.launch import LaunchActivities
from activities.tasks import FolderTaskBoard
from campaigns.model import MANUAL_CHANNELS
from contracts.launch import BatchRequest
from contracts.sequence import COMPLETED_NO_REPLY, SequenceInput, SequenceResult
from tests.factories import make_account, sequence_input
from tests.test_sequence import emails_in, running_worker, start
from winback.simulate import InstantTaskBoard
from workflows.policies import TOUCH_RETRY
from workflows.sequence import SequenceWorkflow

# Real seconds. Only a regression (an activity retried without end) ever waits this long: a
# healthy run takes a few seconds, since the server skips every wait and retry interval.
HANG = 90


async def result_or_hang(handle: WorkflowHandle[SequenceWorkflow, SequenceResult]) -> SequenceResult:
    try:
        return await asyncio.wait_for(handle.result(), timeout=HANG)
    except TimeoutError:
        raise AssertionError("the sequence never finished: an activity is retried without end") from None


async def activity_failures(
    handle: WorkflowHandle[SequenceWorkflow, SequenceResult], activity: str
) -> list[tuple[int, str, bool]]:
    """(attempt, message, non-retryable) for each failed run of `activity`, from the history."""
    scheduled: dict[int, str] = {}
    started: dict[int, int] = {}
    out: list[tuple[int, str, bool]] = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs = event.activity_task_started_event_attributes
            started[attrs.scheduled_event_id] = attrs.attempt
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            attrs = event.activity_task_failed_event_attributes
            if scheduled[attrs.scheduled_event_id] == activity:
                failure = attrs.failure
                out.append(
                    (
                        started[attrs.scheduled_event_id],
                        failure.message,
                        failure.application_failure_info.non_retryable,
                    )
                )
    return out


def with_primary_name(inp: SequenceInput, name: str) -> SequenceInput:
    primary = replace(inp.contacts.primary, name=name)
    return replace(inp, contacts=replace(inp.contacts, primary=primary))


async def test_a_header_injection_in_the_contact_name_fails_each_send_once_and_the_sequence_goes_on(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    inp = with_primary_name(sequence_input(), "Aino Korhonen\r\nBcc: x@evil.example")
    touches = inp.plan.touches
    assert touches[0].channel == "email" and any(t.channel in MANUAL_CHANNELS for t in touches)
    outbox = tmp_path / "outbox"
    async with running_worker(ts_env, outbox, InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, inp)
        result = await result_or_hang(handle)
        status = await handle.query(SequenceWorkflow.status)

    assert result.outcome == COMPLETED_NO_REPLY
    first = result.touches[0]
    assert first.status == "failed"
    assert "ACC-1" in first.note and "contact's name" in first.note and "line break" in first.note
    assert "@" not in first.note and "Aino" not in first.note
    assert status.touches[0].note == first.note
    # Every later touch still ran: the tasks were done, the emails failed for the same reason.
    assert [t.number for t in result.touches] == [t.number for t in touches]
    assert [t.status for t in result.touches] == [
        "task_done" if t.channel in MANUAL_CHANNELS else "failed" for t in touches
    ]
    assert emails_in(outbox) == []
    # Each send was tried once, and the history carries the reason.
    sends = await activity_failures(handle, "send_email")
    assert [(attempt, non_retryable) for attempt, _, non_retryable in sends] == [(1, True)] * sum(
        t.channel not in MANUAL_CHANNELS for t in touches
    )
    assert sends[0][1] == first.note


async def test_a_task_owner_that_climbs_out_of_the_task_folder_fails_those_touches_and_writes_nothing_outside(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    tasks = tmp_path / "data" / "tasks"
    inp = sequence_input(make_account(owner="../../x@winback.example"))
    touches = inp.plan.touches
    manual = [t.number for t in touches if t.channel in MANUAL_CHANNELS]
    assert manual
    async with running_worker(ts_env, tmp_path / "data" / "outbox", FolderTaskBoard(tasks)) as tq:
        handle = await start(ts_env, tq, inp)
        result = await result_or_hang(handle)

    assert result.outcome == COMPLETED_NO_REPLY
    by_number = {t.number: t for t in result.touches}
    assert set(by_number) == {t.number for t in touches}
    for number in manual:
        assert by_number[number].status == "failed"
        assert "ACC-1" in by_number[number].note
        assert "owner's handle is not a safe file name part" in by_number[number].note
    assert all(t.status == "sent" for t in result.touches if t.number not in manual)
    assert not (tmp_path / "x").exists()
    assert [p for p in tmp_path.rglob("*.md")] == []
    assigns = await activity_failures(handle, "assign_task")
    assert [(attempt, non_retryable) for attempt, _, non_retryable in assigns] == [(1, True)] * len(manual)


class DownTransport(OutboxTransport):
    """A mail relay that refuses every connection."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.attempts = 0

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        self.attempts += 1
        raise ConnectionRefusedError(111, "Connection refused")


async def test_a_send_that_keeps_failing_gives_up_after_a_bounded_number_of_attempts(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    transport = DownTransport(outbox)
    inp = sequence_input(make_account(arr=5_000.0))  # T3: email only
    async with running_worker(ts_env, outbox, InstantTaskBoard(ts_env.client), transport) as tq:
        handle = await start(ts_env, tq, inp)
        result = await result_or_hang(handle)

    emails = len(inp.plan.touches)
    assert TOUCH_RETRY.maximum_attempts > 1
    assert transport.attempts == TOUCH_RETRY.maximum_attempts * emails
    assert result.outcome == COMPLETED_NO_REPLY
    assert [t.status for t in result.touches] == ["failed"] * emails
    assert result.touches[0].note == (
        "account ACC-1, touch 1: not sent: ConnectionRefusedError: Connection refused"
    )
    sends = await activity_failures(handle, "send_email")
    assert [(attempt, non_retryable) for attempt, _, non_retryable in sends] == [
        (TOUCH_RETRY.maximum_attempts, False)
    ] * emails


class LaunchStore:
    """A launch's store as start_batch sees it: `items` rows, or an error on every read."""

    def __init__(self, items: int = 0, error: Exception | None = None) -> None:
        self.items = items
        self.error = error

    def launch_items(self, launch_id: str, start: int, count: int) -> list[object]:
        if self.error is not None:
            raise self.error
        return [object()] * self.items


async def test_a_launch_batch_missing_from_the_store_fails_at_once(tmp_path: Path) -> None:
    acts = LaunchActivities(None, LaunchStore(items=3), task_queue="tq")  # type: ignore[arg-type]
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(
            acts.start_batch, BatchRequest(launch_id="spring@1", campaign_id="spring", start=0, count=5)
        )
    assert info.value.non_retryable
    assert "expected 5 items from position 0, the store has 3" in info.value.message


async def test_a_launch_batch_whose_store_is_locked_is_retried(tmp_path: Path) -> None:
    locked = OperationalError("SELECT ...", {}, sqlite3.OperationalError("database is locked"))
    acts = LaunchActivities(None, LaunchStore(error=locked), task_queue="tq")  # type: ignore[arg-type]
    with pytest.raises(ApplicationError) as info:
        await ActivityEnvironment().run(
            acts.start_batch, BatchRequest(launch_id="spring@1", campaign_id="spring", start=0, count=5)
        )
    assert not info.value.non_retryable
    assert info.value.message == (
        "launch spring@1, accounts from position 0: the store is unavailable (database is locked)"
    )
