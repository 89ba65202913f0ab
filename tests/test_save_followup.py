"""SaveFollowUpWorkflow on the time-skipping server: a saved account's weekly checks, promises
and renewal check; a lost one's exit tasks and its 3/6/12-month win-back stages under the rules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from campaigns.save_followup import DEBRIEF_QUESTIONS, health_checks
from contracts import ids
from contracts.save_followup import FollowUpInput, FollowUpStatus, Promise
from tests.factories import make_account, quiet_monday
from tests.test_save import RecordingBoard, full_save, save_worker, started, until
from tests.test_sequence_controls import refusal
from workflows.save import SaveWorkflow
from workflows.save_followup import SaveFollowUpWorkflow
from workflows.save_followup_text import report_back_for

CAMPAIGN = """\
id: after-saves
name: After saves
playbooks:
  product_gap: product_gap
  default: time_based
audience:
  months_since_churn: {min: 0, max: 120}
schedule:
  window: "00:00-24:00"
  weekdays: [mon, tue, wed, thu, fri, sat, sun]
  quarter_end_blackout_days: 0
sender:
  from: "Aino Virtanen <aino@winback.example>"
  postal_address: "Winback Oy, Esimerkkikatu 1, 00100 Helsinki, Finland"
  daily_cap: 1000
cool_off:
  declined_months: 6
"""


def follow_up(today: date, outcome: str, *, account_id: str, **kw: Any) -> FollowUpInput:
    save = full_save(today, account_id=account_id, days=30)
    return FollowUpInput(
        account=save.account,
        save_workflow_id=ids.save_workflow_id(account_id),
        campaign_id="saves-test",
        outcome=outcome,
        reason="signed a 2-year renewal" if outcome == "saved" else "moved to Brightloop for price",
        renewal_on=save.renewal_on,
        csm="maria.lind",
        manager="sanna.virtanen",
        **kw,
    )


async def start(env: WorkflowEnvironment, inp: FollowUpInput) -> WorkflowHandle[Any, FollowUpStatus]:
    await env.sleep(quiet_monday(await env.get_current_time()) - await env.get_current_time())
    return await env.client.start_workflow(
        SaveFollowUpWorkflow.run,
        inp,
        id=ids.save_follow_up_id(inp.account.account_id),
        task_queue="saves",
    )


async def status_until(
    handle: WorkflowHandle[Any, FollowUpStatus], check: Callable[[FollowUpStatus], bool], what: str
) -> FollowUpStatus:
    for _ in range(200):
        status = await handle.query(SaveFollowUpWorkflow.status)
        if check(status):
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


def has(task_id: str) -> Callable[[FollowUpStatus], bool]:
    return lambda s: any(t.task_id == task_id and t.board for t in s.tasks)


async def current_details(handle: WorkflowHandle[Any, FollowUpStatus]) -> str:
    """What the Web UI shows under "current details"."""
    meta = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return meta.current_details


def test_six_months_are_26_weekly_checks_and_a_campaign_may_say_up_to_12() -> None:
    assert (health_checks(6), health_checks(12), health_checks(3), health_checks(24)) == (26, 52, 26, 52)


async def test_a_saved_account_gets_26_weekly_checks_its_promises_and_a_renewal_check(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    board = RecordingBoard()
    async with save_worker(ts_env, tmp_path, board) as store:
        now = quiet_monday(await ts_env.get_current_time())
        promises = (
            Promise("issue-1", "a working session with the users", "maria.lind", now + timedelta(days=7)),
            Promise("issue-2", "a value review in their numbers", "erik.holm", now + timedelta(days=14)),
            Promise("issue-3", "already kept", "maria.lind", now + timedelta(days=3), done=True),
        )
        handle = await start(ts_env, follow_up(now.date(), "saved", account_id="FU-1", promises=promises))
        await status_until(handle, has("promise-issue-2"), "the promises open")
        await handle.execute_update(ids.COMPLETE_TASK, {"task": "promise-issue-1", "note": "session held"})
        held = {"task": "promise-issue-2", "outcome": "held"}
        wrong = await refusal(handle.execute_update(ids.COMPLETE_TASK, held))
        assert wrong == 'complete_task refused: "outcome" of promise-issue-2 must be one of done, skipped'

        # Past both due dates: only the open promise escalates, to the manager.
        await ts_env.sleep(timedelta(days=16))
        after = await status_until(handle, has("escalation-issue-2"), "the overdue promise escalates")
        escalations = [t for t in after.tasks if t.task_id.startswith("escalation-")]
        assert [(t.task_id, t.owner) for t in escalations] == [("escalation-issue-2", "sanna.virtanen")]
        assert "promise-issue-3" not in {t.task_id for t in after.tasks}

        # The next renewal: a year after the saved one, the check opens; held is recorded.
        await ts_env.sleep(timedelta(days=365 + 30 - 16 + 1))
        await status_until(handle, has("renewal-check"), "the renewal check opens")
        await handle.execute_update(ids.COMPLETE_TASK, {"task": "renewal-check", "outcome": "held"})
        result = await handle.result()

    health = [a for a in board.assigned if a.template.startswith("health-")]
    assert len(health) == 26 and {a.owner for a in health} == {"maria.lind"}
    assert all(b.due_utc > a.due_utc for a, b in pairwise(health))
    # The board says how to report each task as `winback tasks` does: the renewal check held|churned.
    assert all(a.report_back == report_back_for("FU-1", a.template) for a in board.assigned)
    assert all(
        a.channel == "save-followup" and a.subject.startswith("After the save of FU-1: ")
        for a in board.assigned
    )
    assert result.done and result.steps == ["renewal-check: held"]
    [row] = store.follow_ups(account_id="FU-1")
    assert (row.step, row.result) == ("renewal-check", "held")
    # A board file per task: every task has its own number.
    assert len({a.touch for a in board.assigned}) == len(board.assigned)


async def test_a_lost_account_gets_its_exit_tasks_and_win_back_stages_under_the_rules(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    campaign = tmp_path / "after-saves.yaml"
    campaign.write_text(CAMPAIGN)
    board = RecordingBoard()
    async with save_worker(ts_env, tmp_path, board) as store:
        now = quiet_monday(await ts_env.get_current_time())
        store.import_accounts([make_account(account_id="FU-2", churned_on=None)], now=now)
        inp = follow_up(now.date(), "lost", account_id="FU-2", winback_campaign=str(campaign))
        handle = await start(ts_env, inp)
        exit_tasks = await status_until(handle, has("debrief"), "the exit tasks open")
        assert [(t.task_id, t.owner) for t in exit_tasks.tasks] == [
            ("offboarding", "maria.lind"),
            ("debrief", "sanna.virtanen"),
        ]
        debrief = next(a for a in board.assigned if a.template == "debrief")
        assert all(q in debrief.text for q in DEBRIEF_QUESTIONS)

        # 3 months: the check-in starts through the start path; then the contact declines.
        await ts_env.sleep(timedelta(days=93))
        three = await status_until(handle, lambda s: len(s.steps) == 1, "the 3-month stage")
        assert three.steps[0].startswith("winback-3m: started"), three.steps
        sequence = ts_env.client.get_workflow_handle(ids.workflow_id_for("FU-2"))
        await sequence.signal(ids.MARK_DECLINED, {"reason": "not now"})
        await sequence.result()

        result = await handle.result()
    rows = {r.step: r for r in store.follow_ups(account_id="FU-2")}
    assert [(s, rows[s].result) for s in ("winback-3m", "winback-6m", "winback-12m")] == [
        ("winback-3m", "started"),
        ("winback-6m", "refused"),  # the decline's 6-month cool-off still holds
        ("winback-12m", "started"),  # it has ended
    ]
    assert rows["winback-3m"].detail.startswith("time_based in after-saves-winback-3m")
    assert "declined on " in rows["winback-6m"].detail and "not now" in rows["winback-6m"].detail
    assert rows["winback-12m"].detail.startswith("product_gap in after-saves-winback-12m")
    assert len(result.steps) == 3 and result.done


async def test_without_a_win_back_campaign_each_stage_is_refused_and_recorded(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()) as store:
        now = quiet_monday(await ts_env.get_current_time())
        handle = await start(ts_env, follow_up(now.date(), "lost", account_id="FU-3"))
        result = await handle.result()
    rows = store.follow_ups(account_id="FU-3")
    assert [(r.step, r.result) for r in rows] == [
        ("winback-3m", "refused"),
        ("winback-6m", "refused"),
        ("winback-12m", "refused"),
    ]
    assert rows[0].detail.startswith("the save named no win-back campaign")
    assert result.done


async def test_a_saved_save_starts_its_follow_up_with_its_promises(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()):
        today = quiet_monday(await ts_env.get_current_time()).date()
        handle = await started(ts_env, full_save(today, account_id="FU-4"))
        await until(handle, lambda s: any(t.board for t in s.tasks if t.task_id == "issue-2"), "issues open")
        await handle.execute_update(ids.COMPLETE_TASK, {"task": "issue-1"})
        await handle.execute_update(ids.MARK_SAVED, {"reason": "renewed"})
        assert (await handle.result()).outcome == "saved"
        follow = ts_env.client.get_workflow_handle(ids.save_follow_up_id("FU-4"))
        status = await status_until(follow, has("promise-issue-2"), "the follow-up opens the open promise")
        assert status.outcome == "saved"
        assert [t.task_id for t in status.tasks] == ["promise-issue-2"]  # issue-1 was kept
        assert (await handle.query(SaveWorkflow.status)).outcome == "saved"
        await follow.terminate("test over")


async def test_a_task_board_closes_a_weekly_health_check_by_signal(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()):
        now = quiet_monday(await ts_env.get_current_time())
        handle = await start(ts_env, follow_up(now.date(), "saved", account_id="FU-5"))
        await ts_env.sleep(timedelta(days=7, hours=1))
        await status_until(handle, has("health-1"), "the first weekly check opens")

        await handle.signal(ids.COMPLETE_TASK, {"task": "health-1", "note": "usage steady"})
        status = await status_until(handle, lambda s: s.tasks[0].state == "done", "the signal closes it")
        assert [(t.task_id, t.state, t.note) for t in status.tasks] == [("health-1", "done", "usage steady")]
        # What `winback tasks` needs for its rows, from the input.
        assert (status.campaign_id, status.timezone) == ("saves-test", "Europe/Helsinki")
        assert status.refused == []
        assert (await current_details(handle)).startswith("after the save (saved): 0 open task(s)")
        await handle.terminate("test over")


async def test_a_task_board_s_bad_report_is_refused_visibly_and_changes_nothing(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with save_worker(ts_env, tmp_path, RecordingBoard()):
        now = quiet_monday(await ts_env.get_current_time())
        promise = Promise("issue-1", "a working session", "maria.lind", now + timedelta(days=7))
        handle = await start(ts_env, follow_up(now.date(), "saved", account_id="FU-6", promises=(promise,)))
        before = await status_until(handle, has("promise-issue-1"), "the promise opens")

        await handle.signal(ids.COMPLETE_TASK, {"task": "promise-issue-1", "outcome": "held"})
        await handle.signal(ids.COMPLETE_TASK, {"task": "health-9"})
        await handle.signal(ids.COMPLETE_TASK, ["promise-issue-1"])
        after = await status_until(handle, lambda s: len(s.refused) == 3, "three refusals recorded")

        assert after.tasks == before.tasks  # still open, no note
        wrong, missing, unreadable = after.refused
        assert wrong.endswith('refused: "outcome" of promise-issue-1 must be one of done, skipped')
        assert missing.endswith("complete_task refused: no open task health-9; open now: promise-issue-1")
        assert unreadable.endswith(
            'complete_task refused: the input must be a JSON object; got ["promise-issue-1"]. '
            'Example: {"task": "health-1", "outcome": "done", "note": "usage steady"}'
        )
        assert " UTC complete_task refused: " in wrong  # stamped when it came
        details = await current_details(handle)
        assert details.endswith(unreadable.split(" UTC ", 1)[1])  # the newest, where the CSM looks

        # The Update is refused by the same rules, in the same words, and records nothing.
        said = await refusal(handle.execute_update(ids.COMPLETE_TASK, {"task": "health-9"}))
        assert missing.endswith(said)
        assert len((await handle.query(SaveFollowUpWorkflow.status)).refused) == 3

        # A report that fits closes the task; the refusal leaves the details, the status keeps it.
        await handle.signal(ids.COMPLETE_TASK, {"task": "promise-issue-1", "note": "session held"})
        closed = await status_until(handle, lambda s: s.tasks[0].state == "done", "the good report closes it")
        assert closed.tasks[0].note == "session held" and len(closed.refused) == 3
        assert "refused" not in await current_details(handle)
        await handle.terminate("test over")
