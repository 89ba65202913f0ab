"""Starting a launch's sequences: the one activity that turns a plan into running workflows."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.failures import classified
from activities.store import LaunchItem, LaunchItemResult, Store
from campaigns.model import Enrolment
from contracts import ids
from contracts import search_attributes as sa
from contracts.codec import decode_input
from contracts.launch import (
    ITEM_ALREADY_RUNNING,
    ITEM_FAILED,
    ITEM_PENDING,
    ITEM_STARTED,
    BatchRequest,
    BatchResult,
)
from contracts.sequence import STATE_SCHEDULED, SequenceInput, SequenceResult


async def start_sequence(
    client: Client, task_queue: str, inp: SequenceInput, *, memo: Mapping[str, Any] | None = None
) -> WorkflowHandle[Any, SequenceResult]:
    """Start one sequence by its type name. Keep the returned handle: on the time-skipping
    server only the handle start_workflow returns skips time while its result is awaited."""
    acc = inp.account
    return await client.start_workflow(
        ids.SEQUENCE_WORKFLOW,
        inp,
        id=ids.workflow_id_for(acc.account_id),
        task_queue=task_queue,
        result_type=SequenceResult,
        # One running sequence per account, enforced by Temporal rather than our bookkeeping.
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        memo=memo,
        search_attributes=sa.for_sequence(acc, campaign_id=inp.campaign_id, state=STATE_SCHEDULED),
        static_summary=static_summary(inp),
    )


def static_summary(inp: SequenceInput) -> str:
    """What the UI's list and detail page show first: 'Win-back · ACC-1001 · T1 · product gap ·
    spring-winback' (ids and labels only, never a person), and the story a watcher started it on."""
    acc = inp.account
    reason = acc.churn_reason.replace("_", " ")
    summary = f"Win-back · {acc.account_id} · {acc.tier} · {reason} · {inp.campaign_id}"
    if inp.trigger is not None:
        summary = f"{summary} · {inp.trigger.kind.replace('_', ' ')}: {inp.trigger.title}"
    return summary[:200]


class LaunchActivities:
    def __init__(self, client: Client, store: Store, *, task_queue: str, concurrency: int = 50) -> None:
        self.client = client
        self.store = store
        self.task_queue = task_queue  # where the sequences run
        self.concurrency = concurrency

    @activity.defn
    async def start_batch(self, req: BatchRequest) -> BatchResult:
        # A store that is down is retried within the launch's bound; a start that fails is
        # reported per account below and never fails the batch.
        with classified(f"launch {req.launch_id}, accounts from position {req.start}"):
            return await self._start_batch(req)

    async def _start_batch(self, req: BatchRequest) -> BatchResult:
        items = await asyncio.to_thread(self.store.launch_items, req.launch_id, req.start, req.count)
        if len(items) != req.count:
            # The plan is written before the launch starts: a gap means a broken store, and
            # retrying will not fill it.
            raise ApplicationError(
                f"launch {req.launch_id}: expected {req.count} items from position {req.start}, "
                f"the store has {len(items)}",
                type="LaunchItemsMissing",
                non_retryable=True,
            )
        gate = asyncio.Semaphore(self.concurrency)
        pending = [item for item in items if item.state == ITEM_PENDING]
        done = 0

        async def one(item: LaunchItem) -> LaunchItemResult:
            nonlocal done
            async with gate:
                result = await self._start(req, item)
            done += 1
            activity.heartbeat(done)
            return result

        results = await asyncio.gather(*(one(item) for item in pending))
        started = [r for r in results if r.state == ITEM_STARTED]
        by_position = {item.position: item for item in items}
        now = datetime.now(UTC)
        await asyncio.to_thread(
            self.store.record_started,
            [
                Enrolment(
                    account_id=by_position[r.position].account_id,
                    campaign_id=req.campaign_id,
                    workflow_id=ids.workflow_id_for(by_position[r.position].account_id),
                    run_id=r.run_id,
                    started_on=now.date().isoformat(),
                )
                for r in started
            ],
        )
        await asyncio.to_thread(self.store.mark_launch_items, req.launch_id, results)
        # Count the whole batch by final state, so a retried batch is counted once.
        final = {item.position: (item.state, item.account_id, item.note) for item in items}
        for r in results:
            final[r.position] = (r.state, by_position[r.position].account_id, r.note)
        states = [state for state, _, _ in final.values()]
        return BatchResult(
            started=states.count(ITEM_STARTED),
            already_running=states.count(ITEM_ALREADY_RUNNING),
            failed=states.count(ITEM_FAILED),
            failures=[
                f"{account}: {note}" for state, account, note in final.values() if state == ITEM_FAILED
            ],
        )

    async def _start(self, req: BatchRequest, item: LaunchItem) -> LaunchItemResult:
        try:
            inp = decode_input(item.payload)
            handle = await start_sequence(
                self.client, self.task_queue, inp, memo={ids.LAUNCH_MEMO: req.launch_id}
            )
        except WorkflowAlreadyStartedError as err:
            return await self._already(req, item, err)
        except Exception as err:  # reported per account; the rest of the batch still starts
            return LaunchItemResult(
                position=item.position, state=ITEM_FAILED, note=f"{type(err).__name__}: {err}"
            )
        return LaunchItemResult(position=item.position, state=ITEM_STARTED, run_id=handle.result_run_id or "")

    async def _already(
        self, req: BatchRequest, item: LaunchItem, err: WorkflowAlreadyStartedError
    ) -> LaunchItemResult:
        handle = self.client.get_workflow_handle(ids.workflow_id_for(item.account_id), run_id=err.run_id)
        try:
            memo = await (await handle.describe()).memo()
        except Exception:
            memo = {}
        if memo.get(ids.LAUNCH_MEMO) == req.launch_id:
            # An earlier attempt of this very batch started it and died before writing it down.
            return LaunchItemResult(position=item.position, state=ITEM_STARTED, run_id=err.run_id or "")
        return LaunchItemResult(
            position=item.position, state=ITEM_ALREADY_RUNNING, note="a sequence is already running for it"
        )
