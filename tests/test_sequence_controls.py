"""The CSM's console: validated Updates refuse what they cannot take and say what to type;
signals record what they could not read; dates are the customer's; the details tell the truth
while paused; a cancelled or moved sequence shows it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from contracts import ids
from contracts.sequence import ActionResult, SequenceInput
from tests.factories import make_account, quiet_monday, sequence_input
from tests.test_sequence import running_worker, skip_to, start, until_touches
from winback.simulate import InstantTaskBoard
from workflows.sequence import SequenceWorkflow

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_input() -> SequenceInput:
    return sequence_input(make_account(account_id="CON-1", country="DE", timezone="Europe/Berlin"))


async def refusal(update: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await update
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == ids.REFUSED_ERROR
    return cause.message


async def test_a_pause_with_an_unreadable_date_is_refused_and_the_sequence_is_unchanged(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, berlin_input())
        before = await until_touches(ts_env, handle, 1)
        said = await refusal(handle.execute_update(ids.PAUSE, {"until": "15.12.2026"}))
        assert said == (
            'pause refused: "until" must be a date like 2026-12-15 or a date and time like '
            '2026-12-15T09:00 (the customer\'s time in Europe/Berlin); got "15.12.2026". '
            'Example: {"until": "2026-12-15", "reason": "customer on leave"}'
        )
        after = await handle.query(SequenceWorkflow.status)
        assert not after.paused and after.state == before.state and after.next_action == before.next_action
        assert after.refused == []  # a refused update changed nothing, not even the record

        # The same mistake as a signal (machines, older scripts): recorded where the CSM looks.
        await handle.signal(ids.PAUSE, {"until": "15.12.2026"})
        signalled = await handle.query(SequenceWorkflow.status)
        assert not signalled.paused
        assert signalled.refused[-1].endswith(said) and said in signalled.details
        # The next accepted action clears it from the details; the status keeps the record.
        await handle.execute_update(ids.PAUSE, {"reason": "customer on leave"})
        paused = await handle.query(SequenceWorkflow.status)
        assert paused.paused and "refused" not in paused.details and len(paused.refused) == 1
        await handle.cancel()


async def test_a_pause_until_a_date_ends_at_the_start_of_that_day_where_the_customer_is(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, berlin_input())
        await until_touches(ts_env, handle, 1)
        day = (await ts_env.get_current_time()).astimezone(BERLIN).date() + timedelta(days=10)
        done = await handle.execute_update(
            ids.PAUSE, {"until": day.isoformat(), "reason": "customer on leave"}, result_type=ActionResult
        )
        resumes = datetime.combine(day, time(0), BERLIN)
        status = await handle.query(SequenceWorkflow.status)
        assert status.paused and status.pause_until == resumes.astimezone(UTC)
        assert status.pause_until_local == resumes.isoformat()
        # Both times, the customer's and the UI's, and where the next touch lands afterwards.
        utc = resumes.astimezone(UTC)
        assert done.state == "paused"
        assert done.details.startswith(
            f"paused until {day:%a} {day.day} {day:%b} Berlin ({utc:%a} {utc.day} {utc:%b %H:%M} UTC) "
            "(customer on leave); then touch 2/"
        )
        assert status.details == done.details
        landing = status.next_action
        assert landing is not None and landing.touch == 2 and landing.at_utc > resumes
        result = await handle.result()
    # What the details promised while paused is when touch 2 happened.
    assert result.touches[1].at_utc == landing.at_utc


async def test_a_second_pause_while_paused_moves_its_end(ts_env: WorkflowEnvironment, tmp_path: Path) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, berlin_input())
        await until_touches(ts_env, handle, 1)
        today = (await ts_env.get_current_time()).astimezone(BERLIN).date()
        await handle.execute_update(ids.PAUSE, {"until": (today + timedelta(days=3)).isoformat()})
        later = today + timedelta(days=20)
        await handle.execute_update(ids.PAUSE, {"until": later.isoformat(), "reason": "longer leave"})
        await ts_env.sleep(timedelta(days=5))
        # Before, the first `until` still ended the pause on day 3.
        status = await handle.query(SequenceWorkflow.status)
        assert status.paused and status.pause_reason == "longer leave" and len(status.touches) == 1
        result = await handle.result()
    assert result.touches[1].at_utc >= datetime.combine(later, time(0), BERLIN)


async def test_actions_that_do_not_fit_the_state_are_refused_with_the_reason(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        inp = berlin_input()
        handle = await start(ts_env, tq, inp)
        await until_touches(ts_env, handle, 1)
        assert await refusal(handle.execute_update(ids.RESUME, {})) == (
            "resume refused: the sequence is not paused"
        )
        assert await refusal(handle.execute_update(ids.COMPLETE_TASK, {"outcome": "done"})) == (
            "complete_task refused: no task is open now"
        )
        total = len(inp.plan.touches)
        assert await refusal(handle.execute_update(ids.SKIP_TOUCH, {"touch": total + 1})) == (
            f"skip_touch refused: touch {total + 1} is not ahead; give 2 to {total} or null"
        )
        await handle.execute_update(ids.PAUSE, {})
        assert (await refusal(handle.execute_update(ids.RESCHEDULE, {"at": "2030-01-01"}))).startswith(
            'reschedule refused: "at" is more than a year away'
        )
        soon = (await ts_env.get_current_time()).astimezone(BERLIN).date() + timedelta(days=3)
        assert await refusal(handle.execute_update(ids.RESCHEDULE, {"at": soon.isoformat()})) == (
            "reschedule refused: the sequence is paused; resume it first, or pause until the day you mean"
        )
        done = await handle.execute_update(
            ids.MARK_DECLINED, {"reason": "built it in-house"}, result_type=ActionResult
        )
        assert done.state == "declined" and done.details.startswith("ended: declined (built it in-house)")


async def test_reschedule_moves_the_next_touch_to_the_first_allowed_moment_from_then(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    async with running_worker(ts_env, tmp_path / "outbox", InstantTaskBoard(ts_env.client)) as tq:
        handle = await start(ts_env, tq, berlin_input())
        await until_touches(ts_env, handle, 1)
        day = (await ts_env.get_current_time()).astimezone(BERLIN).date() + timedelta(days=12)
        while day.weekday() != 5:  # a Saturday: the send-time rules move it to Monday's window
            day += timedelta(days=1)
        done = await handle.execute_update(
            ids.RESCHEDULE,
            {"at": f"{day.isoformat()}T14:00", "touch": 2, "reason": "after the fair"},
            result_type=ActionResult,
        )
        status = await handle.query(SequenceWorkflow.status)
        landing = status.next_action
        assert landing is not None and landing.touch == 2
        local = landing.at_utc.astimezone(BERLIN)
        assert local.date() == day + timedelta(days=2) and local.weekday() == 0
        assert any("moved by the owner (after the fair)" in line for line in landing.deferred)
        assert done.details == status.details and "touch 2/" in done.details
        result = await handle.result()
    assert result.touches[1].at_utc == landing.at_utc
    # Later touches count from the moved one, as from any other.
    assert result.touches[2].at_utc > landing.at_utc
