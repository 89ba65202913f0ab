"""`winback worker` / `winback launch` with proposed changes patched in, for bench/launch.py.

    python bench/variant.py CHANGE[+CHANGE...] worker
    python bench/variant.py CHANGE[+CHANGE...] launch CAMPAIGN --accounts CSV --detach

Production files stay untouched: each change is applied here, in this process only, so
`bench/launch.py --variant CHANGES` measures what a patch would buy before anyone writes it.
Each process applies the changes that concern it. Changes:

autoscaling  (worker) the workflow-task pollers scale with the backlog (the SDK's
             PollerBehaviorAutoscaling) instead of 5 fixed polls of which only one polls the
             task queue where new workflows' first tasks wait (nonsticky ratio 0.2).
raw-start    (worker) LaunchActivities._start hands the stored input to start_workflow as it
             is (temporalio.common.RawValue) instead of decoding it into a SequenceInput only
             to encode it again; the few fields it needs come from a plain json.loads.
batch500     (launch) the LaunchWorkflow walks the plan in batches of 500 instead of 100.
conc100      (worker) a batch starts 100 sequences at a time instead of 50.
state-out    (worker) SequenceWorkflow's _State dataclass is defined in a passed-through module
             instead of workflows/sequence.py, which the sandbox re-executes for every new
             workflow: @dataclass builds (compiles) its methods each time. Tested on a copy of
             workflows/sequence.py written to a temporary folder.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.worker import PollerBehaviorAutoscaling, Worker

import activities.launch as launch_activities
import winback.worker as winback_worker
from activities import pipeline
from activities.launch import LaunchActivities
from activities.store import LaunchItem, LaunchItemResult
from campaigns.model import owner_handle
from contracts import search_attributes as sa
from contracts.ids import LAUNCH_MEMO, SEQUENCE_WORKFLOW, workflow_id_for
from contracts.launch import ITEM_FAILED, ITEM_STARTED, BatchRequest
from contracts.sequence import STATE_SCHEDULED
from winback import cli
from workflows.launch import LaunchWorkflow

REPO = Path(__file__).resolve().parent.parent
CHANGES = ("autoscaling", "raw-start", "batch500", "conc100", "state-out")


class AutoscalingWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("workflow_task_poller_behavior", PollerBehaviorAutoscaling())
        super().__init__(*args, **kwargs)


async def raw_start(
    self: launch_activities.LaunchActivities, req: BatchRequest, item: LaunchItem
) -> LaunchItemResult:
    """LaunchActivities._start without the decode/encode round trip of the whole input."""
    try:
        data = json.loads(item.payload)
        acc = data["account"]
        handle = await self.client.start_workflow(
            SEQUENCE_WORKFLOW,  # by name: the argument is a RawValue, not a SequenceInput
            RawValue(Payload(metadata={"encoding": b"json/plain"}, data=item.payload.encode())),
            id=workflow_id_for(acc["account_id"]),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            memo={LAUNCH_MEMO: req.launch_id},
            search_attributes=sa.for_sequence(
                SimpleNamespace(  # type: ignore[arg-type]  # the fields for_sequence reads
                    account_id=acc["account_id"],
                    tier=acc["tier"],
                    owner_handle=owner_handle(acc["owner"]),
                    churn_reason=acc["churn_reason"],
                ),
                campaign_id=data["campaign_id"],
                state=STATE_SCHEDULED,
            ),
            static_summary=f"{data['campaign_id']}: {data['plan']['playbook_id']} for "
            f"{acc['account_id']} ({acc['tier']})",
        )
    except WorkflowAlreadyStartedError as err:
        return await self._already(req, item, err)
    except Exception as err:
        return LaunchItemResult(
            position=item.position, state=ITEM_FAILED, note=f"{type(err).__name__}: {err}"
        )
    return LaunchItemResult(position=item.position, state=ITEM_STARTED, run_id=handle.result_run_id or "")


def state_out() -> None:
    """Register a copy of workflows/sequence.py whose _State comes from a passed-through module."""
    source = (REPO / "workflows" / "sequence.py").read_text()
    block = re.search(r"\n@dataclass\nclass _State:.*?\n(?=\n\nclass _Stop)", source, re.DOTALL)
    if block is None:
        sys.exit("state-out: workflows/sequence.py has no _State block where expected")
    # In the benchmark's temporary folder (BENCH_TMP), which it removes: this process ends by
    # SIGTERM or os._exit, so it cannot clean up after itself.
    folder = Path(tempfile.mkdtemp(prefix="variant-", dir=os.environ.get("BENCH_TMP")))
    (folder / "bench_sequence_state.py").write_text(
        "from __future__ import annotations\n"
        "from dataclasses import dataclass, field\n"
        "from datetime import datetime\n"
        "from contracts.sequence import STATE_SCHEDULED, NextAction, OpenTask, TaskCompletion, TouchRecord\n"
        + block.group(0)
    )
    copy = source.replace(
        block.group(0),
        "\nwith workflow.unsafe.imports_passed_through():\n    from bench_sequence_state import _State\n",
    )
    (folder / "bench_sequence.py").write_text(copy)
    sys.path.insert(0, str(folder))
    module = importlib.import_module("bench_sequence")
    setattr(winback_worker, "WORKFLOWS", (module.SequenceWorkflow, LaunchWorkflow))  # noqa: B010
    passthrough = (*winback_worker.PASSTHROUGH_MODULES, "bench_sequence_state")
    setattr(winback_worker, "PASSTHROUGH_MODULES", passthrough)  # noqa: B010


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    wanted = sys.argv[1].split("+")
    unknown = [c for c in wanted if c not in CHANGES]
    if unknown:
        sys.exit(f"unknown change(s) {unknown}; choose from {CHANGES}")
    if "autoscaling" in wanted:
        setattr(winback_worker, "Worker", AutoscalingWorker)  # noqa: B010 (the module's own name)
    if "raw-start" in wanted:
        launch_activities.LaunchActivities._start = raw_start  # type: ignore[method-assign]
    if "conc100" in wanted:
        setattr(winback_worker, "LaunchActivities", functools.partial(LaunchActivities, concurrency=100))  # noqa: B010
    if "batch500" in wanted:
        setattr(pipeline, "start", functools.partial(pipeline.start, batch_size=500))  # noqa: B010
    if "state-out" in wanted and sys.argv[2] == "worker":
        state_out()
    sys.argv = [sys.argv[0], *sys.argv[2:]]
    cli.main()


if __name__ == "__main__":
    main()
