"""The store's save outcomes (issue 12): how each save ended, written once by the save itself,
and what followed it (a renewal check, win-back starts and refusals), once per step."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any, Final, Protocol

from sqlalchemy import ColumnElement, Engine, RowMapping, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import rowmap, schema
from activities.store.database import write_transaction
from contracts.save_followup import FOLLOW_UP_RESULTS, FollowUpRecord
from contracts.saves import SAVE_OUTCOMES, GrantedConcession, SaveOutcomeRecord


class _StoreParts(Protocol):
    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...

    def _among(self, column: ColumnElement[str], values: Sequence[str]) -> ColumnElement[bool]: ...


# Workflow ids per IN list: well within every database's parameter limit.
_IN_CHUNK: Final = 500


class SaveOutcomeLog:
    """Part of Store (save outcomes); kept apart so each file holds one concern."""

    def record_save_outcome(self: _StoreParts, rec: SaveOutcomeRecord) -> bool:
        """Write the outcome; False when this save already had one (the first stands, so a
        retried activity changes nothing)."""
        if rec.outcome not in SAVE_OUTCOMES:
            expected = ", ".join(SAVE_OUTCOMES)
            raise ValueError(f"unknown save outcome {rec.outcome!r}; expected one of {expected}")
        s = schema.save_outcomes
        stmt = (
            self._insert(s)
            .values(
                workflow_id=rec.workflow_id,
                run_id=rec.run_id,
                account_id=rec.account_id,
                campaign_id=rec.campaign_id,
                outcome=rec.outcome,
                reason=rec.reason,
                effort=rec.effort,
                mode=rec.mode,
                root_cause=rec.root_cause,
                renewal_on=date.fromisoformat(rec.renewal_on),
                started_at=rec.started_at,
                ended_at=rec.ended_at,
                tasks_done=rec.tasks_done,
                tasks_total=rec.tasks_total,
                concessions=json.dumps([asdict(c) for c in rec.concessions], ensure_ascii=False),
            )
            .on_conflict_do_nothing(index_elements=[s.c.workflow_id, s.c.run_id])
        )
        with write_transaction(self._engine) as conn:
            return conn.execute(stmt.returning(s.c.workflow_id)).first() is not None

    def with_save_outcome(self: _StoreParts, saves: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those of the (workflow_id, run_id) pairs whose save has its outcome recorded. Batched
        for the reconciler (activities/reconcile.py), which asks about a week of closed saves
        every few minutes."""
        wanted = set(saves)
        if not wanted:
            return set()
        s = schema.save_outcomes
        found: set[tuple[str, str]] = set()
        with self._engine.connect() as conn:
            for ids in rowmap.chunks(sorted({workflow_id for workflow_id, _ in wanted}), _IN_CHUNK):
                query = select(s.c.workflow_id, s.c.run_id).where(self._among(s.c.workflow_id, ids))
                found.update((workflow_id, run_id) for workflow_id, run_id in conn.execute(query))
        return found & wanted

    def save_outcomes(self: _StoreParts, *, account_id: str) -> list[SaveOutcomeRecord]:
        """Every save of the account that ended, oldest first."""
        s = schema.save_outcomes
        query = select(s).where(s.c.account_id == account_id).order_by(s.c.ended_at, s.c.workflow_id)
        with self._engine.connect() as conn:
            return [_outcome(row) for row in conn.execute(query).mappings()]

    def all_save_outcomes(self: _StoreParts) -> list[SaveOutcomeRecord]:
        """Every save that ended, oldest first (the saves report)."""
        s = schema.save_outcomes
        query = select(s).order_by(s.c.ended_at, s.c.workflow_id)
        with self._engine.connect() as conn:
            return [_outcome(row) for row in conn.execute(query).mappings()]

    def record_follow_up(self: _StoreParts, rec: FollowUpRecord) -> FollowUpRecord:
        """Write one step of a follow-up; the step's first record stands (a retried activity,
        or a second answer to the renewal check, changes nothing). Returns the stored record."""
        if rec.result not in FOLLOW_UP_RESULTS:
            expected = ", ".join(FOLLOW_UP_RESULTS)
            raise ValueError(f"unknown follow-up result {rec.result!r}; expected one of {expected}")
        f = schema.save_follow_ups
        stmt = (
            self._insert(f)
            .values(
                workflow_id=rec.workflow_id,
                run_id=rec.run_id,
                step=rec.step,
                account_id=rec.account_id,
                result=rec.result,
                detail=rec.detail,
                at=rec.at,
            )
            .on_conflict_do_nothing(index_elements=[f.c.workflow_id, f.c.run_id, f.c.step])
        )
        key = (f.c.workflow_id == rec.workflow_id) & (f.c.run_id == rec.run_id) & (f.c.step == rec.step)
        with write_transaction(self._engine) as conn:
            conn.execute(stmt)
            row = conn.execute(select(f).where(key)).mappings().one()
        return _follow_up(row)

    def follow_ups(self: _StoreParts, *, account_id: str) -> list[FollowUpRecord]:
        """Every recorded follow-up step of the account, oldest first."""
        f = schema.save_follow_ups
        query = select(f).where(f.c.account_id == account_id).order_by(f.c.at, f.c.step)
        with self._engine.connect() as conn:
            return [_follow_up(row) for row in conn.execute(query).mappings()]


def _outcome(row: RowMapping) -> SaveOutcomeRecord:
    return SaveOutcomeRecord(
        workflow_id=row["workflow_id"],
        run_id=row["run_id"],
        account_id=row["account_id"],
        campaign_id=row["campaign_id"],
        outcome=row["outcome"],
        reason=row["reason"],
        effort=row["effort"],
        mode=row["mode"],
        root_cause=row["root_cause"],
        renewal_on=row["renewal_on"].isoformat(),
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        tasks_done=row["tasks_done"],
        tasks_total=row["tasks_total"],
        concessions=tuple(GrantedConcession(**c) for c in json.loads(row["concessions"])),
    )


def _follow_up(row: Any) -> FollowUpRecord:
    return FollowUpRecord(
        workflow_id=row["workflow_id"],
        run_id=row["run_id"],
        step=row["step"],
        account_id=row["account_id"],
        result=row["result"],
        detail=row["detail"],
        at=row["at"],
    )
