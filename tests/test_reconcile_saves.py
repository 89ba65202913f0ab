"""The reconciler and saves: a save Temporal terminated, timed out or failed gets the `cancelled`
save outcome it never recorded, built as the save builds its own, once; one that recorded its
own is left alone, and so is one a reset continued; `winback saves report` then counts it. The
activity runs as Temporal runs it (ActivityEnvironment) on a real store, SQLite and PostgreSQL,
with the closed runs from a list (tests/test_reconcile.py's ListedRuns) instead of visibility.
The real dev server's visibility and `winback reconcile` are in tests/test_reconcile_e2e.py."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from activities.reconcile_runs import FAILED, TERMINATED, TIMED_OUT, ClosedRun, Ending
from activities.store import Store
from contracts import ids
from contracts.saves import CANCELLED, SAVED, SaveInput, SaveOutcomeRecord
from tests.factories import temp_store
from tests.test_commands_saves_report import report
from tests.test_reconcile import NOW, ListedRuns, ending_of, reconcile, row, run_of, started
from tests.test_save import full_save

STARTED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TODAY = STARTED.date()


def save_run(
    account_id: str, *, status: str = TERMINATED, run_id: str = "", closed: datetime = NOW
) -> ClosedRun:
    return ClosedRun(
        ids.save_workflow_id(account_id), run_id or f"run-{account_id}", status, closed, ids.SAVE_WORKFLOW
    )


def save_of(account_id: str) -> SaveInput:
    """A full save (ARR 120,000, renewal in 120 days: comprehensive) of the spring campaign."""
    return replace(full_save(TODAY, account_id=account_id), campaign_id="saves-2026-11")


def save_ending(run: ClosedRun, *, reason: str = "", first_run_id: str = "") -> Ending:
    return Ending(
        inp=save_of(run.workflow_id.removeprefix(ids.SAVE_ID_PREFIX)),
        first_run_id=first_run_id or run.run_id,
        started_at=STARTED,
        closed_at=run.closed_at,
        status=run.status,
        termination_reason=reason,
        touches_done=3,  # tasks handed to boards: no touches for a save
    )


def own_outcome(run: ClosedRun, outcome: str = SAVED, reason: str = "renewed") -> SaveOutcomeRecord:
    """What the save itself recorded before Temporal closed it."""
    inp = save_of(run.workflow_id.removeprefix(ids.SAVE_ID_PREFIX))
    return SaveOutcomeRecord(
        workflow_id=run.workflow_id,
        run_id=run.run_id,
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        outcome=outcome,
        reason=reason,
        effort="full",
        mode="comprehensive",
        root_cause=inp.root_cause,
        renewal_on=inp.renewal_on,
        started_at=STARTED,
        ended_at=STARTED + timedelta(days=20),
        tasks_done=7,
        tasks_total=len(inp.tasks),
    )


async def test_a_terminated_save_gets_cancelled_as_the_save_would_have_recorded_it(store: Store) -> None:
    run = save_run("ACC-1", closed=datetime(2026, 11, 27, 16, 45, tzinfo=UTC))
    runs = ListedRuns([(run, save_ending(run, reason="duplicate save, started twice"))])

    result = await reconcile(store, runs)

    assert (result.closed, result.recorded, result.already_recorded, result.continued, result.failed) == (
        1,
        1,
        0,
        0,
        0,
    )
    assert (result.saves_closed, result.saves_recorded, result.recorded_ids) == (1, 1, ["save-ACC-1"])
    inp = save_of("ACC-1")
    assert (inp.decision.effort, inp.decision.mode) == ("full", "comprehensive")
    assert store.save_outcomes(account_id="ACC-1") == [
        SaveOutcomeRecord(
            workflow_id="save-ACC-1",
            run_id=run.run_id,
            account_id="ACC-1",
            campaign_id="saves-2026-11",
            outcome=CANCELLED,
            reason="terminated in Temporal: duplicate save, started twice",
            effort="full",
            mode="comprehensive",
            root_cause="value_perception",
            renewal_on=inp.renewal_on,
            started_at=STARTED,
            ended_at=datetime(2026, 11, 27, 16, 45, tzinfo=UTC),
            tasks_done=0,  # what was done lives in the save's state, not in its input
            tasks_total=len(inp.tasks),
        )
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (TERMINATED, "terminated in Temporal"),
        (TIMED_OUT, "timed out in Temporal"),
        (FAILED, "failed in Temporal"),
    ],
)
async def test_each_way_temporal_ends_a_save_has_its_reason(store: Store, status: str, expected: str) -> None:
    run = save_run("ACC-2", status=status)
    result = await reconcile(store, ListedRuns([(run, save_ending(run))]))
    assert result.saves_recorded == 1
    [got] = store.save_outcomes(account_id="ACC-2")
    assert (got.outcome, got.reason) == (CANCELLED, expected)


async def test_reconciling_a_save_twice_records_once_and_reads_its_history_once(store: Store) -> None:
    run = save_run("ACC-3")
    runs = ListedRuns([(run, save_ending(run, reason="cleanup"))])
    first = await reconcile(store, runs)
    second = await reconcile(store, runs)
    assert (first.recorded, second.recorded, second.already_recorded) == (1, 0, 1)
    assert (second.saves_closed, second.saves_recorded) == (1, 0)
    assert runs.read == ["save-ACC-3"]
    assert len(store.save_outcomes(account_id="ACC-3")) == 1


async def test_a_save_that_recorded_its_own_outcome_is_left_alone_and_its_history_not_read(
    store: Store,
) -> None:
    # Saved, recorded, then terminated while its follow-up was being started.
    run = save_run("ACC-4")
    assert store.record_save_outcome(own_outcome(run))
    runs = ListedRuns([(run, save_ending(run, reason="cleanup"))])

    result = await reconcile(store, runs)

    assert (result.closed, result.already_recorded, result.recorded) == (1, 1, 0)
    assert runs.read == []
    assert store.save_outcomes(account_id="ACC-4") == [own_outcome(run)]


class RecordingMeanwhile(ListedRuns):
    """The save records its own outcome while the reconciler reads its history."""

    def __init__(self, store: Store, run: ClosedRun) -> None:
        super().__init__([(run, save_ending(run))])
        self.store = store

    async def ending(self, run: ClosedRun) -> Ending:
        got = await super().ending(run)
        assert self.store.record_save_outcome(own_outcome(run, reason="renewed at the last minute"))
        return got


async def test_a_save_whose_own_outcome_lands_meanwhile_keeps_it(store: Store) -> None:
    run = save_run("ACC-5")
    result = await reconcile(store, RecordingMeanwhile(store, run))
    assert (result.recorded, result.already_recorded, result.recorded_ids) == (0, 1, [])
    [got] = store.save_outcomes(account_id="ACC-5")
    assert (got.outcome, got.reason) == (SAVED, "renewed at the last minute")


async def test_a_save_run_a_reset_replaced_is_not_the_end_of_its_save(store: Store) -> None:
    # A reset terminates the old run and goes on in a new one with the same first run id; beside
    # it a terminated sequence and a terminated save whose account runs a newer save.
    reset = save_run("ACC-6")
    ended = save_run("ACC-7")
    sequence = run_of("ACC-8")
    store.record_started([started(sequence)])
    runs = ListedRuns(
        [
            (reset, save_ending(reset, reason="resetting")),
            (sequence, ending_of(sequence, reason="stop it")),
            (ended, save_ending(ended)),
        ],
        running={reset.workflow_id: reset.run_id, ended.workflow_id: "run-of-the-next-renewal-s-save"},
    )

    result = await reconcile(store, runs)

    assert (result.closed, result.continued, result.recorded) == (3, 1, 2)
    assert (result.saves_closed, result.saves_recorded) == (2, 1)
    assert sorted(result.recorded_ids) == ["save-ACC-7", "winback-ACC-8"]
    assert store.save_outcomes(account_id="ACC-6") == []
    assert [o.outcome for o in store.save_outcomes(account_id="ACC-7")] == [CANCELLED]
    assert row(store, sequence.workflow_id)["outcome"] == CANCELLED
    # Still running after the reset: the next pass leaves it alone again.
    again = await reconcile(store, runs)
    assert (again.continued, again.recorded, again.already_recorded) == (1, 0, 2)


async def test_a_later_save_run_is_recorded_under_its_first_run(store: Store) -> None:
    first = save_run("ACC-9", run_id="run-first", closed=NOW - timedelta(hours=2))
    later = save_run("ACC-9", run_id="run-after-reset", closed=NOW - timedelta(hours=1))
    runs = ListedRuns(
        [
            (later, save_ending(later, reason="stop it", first_run_id="run-first")),
            (first, save_ending(first, reason="resetting", first_run_id="run-first")),
        ]
    )

    result = await reconcile(store, runs)

    assert (result.closed, result.recorded, result.already_recorded) == (2, 1, 1)
    [got] = store.save_outcomes(account_id="ACC-9")
    assert (got.run_id, got.reason) == ("run-first", "terminated in Temporal: stop it")
    again = await reconcile(store, runs)
    assert (again.recorded, again.already_recorded) == (0, 2)


async def test_the_saves_report_counts_a_reconciled_save_as_ended(tmp_path: Path) -> None:
    with temp_store(tmp_path) as store:
        run = save_run("ACC-10")
        await reconcile(store, ListedRuns([(run, save_ending(run, reason="duplicate"))]))
    done = report(tmp_path, "--json")
    assert done.exit_code == 0, done.output
    overall = json.loads(done.output)["overall"]
    assert (overall["ended"], overall["cancelled"], overall["saved"], overall["lost"]) == (1, 1, 0, 0)
