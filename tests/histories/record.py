"""Record the committed histories the replay tests check against.

    .venv/bin/python -m tests.histories.record

It writes only the histories that are missing: existing files are the contract that
workflow changes must keep replaying (use workflow.patched for changes).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHistory,
    WorkflowUpdateFailedError,
)
from temporalio.testing import WorkflowEnvironment

from activities import pipeline
from activities.email import OutboxTransport
from activities.launch import LaunchActivities, start_sequence
from activities.reconcile import ReconcileActivities
from activities.reconcile_runs import TERMINATED, ClosedRun, TemporalRuns
from activities.saves import start_save
from activities.sequence import SequenceActivities
from activities.store.records import WatchSource
from activities.tasks import FolderTaskBoard
from activities.watch import WatchActivities
from campaigns.intent import CANCEL_FLOW_ABANDONED, DATA_EXPORT
from campaigns.months import add_months
from campaigns.plan import build_plan
from contracts.ids import reconcile_schedule_id, watch_schedule_id
from contracts.intent import IntentNotice
from contracts.reconcile import ReconcileInput
from contracts.sequence import DeclineNotice, PauseRequest, ReplyNotice, ResumeRequest, TaskCompletion
from contracts.watch import WatchInput
from tests.factories import (
    make_account,
    make_campaign,
    quiet_monday,
    sequence_input,
    task_first_input,
    temp_store,
)
from tests.test_save import RecordingBoard, full_save, save_worker
from tests.test_save_followup import follow_up
from tests.test_save_followup import start as start_follow_up
from winback import binaries
from winback.simulate import InstantTaskBoard, register_search_attributes
from winback.worker import sequence_worker
from workflows.reconcile import ReconcileWorkflow
from workflows.save import SaveWorkflow
from workflows.sequence import SequenceWorkflow
from workflows.watch import WatchWorkflow

HERE = Path(__file__).parent
TIME_CAMPAIGN = """
id: hist-watch
name: History of a watcher
playbooks: {default: time_based}
audience: {months_since_churn: {min: 0, max: 120}}
sender: {from: "Aino <aino@winback.example>", postal_address: "Esimerkkikatu 1, Helsinki"}
triggers:
  - on: time
    milestones: [months_6]
    playbook: time_based
"""


class KnownRuns(TemporalRuns):
    """The sequences this script closed, in place of visibility's list, which the time-skipping
    server does not serve; their histories are read from the server as in production."""

    def __init__(self, client: Client, task_queue: str) -> None:
        super().__init__(client, task_queue)
        self.runs: list[ClosedRun] = []

    async def closed(self, *, after: datetime) -> AsyncIterator[Sequence[ClosedRun]]:
        yield [run for run in self.runs if run.closed_at > after]


def missing(name: str) -> bool:
    return not (HERE / name).exists()


def keep(name: str, history: WorkflowHistory) -> None:
    (HERE / name).write_text(history.to_json())
    print(f"recorded {name}")


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binaries.test_server()))
    async with env:
        await register_search_attributes(env.client)
        begin = quiet_monday(await env.get_current_time())
        await env.sleep(begin - await env.get_current_time())
        with tempfile.TemporaryDirectory() as tmp:
            store = temp_store(Path(tmp))
            impl = SequenceActivities(
                OutboxTransport(Path(tmp)),
                InstantTaskBoard(env.client),
                store,
                public_url="https://winback.example",
                unsubscribe_secret=b"record",
            )
            launch = LaunchActivities(env.client, store, task_queue="record")
            watch = WatchActivities(env.client, store, task_queue="record")
            closed = KnownRuns(env.client, "record")
            reconcile = ReconcileActivities(env.client, store, task_queue="record", runs=closed)
            async with sequence_worker(env.client, "record", impl, launch, watch, reconcile):
                if missing("sequence_t1_full.json"):
                    full = sequence_input(make_account(account_id="HIST-T1"))
                    handle = await start_sequence(env.client, "record", full)
                    await handle.result()
                    keep("sequence_t1_full.json", await handle.fetch_history())

                if missing("sequence_t2_pause_reply.json"):
                    paused = sequence_input(make_account(account_id="HIST-PAUSE", arr=20_000.0))
                    handle = await start_sequence(env.client, "record", paused)
                    await env.sleep(timedelta(days=1))
                    await handle.signal(SequenceWorkflow.pause, PauseRequest(reason="on leave"))
                    await env.sleep(timedelta(days=5))
                    await handle.signal(SequenceWorkflow.mark_replied, ReplyNotice(note="replied"))
                    await handle.result()
                    keep("sequence_t2_pause_reply.json", await handle.fetch_history())

                if missing("sequence_t3_declined_outcome.json"):
                    # Since the store: the outcome is written by an activity at the end.
                    declined = sequence_input(make_account(account_id="HIST-DECLINE", arr=5_000.0))
                    handle = await start_sequence(env.client, "record", declined)
                    await env.sleep(timedelta(days=8))
                    await handle.signal(SequenceWorkflow.mark_declined, DeclineNotice(reason="no budget"))
                    await handle.result()
                    keep("sequence_t3_declined_outcome.json", await handle.fetch_history())

                if missing("launch_small.json"):
                    campaign = make_campaign(campaign_id="hist-launch")
                    accounts = [make_account(account_id=f"HIST-L{i}") for i in range(5)]
                    now = await env.get_current_time()
                    plan = build_plan(accounts, campaign, as_of=now.date(), preferences=[], enrolments=[])
                    items = pipeline.items(plan, campaign, accounts, now=now)
                    started = await pipeline.start(
                        env.client, "record", store, campaign.id, items, now=now, batch_size=2
                    )
                    await started.handle.result()
                    keep("launch_small.json", await started.handle.fetch_history())

                if missing("watch_time_poll.json"):
                    # The time source: an account 6 months after churn today starts its playbook.
                    # Today by the wall clock, as the activity reads it (the server's clock has
                    # skipped ahead for the histories above).
                    now = datetime.now(UTC)
                    campaign_file = Path(tmp) / "signals.yaml"
                    campaign_file.write_text(TIME_CAMPAIGN, encoding="utf-8")
                    churned = add_months(now.date(), -6)
                    if add_months(churned, 6) == now.date():
                        store.import_accounts(
                            [make_account(account_id="HIST-W1", churned_on=churned.isoformat())], now=now
                        )
                    store.save_watch_source(
                        WatchSource(
                            source_id="time",
                            kind="time",
                            location="",
                            company="",
                            campaign_path=str(campaign_file),
                            every_seconds=86400,
                            created_at=now,
                        )
                    )
                    handle = await env.client.start_workflow(
                        WatchWorkflow.run,
                        WatchInput(source_id="time"),
                        id=watch_schedule_id("time"),
                        task_queue="record",
                    )
                    await handle.result()
                    keep("watch_time_poll.json", await handle.fetch_history())

                if missing("sequence_console.json"):
                    # The CSM's console: a refused Update (no event), a signal read as refused,
                    # a pause to a date where the customer is, a second pause moving its end,
                    # a reschedule, then a cancel that ends the sequence Canceled.
                    console = sequence_input(
                        make_account(account_id="HIST-CONSOLE", country="DE", timezone="Europe/Berlin")
                    )
                    handle = await start_sequence(env.client, "record", console)
                    while not (await handle.query(SequenceWorkflow.status)).touches:
                        await env.sleep(timedelta(hours=6))
                    with contextlib.suppress(WorkflowUpdateFailedError):
                        await handle.execute_update("pause", {"until": "15.12.2026"})
                    await handle.signal("pause", {"until": "15.12.2026"})
                    today = (await env.get_current_time()).date()
                    await handle.execute_update("pause", {"until": (today + timedelta(days=3)).isoformat()})
                    await handle.execute_update(
                        "pause", {"until": (today + timedelta(days=6)).isoformat(), "reason": "on leave"}
                    )
                    await env.sleep(timedelta(days=7))
                    await handle.execute_update(
                        "reschedule",
                        {"at": (today + timedelta(days=20)).isoformat(), "reason": "after the fair"},
                    )
                    await env.sleep(timedelta(days=1))
                    await handle.cancel()
                    with contextlib.suppress(WorkflowFailureError):
                        await handle.result()
                    keep("sequence_console.json", await handle.fetch_history())

                if missing("reconcile_terminated.json"):
                    # A sequence terminated from outside after its first email: one pass records it.
                    stopped = sequence_input(make_account(account_id="HIST-TERMINATED"))
                    handle = await start_sequence(env.client, "record", stopped)
                    await env.sleep(timedelta(days=1))
                    await handle.terminate(reason="customer asked us to stop, by phone")
                    described = await handle.describe()
                    assert described.close_time is not None
                    closed.runs.append(
                        ClosedRun(handle.id, handle.result_run_id or "", TERMINATED, described.close_time)
                    )
                    handle = await env.client.start_workflow(
                        ReconcileWorkflow.run,
                        ReconcileInput(),
                        id=f"{reconcile_schedule_id('record')}-history",
                        task_queue="record",
                    )
                    assert (await handle.result()).recorded == 1
                    keep("reconcile_terminated.json", await handle.fetch_history())

                if missing("save_full_escalation.json"):
                    # A full save with the executive escalation: the simulator's board reports
                    # each task as it opens, so the four steps run one after another; then a
                    # 20 % discount a manager may not approve (refused, no event) and a director
                    # approves, a pause and a resume, and the renewal recorded saved.
                    today = (await env.get_current_time()).date()
                    handle = await start_save(env.client, "record", full_save(today, account_id="HIST-SAVE"))
                    while (await handle.query(SaveWorkflow.status)).state != "awaiting_outcome":
                        await asyncio.sleep(0.1)
                    await handle.execute_update(
                        "request_concession",
                        {
                            "kind": "discount",
                            "size": "20 %",
                            "commitment": "a 2-year renewal",
                            "sunset": "year 1 only",
                            "rationale": "keeps the account",
                            "alternatives": ["payment terms"],
                        },
                    )
                    with contextlib.suppress(WorkflowUpdateFailedError):
                        await handle.execute_update(
                            "decide_concession", {"approver": "sanna.virtanen", "decision": "approve"}
                        )
                    await handle.execute_update(
                        "decide_concession", {"approver": "erik.holm", "decision": "approve"}
                    )
                    await handle.execute_update("pause", {"reason": "customer on leave"})
                    await env.sleep(timedelta(days=3))
                    await handle.execute_update("resume", {})
                    await handle.execute_update("mark_saved", {"reason": "signed a 2-year renewal"})
                    await handle.result()
                    keep("save_full_escalation.json", await handle.fetch_history())

            # Since the open-task memo: a task nobody reports at once (the board only files it).
            board = SequenceActivities(
                OutboxTransport(Path(tmp)),
                FolderTaskBoard(Path(tmp) / "tasks"),
                store,
                public_url="https://winback.example",
                unsubscribe_secret=b"record",
            )
            async with sequence_worker(env.client, "record-board", board):
                if missing("sequence_task_memo.json"):
                    # The memo shows the task when it opens, again when a pause moves its
                    # deadline, and drops it when the owner reports it done.
                    inp = task_first_input(make_account(account_id="HIST-TASK", country=""))
                    handle = await start_sequence(env.client, "record-board", inp)
                    while (await handle.query(SequenceWorkflow.status)).open_task is None:
                        await asyncio.sleep(0.1)
                    await handle.signal(SequenceWorkflow.pause, PauseRequest(reason="on leave"))
                    await env.sleep(timedelta(hours=20))
                    await handle.signal(SequenceWorkflow.resume, ResumeRequest())
                    await env.sleep(timedelta(hours=1))
                    await handle.signal(
                        SequenceWorkflow.complete_task, TaskCompletion(outcome="done", note="sent", touch=1)
                    )
                    await handle.result()
                    keep("sequence_task_memo.json", await handle.fetch_history())
            store.close()


async def record_follow_up() -> None:
    """In a fresh server of its own: the schedules above keep firing while time skips a year."""
    if not missing("save_lost_follow_up.json"):
        return
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binaries.test_server()))
    async with env:
        await register_search_attributes(env.client)
        await env.sleep(quiet_monday(await env.get_current_time()) - await env.get_current_time())
        with tempfile.TemporaryDirectory() as tmp:
            store = temp_store(Path(tmp))
            impl = SequenceActivities(
                OutboxTransport(Path(tmp)),
                FolderTaskBoard(Path(tmp) / "tasks"),
                store,
                public_url="https://winback.example",
                unsubscribe_secret=b"record",
            )
            async with sequence_worker(env.client, "record", impl):
                # A full save recorded lost: since the follow-up, the save starts it as a child
                # (the patch marker); the follow-up opens the exit tasks and, without a win-back
                # campaign, records each of the 3/6/12-month stages refused.
                today = (await env.get_current_time()).date()
                handle = await start_save(env.client, "record", full_save(today, account_id="HIST-LOST"))
                while not (await handle.query(SaveWorkflow.status)).tasks[0].board:
                    await asyncio.sleep(0.1)
                await handle.execute_update("mark_lost", {"reason": "moved to Brightloop for price"})
                await handle.result()
                keep("save_lost_follow_up.json", await handle.fetch_history())


async def record_follow_up_alone() -> None:
    """The follow-up of a lost save on its own (a fresh server, the save tests' worker): its exit
    tasks, then each 3/6/12-month stage refused, since it names no win-back campaign."""
    if not missing("save_follow_up_lost.json"):
        return
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binaries.test_server()))
    async with env:
        await register_search_attributes(env.client)
        with tempfile.TemporaryDirectory() as tmp:
            async with save_worker(env, Path(tmp), RecordingBoard()):
                now = quiet_monday(await env.get_current_time())
                handle = await start_follow_up(env, follow_up(now.date(), "lost", account_id="HIST-FOLLOW"))
                await handle.result()
                keep("save_follow_up_lost.json", await handle.fetch_history())


async def record_intent_start() -> None:
    """A save a cancel intent started (signal-with-start, as the web service does): the abandoned
    cancel flow's intervention task first, a later intent shown on the save, then a cancel."""
    if not missing("save_started_by_intent.json"):
        return
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binaries.test_server()))
    async with env:
        await register_search_attributes(env.client)
        with tempfile.TemporaryDirectory() as tmp:
            board = RecordingBoard()
            async with save_worker(env, Path(tmp), board):
                now = quiet_monday(await env.get_current_time())
                await env.sleep(now - await env.get_current_time())
                abandoned = IntentNotice("id:hist-1", CANCEL_FLOW_ABANDONED, now, "left at the reason step")
                handle = await start_save(
                    env.client, "saves", full_save(now.date(), account_id="HIST-INTENT"), intent=abandoned
                )
                while not board.assigned:
                    await asyncio.sleep(0.1)
                exported = IntentNotice("id:hist-2", DATA_EXPORT, now + timedelta(hours=1))
                await handle.signal("intent", exported)
                while len((await handle.query(SaveWorkflow.status)).intents) < 2:
                    await asyncio.sleep(0.1)
                await handle.cancel()
                with contextlib.suppress(WorkflowFailureError):
                    await handle.result()
                keep("save_started_by_intent.json", await handle.fetch_history())


if __name__ == "__main__":
    asyncio.run(main())
    asyncio.run(record_follow_up())
    asyncio.run(record_follow_up_alone())
    asyncio.run(record_intent_start())
