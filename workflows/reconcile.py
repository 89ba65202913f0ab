"""ReconcileWorkflow: one pass of the reconciler over the sequences and saves Temporal ended,
started by its Temporal Schedule (winback/reconciler.py) every few minutes. The pass is one
activity (activities/reconcile.py): listing, reading histories and writing outcomes are I/O;
the workflow fixes the look-back window from its own clock, bounds the retries and shows the
counts in the Schedule's recent actions and the UI's current details.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.reconcile import ReconcileActivities
    from contracts import ids
    from contracts.reconcile import ReconcileInput, ReconcileRequest, ReconcileResult
    from workflows import policies


@workflow.defn(name=ids.RECONCILE_WORKFLOW)
class ReconcileWorkflow:
    @workflow.run
    async def run(self, inp: ReconcileInput) -> ReconcileResult:
        # At least an hour: a window of nothing (or negative) would quietly look at nothing.
        hours = max(inp.look_back_hours, 1)
        result: ReconcileResult = await workflow.execute_activity_method(
            ReconcileActivities.reconcile_outcomes,
            ReconcileRequest(closed_after=workflow.now() - timedelta(hours=hours)),
            start_to_close_timeout=policies.RECONCILE_TIMEOUT,
            heartbeat_timeout=policies.RECONCILE_HEARTBEAT,
            retry_policy=policies.RECONCILE_RETRY,
            summary=f"record the outcomes of sequences and saves Temporal closed in the last {hours} h",
        )
        # Current details are no command (shown by a query), so their words may change freely.
        sequences = result.closed - result.saves_closed
        workflow.set_current_details(
            f"{sequences} sequences and {result.saves_closed} saves terminated, timed out or failed "
            f"in the last {hours} h: {result.recorded} outcomes recorded ({result.saves_recorded} of "
            f"saves), {result.already_recorded} already recorded, {result.continued} continued after "
            f"a reset, {result.failed} unreadable"
        )
        return result
