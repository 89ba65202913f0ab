"""The reference workload for bench/launch.py: a workflow that only sleeps a week.

Its first (and only) workflow task ends with one StartTimer command, so "started and
reached its first timer" costs the server and the worker the least a workflow can cost.
Run as a worker process: `python bench/reference.py` (TEMPORAL_ADDRESS, BENCH_TASK_QUEUE).
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import PollerBehaviorAutoscaling, Worker

WEEK = timedelta(days=7)
TASK_QUEUE = "bench-reference"


@workflow.defn
class SleepAWeek:
    @workflow.run
    async def run(self) -> None:
        await workflow.sleep(WEEK)


async def main() -> None:
    # Without Winback's codec (winback/encryption.py): this workload carries no customer data,
    # and it is the baseline of what the server and a bare worker cost.
    client = await Client.connect(os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    # The SDK's default worker (as `winback worker` has) unless told otherwise. bench/launch.py
    # also runs it with BENCH_WF_POLLER=autoscaling: the defaults poll the queue where new
    # workflows' first tasks wait with one poll at a time, which caps the rate well below what
    # the server can do (see REFERENCE_POLLERS there). BENCH_WF_POLLS and BENCH_NONSTICKY_RATIO
    # are only for experiments on what limits the rate.
    tuning: dict[str, Any] = {}
    if os.environ.get("BENCH_WF_POLLS"):
        tuning["max_concurrent_workflow_task_polls"] = int(os.environ["BENCH_WF_POLLS"])
    if os.environ.get("BENCH_WF_POLLER") == "autoscaling":
        tuning["workflow_task_poller_behavior"] = PollerBehaviorAutoscaling()
    if os.environ.get("BENCH_NONSTICKY_RATIO"):
        tuning["nonsticky_to_sticky_poll_ratio"] = float(os.environ["BENCH_NONSTICKY_RATIO"])
    worker = Worker(
        client,
        task_queue=os.environ.get("BENCH_TASK_QUEUE", TASK_QUEUE),
        workflows=[SleepAWeek],
        **tuning,
    )
    print("reference worker running", flush=True)
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
