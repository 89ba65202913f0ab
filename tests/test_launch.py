"""LaunchWorkflow on the real dev server: batches, continue-as-new, a worker that dies mid-launch."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.launch import LaunchActivities, decode_input
from activities.store import Store
from campaigns.model import Account
from campaigns.plan import build_plan
from tests.factories import make_account, make_campaign, temp_store
from winback import launcher
from winback.worker import workflow_runner
from workflows.contracts import LaunchProgress
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
    items = launcher.launch_items(plan, campaign, accounts, now=now)
    included = {e.account_id for e in plan.entries if e.included}
    assert len(items) == len(included) > 1_900
    assert {i.account_id for i in items} == included

    launch_queue, sequence_queue = f"launch-{run}", f"seq-{run}"
    first = launch_worker(client, store, launch_queue, sequence_queue)
    async with first:
        # Small batches, so 2,000 accounts take ~100 batches and the workflow continues as new.
        started = await launcher.start_launch(
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
    items = launcher.launch_items(plan, campaign, accounts, now=now)
    assert [i.account_id for i in items] == ["HIGH", "MED", "LOW"]
    starts = [i.start_at for i in items]
    assert all(s is not None and s >= now for s in starts)
    assert len(set(starts)) == 3  # not all in the same minute
    inp = decode_input(items[0].payload)
    assert inp.account.account_id == "HIGH" and inp.start_at == items[0].start_at
    assert inp.cool_off == campaign.cool_off
