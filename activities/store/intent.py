"""The store's cancel intents (issue 12): what a product reported, kept once, acted on once, and
the six-month follow-up that tells a save from a delayed churn (campaigns/intent.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Protocol

from sqlalchemy import Engine, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import rowmap, schema
from activities.store.database import write_transaction
from campaigns.intent import follow_verdict, followed_until
from contracts.saves import LOST

_INSERT_CHUNK: Final = 50  # nine columns a row: well under SQLite's bound-parameter limit
_IN_CHUNK: Final = 500


class IntentRecord(Protocol):
    """One event as inbound/intent_events.py reads it (structurally: activities do not import
    inbound)."""

    @property
    def dedup_key(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def detail(self) -> str: ...


@dataclass(frozen=True)
class IntentFollowUp:
    """One account's cancel intents and where its follow-up stands."""

    account_id: str
    events: int
    kinds: tuple[str, ...]  # distinct, in the order first seen
    first_at: datetime
    last_at: datetime
    followed_until: date
    verdict: str  # campaigns.intent FOLLOWING | SAVED | CHURNED


class _StoreParts(Protocol):
    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...


class IntentLog:
    """Part of Store (cancel intents); kept apart so each file holds one concern."""

    def record_intent_events(
        self: _StoreParts, events: Sequence[IntentRecord], *, received_at: datetime
    ) -> set[str]:
        """Store the events not stored before, in one transaction; the keys among these still to
        act on (new ones, and stored ones no save or task has taken yet: a repost acts on those)."""
        ie = schema.intent_events
        firsts = list({e.dedup_key: e for e in reversed(events)}.values())[::-1]
        rows = [
            {
                "dedup_key": e.dedup_key[:255],
                "account_id": e.account_id[:200],
                "kind": e.kind[:40],
                "occurred_at": e.occurred_at,
                "received_at": received_at,
                "detail": e.detail.replace("\x00", ""),
                "followed_until": followed_until(e.occurred_at.date()),
                "acted_at": None,
                "acted_how": "",
            }
            for e in firsts
        ]
        with write_transaction(self._engine) as conn:
            for chunk in rowmap.chunks(rows, _INSERT_CHUNK):
                conn.execute(
                    self._insert(ie)
                    .values(list(chunk))
                    .on_conflict_do_nothing(index_elements=[ie.c.dedup_key])
                )
            keys = [r["dedup_key"] for r in rows]
            todo: set[str] = set()
            for some in rowmap.chunks(keys, _IN_CHUNK):
                todo.update(
                    conn.execute(
                        select(ie.c.dedup_key).where(ie.c.dedup_key.in_(some), ie.c.acted_at.is_(None))
                    ).scalars()
                )
        return todo

    def mark_intent_acted(self: _StoreParts, dedup_key: str, *, at: datetime, how: str) -> None:
        ie = schema.intent_events
        with write_transaction(self._engine) as conn:
            conn.execute(
                update(ie)
                .where(ie.c.dedup_key == dedup_key, ie.c.acted_at.is_(None))
                .values(acted_at=at, acted_how=how)
            )

    def intent_counts(self: _StoreParts, *, since: datetime, account_id: str | None = None) -> dict[str, int]:
        """Cancel intents per account (or of one account) that occurred since `since`: each is a
        red flag."""
        ie = schema.intent_events
        query = select(ie.c.account_id, func.count()).where(ie.c.occurred_at >= since)
        if account_id is not None:
            query = query.where(ie.c.account_id == account_id)
        query = query.group_by(ie.c.account_id)
        with self._engine.connect() as conn:
            return {account: count for account, count in conn.execute(query)}

    def intent_follow_ups(self: _StoreParts, *, as_of: date) -> list[IntentFollowUp]:
        """Every account with a cancel intent, by account id: followed for six months after its
        last one; churned when the accounts import dates a churn on or after its first one, or
        a save of it ended lost since; saved once the window passed without either."""
        ie, acc, so = schema.intent_events, schema.accounts, schema.save_outcomes
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(ie.c.account_id, ie.c.kind, ie.c.occurred_at, ie.c.followed_until).order_by(
                    ie.c.account_id, ie.c.occurred_at, ie.c.dedup_key
                )
            ).all()
            accounts = sorted({r.account_id for r in rows})
            churned: dict[str, date | None] = {}
            lost_at: dict[str, list[datetime]] = {}
            for chunk in rowmap.chunks(accounts, _IN_CHUNK):
                query = select(acc.c.account_id, acc.c.churned_on).where(acc.c.account_id.in_(chunk))
                churned.update((account_id, day) for account_id, day in conn.execute(query))
                for account_id, ended in conn.execute(
                    select(so.c.account_id, so.c.ended_at).where(
                        so.c.account_id.in_(chunk), so.c.outcome == LOST
                    )
                ):
                    lost_at.setdefault(account_id, []).append(ended)
        by_account: dict[str, list[Any]] = {}
        for row in rows:
            by_account.setdefault(row.account_id, []).append(row)
        found: list[IntentFollowUp] = []
        for account_id in accounts:
            mine = by_account[account_id]
            first, last = mine[0].occurred_at, mine[-1].occurred_at
            until = max(r.followed_until for r in mine)
            kinds = tuple(dict.fromkeys(r.kind for r in mine))
            lost = any(ended >= first for ended in lost_at.get(account_id, []))
            verdict = follow_verdict(
                first_day=first.date(),
                until=until,
                churned_on=churned.get(account_id),
                lost=lost,
                as_of=as_of,
            )
            found.append(IntentFollowUp(account_id, len(mine), kinds, first, last, until, verdict))
        return found
