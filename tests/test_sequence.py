"""SequenceWorkflow on the time-skipping server: weeks pass in seconds, nothing sleeps for real."""

from __future__ import annotations

import asyncio
import email
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import CancelledError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.email import Delivery, OutboxTransport
from activities.launch import start_sequence
from activities.sequence import SequenceActivities
from activities.tasks import FolderTaskBoard, TaskBoard
from campaigns import templating
from campaigns.model import MANUAL_CHANNELS, PlannedTouch
from contracts.sequence import (
    CANCELLED,
    COMPLETED_NO_REPLY,
    DECLINED,
    REPLIED,
    DeclineNotice,
    PauseRequest,
    ReplyNotice,
    SequenceInput,
    SequenceResult,
    SequenceStatus,
)
from tests.factories import make_account, quiet_monday, sequence_input, temp_store
from winback.simulate import InstantTaskBoard
from winback.worker import WORKFLOWS, activities_for, sequence_worker, workflow_runner
from workflows.sequence import SequenceWorkflow

HELSINKI = ZoneInfo("Europe/Helsinki")


@asynccontextmanager
async def running_worker(
    env: WorkflowEnvironment,
    outbox: Path,
    tasks: TaskBoard,
    transport: OutboxTransport | None = None,
    template_root: Path = templating.ROOT,
    task_queue: str | None = None,
    sticky: bool = True,
) -> AsyncIterator[str]:
    """A worker like production's; `sticky=False` keeps no workflows cached, so none of its
    tasks wait on a queue of its own (the time-skipping server never hands a stopped worker's
    sticky tasks to the shared queue, as a real server does after a few seconds)."""
    task_queue = task_queue or f"tq-{uuid.uuid4()}"
    impl = SequenceActivities(
        transport or OutboxTransport(outbox),
        tasks,
        temp_store(outbox.parent),
        public_url="https://winback.example",
        unsubscribe_secret=b"test-secret",
        template_root=template_root,
    )
    worker = (
        sequence_worker(env.client, task_queue, impl)
        if sticky
        else Worker(
            env.client,
            task_queue=task_queue,
            workflows=list(WORKFLOWS),
            activities=activities_for(impl),
            workflow_runner=workflow_runner(),
            max_cached_workflows=0,
        )
    )
    async with worker:
        yield task_queue


async def start(
    env: WorkflowEnvironment, task_queue: str, inp: SequenceInput
) -> WorkflowHandle[SequenceWorkflow, SequenceResult]:
    return await start_sequence(env.client, task_queue, inp)


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    await env.sleep(moment - await env.get_current_time())


async def until_touches(
    env: WorkflowEnvironment, handle: WorkflowHandle[SequenceWorkflow, SequenceResult], count: int
) -> SequenceStatus:
    """Let time pass a day at a time until `count` touches are done."""
    for _ in range(90):
        status = await handle.query(SequenceWorkflow.status)
        if len(status.touches) >= count:
            return status
        await env.sleep(timedelta(days=1))
    raise AssertionError(f"{count} touches never happened")


def emails_in(outbox: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), _class=EmailMessage, policy=email.policy.default)  # type: ignore[arg-type]
        for p in sorted(outbox.glob("*.eml"))
    ]


def expected_local_times(start_utc: datetime, touches: tuple[PlannedTouch, ...]) -> list[str]:
    """An independent oracle for a holiday-free stretch: weekends and the 09:00-17:00 window only."""
    nine = time(9, 0)
    local = start_utc.astimezone(HELSINKI)
    out: list[str] = []
    for touch in touches:
        day, wall = local.date(), local.time()
        for wait in touch.waits:
            if wait.unit == "business_days":
                left = wait.amount
                while left:
                    day += timedelta(days=1)
                    left -= day.weekday() < 5
            else:
                day += timedelta(days=wait.amount * (7 if wait.unit == "weeks" else 1))
        if wall < nine:
            wall = nine
        elif wall >= time(17, 0):
            day, wall = day + timedelta(days=1), nine
        while day.weekday() >= 5:
            day, wall = day + timedelta(days=1), nine
        local = datetime.combine(day, wall, tzinfo=HELSINKI)
        out.append(local.isoformat())
    return out


async def test_full_t1_sequence_lands_at_expected_local_times(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    begin = quiet_monday(await ts_env.get_current_time())
    await skip_to(ts_env, begin)
    inp = sequence_input()
    touches = inp.plan.touches
    assert inp.account.tier == "T1"
    assert {"executive", "email"} <= {t.channel for t in touches}
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, inp)
        result = await handle.result()

    assert result.outcome == COMPLETED_NO_REPLY
    assert [t.at_local for t in result.touches] == expected_local_times(begin, touches)
    assert [t.status for t in result.touches] == [
        "task_done" if t.channel in MANUAL_CHANNELS else "sent" for t in touches
    ]
    span = result.touches[-1].at_utc - result.touches[0].at_utc
    assert timedelta(weeks=4) <= span <= timedelta(weeks=8)

    mails = emails_in(tmp_path / "outbox")
    assert len(mails) == sum(t.channel not in MANUAL_CHANNELS for t in touches)
    first = next(m for m in mails if "In-Reply-To" not in m)
    for m in mails:
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "https://winback.example/u/" in m["List-Unsubscribe"]
        assert "Mannerheimintie 1" in m.get_content()
        assert m["To"] == "Aino Korhonen <aino@revontuli.example>"
        if m is not first:
            # Later touches thread on the first, as a person's follow-up would.
            assert m["In-Reply-To"] == first["Message-ID"]
            assert m["References"] == first["Message-ID"]
            assert m["Subject"] == f"Re: {first['Subject']}"


async def test_reply_mid_sequence_stops_further_touches(ts_env: WorkflowEnvironment, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    async with running_worker(ts_env, outbox, InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, sequence_input())
        await until_touches(ts_env, handle, 2)
        sent_before = len(emails_in(outbox))
        await handle.signal(SequenceWorkflow.mark_replied, ReplyNotice(note="asked for a call"))
        await ts_env.sleep(timedelta(weeks=10))
        result = await handle.result()
    assert result.outcome == REPLIED
    assert result.reason == "asked for a call"
    assert len(result.touches) == 2
    assert len(emails_in(outbox)) == sent_before


async def test_decline_records_its_reason(ts_env: WorkflowEnvironment, tmp_path: Path) -> None:
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, sequence_input())
        await until_touches(ts_env, handle, 1)
        await handle.signal(SequenceWorkflow.mark_declined, DeclineNotice(reason="built it in-house"))
        result = await handle.result()
        status = await handle.query(SequenceWorkflow.status)
    assert (result.outcome, result.reason) == (DECLINED, "built it in-house")
    assert (status.outcome, status.outcome_reason, status.state) == (DECLINED, "built it in-house", DECLINED)
    assert len(result.touches) == 1


async def test_two_week_pause_shifts_the_remaining_touches(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    begin = quiet_monday(await ts_env.get_current_time())
    await skip_to(ts_env, begin)
    inp = sequence_input()
    unpaused = expected_local_times(begin, inp.plan.touches)
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, inp)
        await until_touches(ts_env, handle, 1)
        now = await ts_env.get_current_time()
        await handle.signal(
            SequenceWorkflow.pause, PauseRequest(until=now + timedelta(weeks=2), reason="customer on leave")
        )
        status = await handle.query(SequenceWorkflow.status)
        assert status.state == "paused" and status.paused
        assert status.next_action is not None and status.next_action.touch == 2
        assert status.details.startswith("paused until ")
        result = await handle.result()
    assert result.outcome == COMPLETED_NO_REPLY
    assert result.touches[0].at_local == unpaused[0]
    for record, before in zip(result.touches[1:], unpaused[1:], strict=True):
        assert datetime.fromisoformat(record.at_local) == datetime.fromisoformat(before) + timedelta(weeks=2)
    assert any("paused (customer on leave)" in d for d in result.touches[1].deferred)


async def test_reply_during_a_pause_is_kept_and_ends_the_sequence(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    async with running_worker(ts_env, outbox, InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, sequence_input())
        await until_touches(ts_env, handle, 1)
        await handle.signal(SequenceWorkflow.pause, PauseRequest(reason="holiday"))
        await ts_env.sleep(timedelta(days=4))
        await handle.signal(SequenceWorkflow.mark_replied, ReplyNotice(note="replied while paused"))
        result = await handle.result()
    assert (result.outcome, result.reason) == (REPLIED, "replied while paused")
    assert len(result.touches) == 1
    assert len(emails_in(outbox)) == 1


async def test_cancel_from_a_client_records_cancelled_and_ends_canceled_in_temporal(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, sequence_input())
        await until_touches(ts_env, handle, 1)
        await ts_env.client.get_workflow_handle(handle.id).cancel()
        with pytest.raises(WorkflowFailureError) as ended:
            await handle.result()
        # The UI's list says Canceled (not Completed, with Reset as its main button) ...
        assert isinstance(ended.value.cause, CancelledError)
        assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
        # ... and the sequence still knows how it ended.
        status = await handle.query(SequenceWorkflow.status)
    assert status.outcome == CANCELLED and status.state == CANCELLED
    assert len(status.touches) == 1


async def test_task_deadline_expires_and_the_sequence_goes_on(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    inp = sequence_input()
    manual = [t for t in inp.plan.touches if t.channel in MANUAL_CHANNELS]
    assert manual
    async with running_worker(ts_env, tmp_path / "outbox", FolderTaskBoard(tmp_path / "tasks")) as tq:
        handle = await start(ts_env, tq, inp)
        first_manual = manual[0].number
        status = await until_touches(ts_env, handle, first_manual - 1)
        for _ in range(30):
            status = await handle.query(SequenceWorkflow.status)
            if status.open_task:
                break
            await ts_env.sleep(timedelta(days=1))
        assert status.open_task is not None and status.state == "task_open"
        assert status.details.startswith(f"touch {first_manual}/{len(inp.plan.touches)}: ")
        assert ", due " in status.details and "Helsinki" in status.details
        result = await handle.result()
    by_number = {t.number: t for t in result.touches}
    assert by_number[first_manual].status == "task_expired"
    assert len(result.touches) == len(inp.plan.touches)
    assert result.outcome == COMPLETED_NO_REPLY
    files = list((tmp_path / "tasks" / "maria.lind").glob("*.md"))
    assert len(files) == len(manual)
    assert "winback task done ACC-1" in files[0].read_text()


class CrashAfterWrite(OutboxTransport):
    """The outside world failing at the worst moment: the message is written, then the worker dies."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.crashed: set[str] = set()
        self.attempts = 0

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        self.attempts += 1
        delivery = super().deliver(key, message)
        if key not in self.crashed:
            self.crashed.add(key)
            raise ConnectionError("connection reset after the message was written")
        return delivery


async def test_a_retried_send_writes_one_message(ts_env: WorkflowEnvironment, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    transport = CrashAfterWrite(outbox)
    inp = sequence_input(make_account(arr=5_000.0))  # T3: email only
    async with running_worker(ts_env, outbox, InstantTaskBoard(ts_env.client), transport) as tq:
        handle = await start(ts_env, tq, inp)
        result = await handle.result()
    emails = len(inp.plan.touches)
    assert transport.attempts == 2 * emails
    mails = emails_in(outbox)
    assert len(mails) == emails
    assert len({m["Message-ID"] for m in mails}) == emails
    assert [t.status for t in result.touches] == ["sent"] * emails


async def test_missing_variable_fails_the_touch_before_anything_is_sent(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    # A customer's own template folder where the first email uses a field nobody provides.
    root = tmp_path / "templates"
    shutil.copytree(templating.ROOT, root)
    inp = sequence_input(make_account(arr=5_000.0))
    first = inp.plan.touches[0]
    (root / "en" / f"{first.template}.j2").write_text("Subject: Hello\n\nHi {{ contact.nickname }},\n")
    outbox = tmp_path / "outbox"
    async with running_worker(ts_env, outbox, InstantTaskBoard(ts_env.client), template_root=root) as tq:
        handle = await start(ts_env, tq, inp)
        result = await handle.result()
    record = result.touches[0]
    assert record.status == "failed"
    assert first.template in record.note and "nickname" in record.note
    assert not any(m["X-Winback-Touch"] == "1" for m in emails_in(outbox))
    # The rest of the sequence still runs, and starts the thread itself.
    assert [t.status for t in result.touches[1:]] == ["sent"] * (len(inp.plan.touches) - 1)
    assert result.outcome == COMPLETED_NO_REPLY


async def test_a_pause_typed_in_the_ui_without_a_zone_still_resumes_by_itself(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, sequence_input())
        await until_touches(ts_env, handle, 1)
        until = (await ts_env.get_current_time()).date() + timedelta(days=10)
        # Exactly what the "Send a Signal" dialog sends for {"until": "YYYY-MM-DD"}.
        await handle.signal("pause", {"until": until.isoformat(), "reason": "trade fair"})
        status = await handle.query(SequenceWorkflow.status)
        assert status.paused and status.pause_until is not None
        assert status.pause_until.utcoffset() == timedelta(0)
        result = await handle.result()
    assert result.outcome == COMPLETED_NO_REPLY
    assert result.touches[1].at_utc.date() >= until


async def test_status_says_why_the_next_touch_waits(ts_env: WorkflowEnvironment, tmp_path: Path) -> None:
    begin = quiet_monday(await ts_env.get_current_time())  # 07:00 in Helsinki
    await skip_to(ts_env, begin)
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, sequence_input())
        status = await handle.query(SequenceWorkflow.status)
        for _ in range(50):  # the first workflow task may still be on its way
            if status.next_action is not None:
                break
            await asyncio.sleep(0.05)
            status = await handle.query(SequenceWorkflow.status)
        await handle.cancel()
    assert status.next_action is not None
    assert status.next_action.at_local.endswith("T09:00:00+02:00")
    assert status.next_action.deferred == [
        f"{begin.date()} 07:00 -> {begin.date()} 09:00: before sending hours (09:00-17:00)"
    ]
    assert status.details.startswith("touch 1/5: email, scheduled Mon ")



async def worker_outage(env: WorkflowEnvironment, due: datetime, back: datetime) -> None:
    """With every worker stopped, move the clock from before `due` to `back`: the timer set for
    `due` fires into a task queue nobody polls, and its workflow task waits until `back`.

    The time-skipping server stops its clock while a workflow task waits for a worker (the
    waiting task holds a time-skipping lock; docs/ARCHITECTURE.md, "Facts about the Temporal
    parts"), so a plain sleep would stall at `due`. Once the timer has fired, the test lifts the
    waiting task's lock itself, lets the clock run to `back`, and takes the lock again, which the
    returning worker releases when it completes the task.
    """
    clock = asyncio.create_task(env.sleep(back - await env.get_current_time()))
    for _ in range(200):  # the clock jumps to `due` and stops there
        if await env.get_current_time() >= due:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the timer never fired")
    await env.client.test_service.unlock_time_skipping(UnlockTimeSkippingRequest())
    await clock
    await env.client.test_service.lock_time_skipping(LockTimeSkippingRequest())


async def test_a_touch_found_overdue_after_a_worker_outage_waits_for_the_next_allowed_slot(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    begin = quiet_monday(await ts_env.get_current_time())  # Mon 07:00 in Helsinki
    await skip_to(ts_env, begin)
    day = begin.astimezone(HELSINKI).date()
    inp = sequence_input(make_account(arr=5_000.0))  # T3: touch 1 is an email, due Mon 09:00
    outbox = tmp_path / "outbox"
    tasks = InstantTaskBoard(ts_env.client)
    async with running_worker(ts_env, outbox, tasks, sticky=False) as tq:
        handle = await start(ts_env, tq, inp)
        for _ in range(50):  # until the workflow has set its timer for touch 1
            status = await handle.query(SequenceWorkflow.status)
            if status.next_action is not None:
                break
            await asyncio.sleep(0.05)
        assert status.next_action is not None
        assert status.next_action.at_local == f"{day}T09:00:00+02:00"

    # Every worker is away from before 09:00 until 22:00 Helsinki, when one comes back.
    await worker_outage(ts_env, due=begin + timedelta(hours=2), back=begin + timedelta(hours=15))
    assert emails_in(outbox) == []
    async with running_worker(ts_env, outbox, tasks, task_queue=tq):
        for _ in range(50):  # until the returning worker has looked at the touch
            status = await handle.query(SequenceWorkflow.status)
            if status.next_action is not None and status.next_action.at_local != f"{day}T09:00:00+02:00":
                break
            await asyncio.sleep(0.05)
        assert emails_in(outbox) == []  # not sent at 22:00
        assert status.next_action is not None
        next_day = day + timedelta(days=1)
        assert status.next_action.at_local == f"{next_day}T09:00:00+02:00"
        assert status.details.startswith(f"touch 1/{len(inp.plan.touches)}: email, scheduled Tue ")
        status = await until_touches(ts_env, handle, 1)
        await handle.cancel()

    first = status.touches[0]
    assert first.status == "sent"
    assert first.at_local == f"{next_day}T09:00:00+02:00"
    assert first.deferred == [
        f"{day} 07:00 -> {day} 09:00: before sending hours (09:00-17:00)",
        f"{day} 09:00 -> {day} 22:00: overdue, no worker ran it in time",
        f"{day} 22:00 -> {next_day} 09:00: after sending hours (09:00-17:00)",
    ]
    [mail] = emails_in(outbox)
    assert mail["X-Winback-Touch"] == "1"
