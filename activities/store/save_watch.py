"""The store's watched renewals (issue 12): each account's row of its newest saves launch, so a
cancel intent can start the save that launch would have started (campaigns/save_watch.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Final, Protocol

from sqlalchemy import Engine, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import rowmap, schema
from activities.store.database import write_transaction
from campaigns.save_watch import WatchedRenewal
from contracts.codec import decode_value, encode_value

_UPSERT_CHUNK: Final = 1000


class _StoreParts(Protocol):
    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...


class SaveWatchLog:
    """Part of Store (watched renewals); kept apart so each file holds one concern."""

    def watch_renewals(self: _StoreParts, rows: Sequence[WatchedRenewal], *, at: datetime) -> None:
        """Keep each row, replacing the account's row of an earlier launch."""
        if not rows:
            return
        t = schema.save_watch
        stmt = self._insert(t)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.account_id],
            set_={
                name: stmt.excluded[name]
                for name in ("campaign_id", "planned_on", "renewal_on", "payload", "recorded_at")
            },
        )
        # One row per account: the last in the file wins, as a database upsert of a repeated key
        # in one statement would fail (the loader already refuses a repeated account id).
        latest = {w.account_id: w for w in rows}
        values = [
            {
                "account_id": w.account_id,
                "campaign_id": w.campaign_id,
                "planned_on": date.fromisoformat(w.planned_on),
                "renewal_on": date.fromisoformat(w.renewal.renewal_on),
                "payload": encode_value(w),
                "recorded_at": at,
            }
            for w in latest.values()
        ]
        with write_transaction(self._engine) as conn:
            for chunk in rowmap.chunks(values, _UPSERT_CHUNK):
                conn.execute(stmt, list(chunk))

    def watched_renewal(self: _StoreParts, account_id: str) -> WatchedRenewal | None:
        """The account's row of its newest launch; None without one, or when the row was written
        in a shape this version cannot read (the next launch writes it anew): a cancel intent
        for it then gives the owner's task instead of failing, and being posted again, for ever."""
        t = schema.save_watch
        with self._engine.connect() as conn:
            payload = conn.execute(select(t.c.payload).where(t.c.account_id == account_id)).scalar()
        if payload is None:
            return None
        try:
            return decode_value(payload, WatchedRenewal)
        except (ValueError, TypeError, KeyError, RuntimeError):
            return None
