"""Outcomes the store never learned: sequences and saves Temporal ended without letting them run
their last step (terminated from the UI or CLI, timed out, failed), recorded `cancelled`.

A sequence writes its own outcome as its last activity (workflows/sequence.py), and so does a
save (workflows/save.py). One that is terminated, times out or fails never gets there: the store
would show the account enrolled for ever (every later plan would leave it out as "already in a
running sequence"), and `winback saves report` would never count the save as ended. The
reconciler lists such runs through Temporal's visibility, reads each one's input from the first
event of its history (activities/reconcile_runs.py), and records the outcome the way the workflow
would have: Store.record_outcome for a sequence, Store.record_save_outcome for a save; each keeps
the first outcome, so running twice is once.

`cancelled` is the outcome a CSM's cancel gives too: it leaves no cool-off, so the account is
as free for the next campaign as after a cancel (campaigns/contactability.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Final

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.failures import classified
from activities.reconcile_runs import (
    TERMINATED,
    TIMED_OUT,
    ClosedRun,
    ClosedRuns,
    Ending,
    TemporalRuns,
    Unreadable,
)
from activities.store import Store
from contracts import ids
from contracts import saves as save_contract
from contracts.reconcile import MAX_LISTED, ReconcileRequest, ReconcileResult
from contracts.saves import SaveInput, SaveOutcomeRecord
from contracts.sequence import CANCELLED, OutcomeRecord, SequenceInput

__all__ = [
    "ReconcileActivities",
    "Reconciler",
    "ended_by",
    "outcome_for",
    "save_outcome_for",
]

# Histories read at once.
CONCURRENCY: Final = 8


def ended_by(ending: Ending) -> str:
    """What ended the run, as the recorded reason: one line, short (activities/reconcile_runs.py)."""
    if ending.status == TERMINATED:
        why = "terminated in Temporal"
        return f"{why}: {ending.termination_reason}" if ending.termination_reason else why
    if ending.status == TIMED_OUT:
        return "timed out in Temporal"
    return "failed in Temporal"  # FAILED


def outcome_for(run: ClosedRun, ending: Ending) -> OutcomeRecord:
    """The outcome the sequence would have recorded had it been let finish: `cancelled`, with
    what ended it as the reason, ended when Temporal closed it."""
    inp = ending.inp
    if not isinstance(inp, SequenceInput):
        raise TypeError(f"{run.workflow_id} is not a sequence")
    return OutcomeRecord(
        workflow_id=run.workflow_id,
        run_id=ending.first_run_id or run.run_id,
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        playbook_id=inp.plan.playbook_id,
        outcome=CANCELLED,
        reason=ended_by(ending),
        contact_email=inp.contacts.primary.email,
        started_at=ending.started_at,
        ended_at=ending.closed_at,
        touches_done=ending.touches_done,
        cool_off=inp.cool_off,
    )


def save_outcome_for(run: ClosedRun, ending: Ending) -> SaveOutcomeRecord:
    """The outcome the save would have recorded had it been let finish (workflows/save.py
    `_record_outcome`): `cancelled`, with what ended it, from its start to when Temporal closed
    it. Which tasks were done and which concessions granted live in the save's state, which the
    history tells only to a replay of the workflow: none done, none granted; all its tasks count."""
    inp = ending.inp
    if not isinstance(inp, SaveInput):
        raise TypeError(f"{run.workflow_id} is not a save")
    return SaveOutcomeRecord(
        workflow_id=run.workflow_id,
        run_id=ending.first_run_id or run.run_id,
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        outcome=save_contract.CANCELLED,
        reason=ended_by(ending),
        effort=inp.decision.effort or "",
        mode=inp.decision.mode or "",
        root_cause=inp.root_cause,
        renewal_on=inp.renewal_on,
        started_at=ending.started_at,
        ended_at=ending.closed_at,
        tasks_done=0,
        tasks_total=len(inp.tasks),
    )


def _is_save(run: ClosedRun) -> bool:
    return run.workflow_type == ids.SAVE_WORKFLOW


class Reconciler:
    """The reconciliation, apart from Temporal's activity plumbing (`winback reconcile` runs it
    in its own process)."""

    def __init__(self, runs: ClosedRuns, store: Store, *, concurrency: int = CONCURRENCY) -> None:
        self.runs = runs
        self.store = store
        self.concurrency = concurrency

    async def run(
        self, closed_after: datetime, *, progress: Callable[[ReconcileResult], None] | None = None
    ) -> ReconcileResult:
        result = ReconcileResult()
        seen: set[tuple[str, str]] = set()  # (workflow id, first run id) decided in this run
        async for page in self.runs.closed(after=closed_after):
            result.closed += len(page)
            result.saves_closed += sum(1 for r in page if _is_save(r))
            # The first run is the store's key; for nearly every run it is the closed run.
            known = await asyncio.to_thread(self._known, [(r, r.run_id) for r in page])
            todo = [r for r in page if (r.workflow_id, r.run_id) not in known]
            result.already_recorded += len(page) - len(todo)
            read = await self._read_all(todo, result)
            # A reset or continued run is known by its first run: ask again for those.
            later = [(r, e.first_run_id) for r, e in read if e.first_run_id != r.run_id]
            known = await asyncio.to_thread(self._known, later) if later else set()
            for run, ending in read:
                key = (run.workflow_id, ending.first_run_id)
                if key in known or key in seen:
                    result.already_recorded += 1
                    continue
                seen.add(key)
                # A reset terminates the run it replaces while the workflow goes on in the new
                # one, under the same first run id: that sequence or save has not ended.
                if await self.runs.open_first_run_id(run.workflow_id) == ending.first_run_id:
                    result.continued += 1
                    continue
                if not await asyncio.to_thread(self._record, run, ending):
                    result.already_recorded += 1  # the save recorded its own meanwhile
                    continue
                result.recorded += 1
                if isinstance(ending.inp, SaveInput):
                    result.saves_recorded += 1
                if len(result.recorded_ids) < MAX_LISTED:
                    result.recorded_ids.append(run.workflow_id)
            if progress is not None:
                progress(result)
        return result

    def _known(self, keys: Sequence[tuple[ClosedRun, str]]) -> set[tuple[str, str]]:
        """Those of the (workflow id, first run id) keys whose outcome the store has: a
        sequence's in its enrolments, a save's in its save outcomes."""
        sequences = [(r.workflow_id, first) for r, first in keys if not _is_save(r)]
        saves = [(r.workflow_id, first) for r, first in keys if _is_save(r)]
        return self.store.with_outcome(sequences) | self.store.with_save_outcome(saves)

    def _record(self, run: ClosedRun, ending: Ending) -> bool:
        """Write the outcome; False when the store already had it (the first one stands)."""
        if isinstance(ending.inp, SaveInput):
            return self.store.record_save_outcome(save_outcome_for(run, ending))
        self.store.record_outcome(outcome_for(run, ending))
        return True

    async def _read_all(
        self, runs: Sequence[ClosedRun], result: ReconcileResult
    ) -> list[tuple[ClosedRun, Ending]]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(run: ClosedRun) -> tuple[ClosedRun, Ending | str]:
            async with gate:
                try:
                    return run, await self.runs.ending(run)
                except Unreadable as err:
                    return run, str(err)

        read: list[tuple[ClosedRun, Ending]] = []
        for run, got in await asyncio.gather(*(one(r) for r in runs)):
            if isinstance(got, Ending):
                read.append((run, got))
                continue
            result.failed += 1
            if len(result.failures) < MAX_LISTED:
                result.failures.append(f"{run.workflow_id}: {got}")
        return read


class ReconcileActivities:
    """The reconcile workflow's one activity; holds the client and the store it needs."""

    def __init__(
        self, client: Client, store: Store, *, task_queue: str, runs: ClosedRuns | None = None
    ) -> None:
        self.client = client
        self.store = store
        self.task_queue = task_queue  # the sequences' and saves' queue: this deployment's, no other's
        self.runs = runs or TemporalRuns(client, task_queue)

    @activity.defn
    async def reconcile_outcomes(self, req: ReconcileRequest) -> ReconcileResult:
        reconciler = Reconciler(self.runs, self.store)
        # A store that is down is retried within the policy's bound (activities/failures.py).
        with classified("reconciling outcomes"):
            try:
                result = await reconciler.run(req.closed_after, progress=_heartbeat)
            except RPCError as err:
                # Temporal's own words (a refused query, an unreachable frontend): no personal
                # data. A query it refuses is refused again on a retry.
                raise ApplicationError(
                    f"reconciling outcomes: Temporal answered {err.status.name}: {err.message}",
                    type="TemporalUnavailable",
                    non_retryable=err.status == RPCStatusCode.INVALID_ARGUMENT,
                ) from None
        # Counts and workflow ids only: a termination reason is free text someone typed.
        activity.logger.info(
            "reconciled %d closed sequences and saves (%d saves): %d outcomes recorded (%d of saves), "
            "%d already recorded, %d continued, %d unreadable",
            result.closed,
            result.saves_closed,
            result.recorded,
            result.saves_recorded,
            result.already_recorded,
            result.continued,
            result.failed,
        )
        return result


def _heartbeat(result: ReconcileResult) -> None:
    activity.heartbeat(result.closed, result.recorded)
