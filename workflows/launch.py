"""LaunchWorkflow: a campaign's included accounts, started in batches, durably.

The plan (who starts, when) is decided before the launch and kept in the store; this
workflow only walks it batch by batch through an activity. A worker that dies mid-batch
leaves the activity to be retried, and the activity counts what an earlier attempt already
did, so nobody is started or counted twice. The history stays small: the workflow continues
as new every few dozen batches, carrying its progress.
"""

from __future__ import annotations

from dataclasses import replace

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.launch import LaunchActivities
    from contracts import ids
    from contracts.launch import BatchRequest, BatchResult, LaunchInput, LaunchProgress
    from workflows import policies

# Batches per run before continuing as new: ~6 history events each keeps a run near 300 events.
BATCHES_PER_RUN = 50
MAX_FAILURES_SHOWN = 20


@workflow.defn(name=ids.LAUNCH_WORKFLOW)
class LaunchWorkflow:
    @workflow.init
    def __init__(self, inp: LaunchInput) -> None:
        self._inp = inp
        self._progress = inp.progress or LaunchProgress(planned=inp.total)
        self._next = inp.next_position

    @workflow.run
    async def run(self, inp: LaunchInput) -> LaunchProgress:
        p = self._progress
        batches = 0
        self._publish()
        while self._next < inp.total:
            count = min(inp.batch_size, inp.total - self._next)
            result: BatchResult = await workflow.execute_activity_method(
                LaunchActivities.start_batch,
                BatchRequest(
                    launch_id=inp.launch_id, campaign_id=inp.campaign_id, start=self._next, count=count
                ),
                start_to_close_timeout=policies.BATCH_TIMEOUT,
                heartbeat_timeout=policies.BATCH_HEARTBEAT,
                retry_policy=policies.LAUNCH_RETRY,
                summary=f"start accounts {self._next + 1}-{self._next + count} of {inp.total}",
            )
            p.started += result.started
            p.already_running += result.already_running
            p.failed += result.failed
            room = MAX_FAILURES_SHOWN - len(p.failures)
            if room > 0:
                p.failures.extend(result.failures[:room])
            self._next += count
            batches += 1
            self._publish()
            if self._next < inp.total and (
                batches >= BATCHES_PER_RUN or workflow.info().is_continue_as_new_suggested()
            ):
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(replace(inp, next_position=self._next, progress=p))
        p.done = True
        self._publish()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return p

    @workflow.query(
        name=ids.PROGRESS, description="Launch progress: planned, started, already running, failed."
    )
    def progress(self) -> LaunchProgress:
        return self._progress

    def _publish(self) -> None:
        p = self._progress
        verb = "launched" if p.done else "launching"
        workflow.set_current_details(
            f"{verb} {self._inp.campaign_id}: {p.started} started, {p.already_running} already "
            f"running, {p.failed} failed of {p.planned} planned"
        )
