"""The store's launch ledger: a launch's items, written before it starts, marked as they start."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from activities.store import rowmap, schema
from activities.store.database import masked, write_transaction
from activities.store.records import LaunchItem, LaunchItemResult, StoreError
from contracts.launch import ITEM_RESULT_STATES, ITEM_STATES

_INSERT_CHUNK: Final = 1000


class LaunchLedger:
    """Part of Store (its launches); kept apart so each file holds one concern."""

    _engine: Engine

    def create_launch(
        self, launch_id: str, campaign_id: str, items: Sequence[LaunchItem], *, created_at: datetime
    ) -> None:
        """Store a launch and all its items in one transaction; a launch_id can be used once."""
        positions = {item.position for item in items}
        if len(positions) != len(items):
            raise ValueError(f"launch {launch_id!r}: two items share a position")
        unknown = {item.state for item in items} - set(ITEM_STATES)
        if unknown:
            raise ValueError(f"launch {launch_id!r}: unknown item state(s) {', '.join(sorted(unknown))}")
        rows = [
            {
                "launch_id": launch_id,
                "position": item.position,
                "account_id": item.account_id,
                "start_at": item.start_at,
                "payload": item.payload,
                "state": item.state,
                "run_id": item.run_id,
                "note": item.note,
            }
            for item in items
        ]
        exists = StoreError(
            f"a launch with id {launch_id!r} already exists; start a new launch with a new id"
        )
        try:
            with write_transaction(self._engine) as conn:
                found = conn.execute(
                    select(schema.launches.c.launch_id).where(schema.launches.c.launch_id == launch_id)
                ).first()
                if found is not None:
                    raise exists
                conn.execute(
                    insert(schema.launches).values(
                        launch_id=launch_id, campaign_id=campaign_id, created_at=created_at
                    )
                )
                for chunk in rowmap.chunks(rows, _INSERT_CHUNK):
                    conn.execute(insert(schema.launch_items), list(chunk))
        except IntegrityError:
            # Another process created the same launch between our check and our insert.
            raise exists from None

    def launch_items(self, launch_id: str, start: int, count: int) -> list[LaunchItem]:
        """Items with start <= position < start + count, in position order."""
        li = schema.launch_items
        query = (
            select(li)
            .where(li.c.launch_id == launch_id, li.c.position >= start, li.c.position < start + count)
            .order_by(li.c.position)
        )
        with self._engine.connect() as conn:
            return [rowmap.launch_item(row) for row in conn.execute(query).mappings()]

    def mark_launch_items(self, launch_id: str, results: Sequence[LaunchItemResult]) -> None:
        """Record what starting each item did; marking again with the same result is harmless."""
        if not results:
            return
        bad = {r.state for r in results} - set(ITEM_RESULT_STATES)
        if bad:
            raise ValueError(
                f"unknown launch item state(s) {', '.join(sorted(bad))}; "
                f"expected one of {', '.join(ITEM_RESULT_STATES)}"
            )
        li = schema.launch_items
        stmt = update(li).where(
            and_(li.c.launch_id == bindparam("key_launch_id"), li.c.position == bindparam("key_position"))
        )
        params = [
            {
                "key_launch_id": launch_id,
                "key_position": r.position,
                "state": r.state,
                "run_id": r.run_id,
                "note": r.note,
            }
            for r in results
        ]
        with write_transaction(self._engine) as conn:
            conn.execute(stmt, params)

    def launch_summary(self, launch_id: str) -> dict[str, int]:
        """How many items are in each state, pending included; an unknown launch is an error."""
        li = schema.launch_items
        counts = dict.fromkeys(ITEM_STATES, 0)
        with self._engine.connect() as conn:
            found = conn.execute(
                select(schema.launches.c.launch_id).where(schema.launches.c.launch_id == launch_id)
            ).first()
            if found is None:
                where = masked(self._engine.url.render_as_string(hide_password=False))
                raise StoreError(f"no launch with id {launch_id!r} in {where}")
            query = select(li.c.state, func.count()).where(li.c.launch_id == launch_id).group_by(li.c.state)
            for state, count in conn.execute(query):
                counts[state] = counts.get(state, 0) + count
        return counts
