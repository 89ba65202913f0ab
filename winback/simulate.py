"""`winback simulate`: a campaign's whole timeline before launch.

It runs the real SequenceWorkflow on Temporal's time-skipping test server, so weeks pass in
seconds and every calendar rule, deferral and wait is the one production would apply. Email
goes to memory, never to a person; manual tasks are reported done the moment they are assigned.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities import pipeline
from activities.email import MemoryTransport
from activities.launch import start_sequence
from activities.sequence import SequenceActivities
from activities.store import Store
from campaigns.model import Account, Campaign
from contracts import ids
from contracts import search_attributes as sa
from contracts.codec import decode_input
from contracts.sequence import SequenceResult, TaskAssignment, TaskCompletion
from winback import binaries
from winback.worker import sequence_worker
from workflows.sequence import SequenceWorkflow

SIM_TASK_QUEUE = "winback-simulate"
NOT_STARTED = "not_started"


class InstantTaskBoard:
    """The simulated rep: reports every manual task done as soon as it is assigned."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def assign(self, task: TaskAssignment) -> str:
        handle = self.client.get_workflow_handle(task.workflow_id)
        await handle.signal(
            ids.COMPLETE_TASK,
            TaskCompletion(outcome="done", note="completed by the simulator", touch=task.touch),
        )
        return f"simulated:{task.workflow_id}/{task.touch}"


async def register_search_attributes(client: Client) -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in sa.ALL},
        )
    )


def result_rows(result: SequenceResult) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "account_id": result.account_id,
            "touch": t.number,
            "channel": t.channel,
            "template": t.template,
            "at_utc": t.at_utc.isoformat(),
            "at_local": t.at_local,
            "deferred": list(t.deferred),
            "locale": t.locale,  # the language the touch was written in (after fallback)
        }
        for t in result.touches
    ]
    rows.append({"account_id": result.account_id, "outcome": result.outcome, "reason": result.reason})
    return rows


async def simulate(
    campaign: Campaign,
    accounts: Sequence[Account],
    *,
    start: datetime | None = None,
    invalid: Sequence[tuple[str, str]] = (),
    memory: pipeline.Memory = pipeline.Memory(),
) -> list[dict[str, Any]]:
    """Rows in account order: each touch done, then the account's closing row.

    `invalid` lists (account id, problem) for rows that failed validation: they close with
    outcome not_started, as do the accounts the plan leaves out (with its reasons).
    `memory` comes from the store, so the simulation leaves out whom a
    launch would leave out; the simulation itself writes to a throwaway store only.
    """
    with contextlib.ExitStack() as stack:
        return await _simulate(
            stack,
            campaign,
            accounts,
            start=start,
            invalid=invalid,
            memory=memory,
        )


async def _simulate(
    stack: contextlib.ExitStack,
    campaign: Campaign,
    accounts: Sequence[Account],
    *,
    start: datetime | None,
    invalid: Sequence[tuple[str, str]],
    memory: pipeline.Memory,
) -> list[dict[str, Any]]:
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(binaries.test_server())
    ) as env:
        client = env.client
        await register_search_attributes(client)
        if start is not None:
            now = await env.get_current_time()
            if start < now:
                raise ValueError(
                    f"--start {start.isoformat()} is in the past; the simulator's clock starts now "
                    "and only moves forward: give a future moment or leave --start out"
                )
            await env.sleep(start - now)
        # A throwaway store: a simulation must never leave outcomes or preferences behind.
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="winback-sim-"))
        store = Store.open(f"sqlite:///{scratch}/simulation.db")
        stack.callback(store.close)
        impl = SequenceActivities(
            MemoryTransport(),
            InstantTaskBoard(client),
            store,
            public_url="https://winback.invalid",
            unsubscribe_secret=b"simulation",
        )
        closing: dict[str, dict[str, Any]] = {
            account_id: {"account_id": account_id, "outcome": NOT_STARTED, "reason": problem}
            for account_id, problem in invalid
        }
        # Exactly what `winback launch` would do at that moment: the same eligibility, order,
        # staggered starts and sequence inputs.
        now = await env.get_current_time()
        plan = pipeline.plan(campaign, accounts, memory, as_of=now.date())
        for entry in plan.entries:
            if not entry.included:
                closing[entry.account_id] = {
                    "account_id": entry.account_id,
                    "outcome": NOT_STARTED,
                    "reason": "; ".join(entry.reasons),
                }
        started: list[tuple[str, WorkflowHandle[SequenceWorkflow, SequenceResult]]] = []
        async with sequence_worker(client, SIM_TASK_QUEUE, impl):
            for item in pipeline.items(plan, campaign, accounts, now=now):
                handle = await start_sequence(client, SIM_TASK_QUEUE, decode_input(item.payload))
                started.append((item.account_id, handle))
            results: dict[str, list[dict[str, Any]]] = {}
            # One at a time: the test server fails gathered result() calls, and the other
            # sequences advance meanwhile anyway (docs/ARCHITECTURE.md, "Facts about the
            # Temporal parts we run on").
            for account_id, handle in started:
                results[account_id] = result_rows(await handle.result())
    rows: list[dict[str, Any]] = []
    order = [a.account_id for a in accounts] + [i for i, _ in invalid]
    for account_id in order:
        rows += results.get(account_id, [closing[account_id]] if account_id in closing else [])
    return rows
