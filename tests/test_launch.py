"""LaunchWorkflow on the real dev server: batches, continue-as-new, a worker that dies mid-launch."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities import pipeline
from activities.launch import LaunchActivities
from activities.store import Store
from campaigns.model import Account
from campaigns.plan import build_plan
from contracts.codec import decode_input
from contracts.launch import LaunchProgress
from tests.cli import EXAMPLES, REPO, env_for, winback
from tests.factories import make_account, make_campaign, temp_store
from winback.settings import Settings
from winback.worker import build_worker, workflow_runner
from workflows.launch import LaunchWorkflow


def many_accounts(prefix: str, count: int) -> list[Account]:
    """A realistic mix: most included, some structural or below 1,000 ARR (left out)."""
    reasons = ["product_gap", "competitive", "service", "budget", "adoption", "bad_fit"]
    out = []
    for i in range(count):
        if i % 97 == 0:
            out.append(make_account(account_id=f"{prefix}-{i:05d}", churn_reason="structural"))
        elif i % 89 == 0:
            out.append(make_account(account_id=f"{prefix}-{i:05d}", arr=650.0))
        else:
            out.append(
                make_account(
                    account_id=f"{prefix}-{i:05d}",
                    churn_reason=reasons[i % len(reasons)],
                    arr=float(1_000 + (i * 7919) % 90_000),
                    departure="angry" if i % 11 == 0 else "graceful",
                )
            )
    return out


def launch_worker(client: Client, store: Store, launch_queue: str, sequence_queue: str) -> Worker:
    # Sequences go to a queue nobody polls: this test is about starting them exactly once,
    # and 2,000 sequences running their first touches would only slow it down.
    acts = LaunchActivities(client, store, task_queue=sequence_queue)
    return Worker(
        client,
        task_queue=launch_queue,
        workflows=[LaunchWorkflow],
        activities=[acts.start_batch],
        workflow_runner=workflow_runner(),
    )


async def sequences_of(client: Client, campaign_id: str, expect: int) -> list[str]:
    ids: list[str] = []
    for _ in range(300):  # visibility is eventually consistent
        ids = [
            wf.id
            async for wf in client.list_workflows(
                f"WorkflowType = 'SequenceWorkflow' AND WinbackCampaign = '{campaign_id}'"
            )
        ]
        if len(ids) >= expect:
            break
        await asyncio.sleep(0.2)
    return ids


async def wait_until_handled(handle: WorkflowHandle[LaunchWorkflow, LaunchProgress], at_least: int) -> None:
    for _ in range(1200):
        progress = await handle.query(LaunchWorkflow.progress)
        if progress.handled >= at_least:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the launch never reached {at_least} accounts")


@pytest.mark.integration
async def test_worker_restart_mid_launch_starts_every_included_account_exactly_once(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_env.client
    run = uuid.uuid4().hex[:8]
    campaign = make_campaign(campaign_id=f"restart-{run}")
    accounts = many_accounts(f"R{run}", 2_000)
    store = temp_store(tmp_path)
    now = datetime.now(UTC)
    plan = build_plan(accounts, campaign, as_of=date.today(), preferences=[], enrolments=[])
    items = pipeline.items(plan, campaign, accounts, now=now)
    included = {e.account_id for e in plan.entries if e.included}
    assert len(items) == len(included) > 1_900
    assert {i.account_id for i in items} == included

    launch_queue, sequence_queue = f"launch-{run}", f"seq-{run}"
    first = launch_worker(client, store, launch_queue, sequence_queue)
    async with first:
        # Small batches, so 2,000 accounts take ~100 batches and the workflow continues as new.
        started = await pipeline.start(
            client, launch_queue, store, campaign.id, items, now=now, batch_size=20
        )
        handle = started.handle
        await wait_until_handled(handle, 600)
    # The worker is gone mid-launch (its in-flight batch was cut off): part is still to start.
    midway = store.launch_summary(started.launch_id)
    assert 0 < midway["pending"] < len(items)

    async with launch_worker(client, store, launch_queue, sequence_queue):
        progress = await handle.result()

    assert progress.done
    assert (progress.planned, progress.started, progress.already_running, progress.failed) == (
        len(items),
        len(items),
        0,
        0,
    )
    ids = await sequences_of(client, campaign.id, len(items))
    counts = Counter(ids)
    assert all(n == 1 for n in counts.values()), [i for i, n in counts.items() if n > 1][:5]
    assert set(counts) == {f"winback-{a}" for a in included}

    # The launch continued as new rather than growing one long history.
    runs = [wf async for wf in client.list_workflows(f"WorkflowId = '{handle.id}'")]
    assert len(runs) >= 2

    # The store knows each sequence once, by the run Temporal started.
    enrolments = store.enrolments_for_plan(campaign.id)
    assert Counter(e.account_id for e in enrolments) == Counter({a: 1 for a in included})
    summary = store.launch_summary(started.launch_id)
    assert summary["started"] == len(items) and summary["pending"] == 0


async def test_launch_items_are_best_first_staggered_and_carry_the_campaigns_cool_off(tmp_path: Path) -> None:
    campaign = make_campaign(campaign_id="order")
    accounts = [
        make_account(account_id="LOW", churn_reason="bad_fit", arr=5_000.0),
        make_account(account_id="HIGH", churn_reason="product_gap", arr=80_000.0),
        make_account(account_id="MED", churn_reason="budget", arr=20_000.0),
    ]
    now = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)  # a Monday
    plan = build_plan(accounts, campaign, as_of=now.date(), preferences=[], enrolments=[])
    items = pipeline.items(plan, campaign, accounts, now=now)
    assert [i.account_id for i in items] == ["HIGH", "MED", "LOW"]
    starts = [i.start_at for i in items]
    assert all(s is not None and s >= now for s in starts)
    assert len(set(starts)) == 3  # not all in the same minute
    inp = decode_input(items[0].payload)
    assert inp.account.account_id == "HIGH" and inp.start_at == items[0].start_at
    assert inp.cool_off == campaign.cool_off


def unique_accounts_file(tmp_path: Path, prefix: str) -> Path:
    """The example accounts under ids of this test's own (the dev server is shared)."""
    text = (EXAMPLES / "accounts.csv").read_text().replace("ACC-", f"{prefix}-")
    path = tmp_path / "accounts.csv"
    path.write_text(text)
    return path


def campaign_file(tmp_path: Path, campaign_id: str) -> Path:
    path = tmp_path / "campaign.yaml"
    path.write_text(
        (EXAMPLES / "spring-winback.yaml").read_text().replace("spring-winback-2027", campaign_id)
    )
    return path


@pytest.mark.integration
async def test_launch_command_then_the_same_launch_again_starts_nothing_and_says_so(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    run_id = uuid.uuid4().hex[:8]
    campaign_id = f"cli-{run_id}"
    accounts = unique_accounts_file(tmp_path, f"C{run_id}")
    campaign = campaign_file(tmp_path, campaign_id)
    queue = f"cli-{run_id}"
    env = env_for(dev_env, tmp_path, queue)
    settings = Settings(data_dir=tmp_path, task_queue=queue, public_url="https://winback.example")
    store = temp_store(tmp_path)
    async with build_worker(dev_env.client, settings, store):
        first = await winback("launch", str(campaign), "--accounts", str(accounts), env=env)
        assert first.code == 0, first.err
        assert "imported 14 accounts (14 new" in first.out
        assert f"campaign {campaign_id}: 12 started, 0 already running, 0 failed, 2 not included" in first.out
        assert f"C{run_id}-1012: structural churn" in first.out

        again = await winback("launch", str(campaign), "--accounts", str(accounts), env=env)
        assert again.code == 0, again.err
        assert f"campaign {campaign_id}: nothing new to start, 0 sequences started" in again.out
        assert again.out.count("already in a running sequence") == 12

        status = await winback("status", "--campaign", campaign_id, "--json", env=env)
        assert status.code == 0, status.err
        doc = json.loads(status.out)
        assert doc["launch"] == {
            "planned": 12,
            "started": 12,
            "already_running": 0,
            "failed": 0,
            "done": True,
            "failures": [],
        }
        assert doc["outcomes"]["running"] == 12
        human = await winback("status", "--campaign", campaign_id, env=env)
        assert "launch: finished" in human.out and "12/12" in human.out

        # Leave the shared dev server tidy: end these sequences.
        for i in range(1001, 1015):
            handle = dev_env.client.get_workflow_handle(f"winback-C{run_id}-{i}")
            with contextlib.suppress(Exception):
                await handle.cancel()
    store.close()


@pytest.mark.integration
@pytest.mark.parametrize("sigint", ["default", "ignored"])
async def test_ctrl_c_only_detaches_the_progress_bar_and_the_launch_goes_on(
    dev_env: WorkflowEnvironment, tmp_path: Path, sigint: str
) -> None:
    run_id = uuid.uuid4().hex[:8]
    campaign_id = f"detach-{run_id}"
    accounts = unique_accounts_file(tmp_path, f"D{run_id}")
    campaign = campaign_file(tmp_path, campaign_id)
    # No worker polls this queue yet, so the launch is still going when Ctrl-C comes.
    env = env_for(dev_env, tmp_path, f"detach-{run_id}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "winback",
        "launch",
        str(campaign),
        "--accounts",
        str(accounts),
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # A shell that starts a job in the background hands it SIGINT ignored; Ctrl-C (or a
        # supervisor's SIGINT) must still detach.
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint == "ignored" else None,
    )
    assert proc.stdout is not None
    while b"launching 12 sequences" not in await asyncio.wait_for(proc.stdout.readline(), 60):
        pass
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "detached; the launch goes on" in out.decode()

    handle = dev_env.client.get_workflow_handle(f"winback-launch-{campaign_id}")
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    await handle.terminate("test over")
