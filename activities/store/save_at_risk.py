"""The store's at-risk accounts per saves launch (issue 12): what the saves report's attempt rate
and saved ARR count, since a save's outcome row holds neither."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Engine, Table, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import schema
from activities.store.database import write_transaction
from campaigns.save_report import AtRiskAccount


class _StoreParts(Protocol):
    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...


class SaveAtRiskLog:
    """Part of Store (at-risk accounts per saves campaign); kept apart so each file holds one concern."""

    def record_at_risk(self: _StoreParts, rows: Sequence[AtRiskAccount]) -> None:
        """Add or update each (campaign, account); a save once started stays started, so a second
        launch that finds it already running changes nothing but the day and the ARR."""
        if not rows:
            return
        t = schema.save_at_risk
        stmt = self._insert(t)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.campaign_id, t.c.account_id],
            set_={
                "planned_on": stmt.excluded.planned_on,
                "arr": stmt.excluded.arr,
                "started": or_(t.c.started, stmt.excluded.started),
            },
        )
        values = [
            {
                "campaign_id": r.campaign_id,
                "account_id": r.account_id,
                "planned_on": r.planned_on,
                "arr": r.arr,
                "started": r.started,
            }
            for r in rows
        ]
        with write_transaction(self._engine) as conn:
            conn.execute(stmt, values)

    def at_risk_accounts(self: _StoreParts) -> list[AtRiskAccount]:
        """Every recorded at-risk account, by campaign and account."""
        t = schema.save_at_risk
        query = select(t).order_by(t.c.campaign_id, t.c.account_id)
        with self._engine.connect() as conn:
            return [
                AtRiskAccount(
                    campaign_id=row["campaign_id"],
                    account_id=row["account_id"],
                    planned_on=row["planned_on"],
                    arr=row["arr"],
                    started=bool(row["started"]),
                )
                for row in conn.execute(query).mappings()
            ]
