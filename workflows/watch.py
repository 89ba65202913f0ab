"""WatchWorkflow: one poll of one watched source, started by that source's Temporal Schedule
(`winback watch add`). The poll is one activity (activities/watch.py): reading, matching and
starting are I/O, and a poll is short; the workflow gives it a bounded retry and a result the
Schedule's recent actions show.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.watch import WatchActivities
    from contracts import ids
    from contracts.watch import PollRequest, PollResult, WatchInput
    from workflows import policies


@workflow.defn(name=ids.WATCH_WORKFLOW)
class WatchWorkflow:
    @workflow.run
    async def run(self, inp: WatchInput) -> PollResult:
        result: PollResult = await workflow.execute_activity_method(
            WatchActivities.poll_source,
            PollRequest(source_id=inp.source_id),
            start_to_close_timeout=policies.POLL_TIMEOUT,
            retry_policy=policies.POLL_RETRY,
            summary=f"poll {inp.source_id}",
        )
        if result.error:
            workflow.set_current_details(f"{inp.source_id}: {result.error}")
        else:
            workflow.set_current_details(
                f"{inp.source_id}: {result.entries} entries, {result.new_events} new events, "
                f"{result.started} started, {result.disqualified} disqualified"
            )
        return result
