"""The store's part of the signal watchers: sources and their health, the events they saw
(each kept once, whichever feed or poll carried it), and what each event did per account.

An event is stored before anything acts on it and marked acted only once every account it
concerns was decided, so a poll that dies halfway acts on the rest when it is retried; the
sequence's workflow id (one running per account) makes a second start of the same one fail.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import Engine, RowMapping, Table, and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import schema
from activities.store.database import write_transaction
from activities.store.records import PollRecord, SignalDecision, StoredSignal, StoreError, WatchSource


class _StoreParts(Protocol):
    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...


class WatchLog:
    """Part of Store (signal watchers); kept apart so each file holds one concern."""

    # --- sources ---------------------------------------------------------------------------

    def save_watch_source(self: _StoreParts, src: WatchSource) -> None:
        """Add a source, or change an existing one's configuration (its health stays)."""
        w = schema.watch_sources
        stmt = self._insert(w).values(
            source_id=src.source_id,
            kind=src.kind,
            location=src.location,
            company=src.company,
            campaign_path=src.campaign_path,
            every_seconds=src.every_seconds,
            created_at=src.created_at,
            entries_seen=0,
            last_entries=0,
        )
        with write_transaction(self._engine) as conn:
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[w.c.source_id],
                    set_={
                        "kind": stmt.excluded.kind,
                        "location": stmt.excluded.location,
                        "company": stmt.excluded.company,
                        "campaign_path": stmt.excluded.campaign_path,
                        "every_seconds": stmt.excluded.every_seconds,
                    },
                )
            )

    def watch_source(self: _StoreParts, source_id: str) -> WatchSource | None:
        w = schema.watch_sources
        with self._engine.connect() as conn:
            row = conn.execute(select(w).where(w.c.source_id == source_id)).mappings().first()
        return WatchSource(**dict(row)) if row is not None else None

    def watch_sources(self: _StoreParts) -> list[WatchSource]:
        w = schema.watch_sources
        with self._engine.connect() as conn:
            rows = conn.execute(select(w).order_by(w.c.source_id)).mappings().all()
        return [WatchSource(**dict(row)) for row in rows]

    def remove_watch_source(self: _StoreParts, source_id: str) -> None:
        with write_transaction(self._engine) as conn:
            conn.execute(delete(schema.watch_sources).where(schema.watch_sources.c.source_id == source_id))

    def record_poll(self: _StoreParts, source_id: str, poll: PollRecord) -> None:
        """A poll's outcome: an error keeps the last success (and its validators) as they were."""
        w = schema.watch_sources
        values: dict[str, object] = {"last_polled_at": poll.at}
        if poll.error is not None:
            values |= {"last_error_at": poll.at, "last_error": poll.error[:2000]}
        else:
            values |= {"last_success_at": poll.at, "last_error": None}
            if not poll.not_modified:
                values |= {
                    "etag": poll.etag,
                    "last_modified": poll.last_modified,
                    "entries_seen": w.c.entries_seen + poll.entries,
                    "last_entries": poll.entries,
                }
            if poll.new_events:
                values["last_new_at"] = poll.at
            if poll.open_roles is not None:
                values["open_roles"] = poll.open_roles
        with write_transaction(self._engine) as conn:
            done = conn.execute(update(w).where(w.c.source_id == source_id).values(**values))
            if done.rowcount == 0:
                raise StoreError(f"no watched source {source_id!r}; add it with winback watch add")

    # --- events ----------------------------------------------------------------------------

    def record_signals(self: _StoreParts, signals: Sequence[StoredSignal], *, at: datetime) -> list[str]:
        """Store each event once; returns the keys that were new (the others were seen before,
        in this feed or another)."""
        if not signals:
            return []
        e = schema.signal_events
        firsts = list({s.event_key: s for s in signals}.values())
        with write_transaction(self._engine) as conn:
            known = set(
                conn.execute(select(e.c.event_key).where(e.c.event_key.in_([s.event_key for s in firsts])))
                .scalars()
                .all()
            )
            new = [s for s in firsts if s.event_key not in known]
            if new:
                stmt = self._insert(e).on_conflict_do_nothing(index_elements=[e.c.event_key])
                conn.execute(stmt, [_signal_row(s, at) for s in new])
        return [s.event_key for s in new]

    def unacted_signals(self: _StoreParts, source_id: str) -> list[StoredSignal]:
        """Events this source stored that were not yet fully acted on, oldest first."""
        e = schema.signal_events
        query = (
            select(e)
            .where(and_(e.c.source_id == source_id, e.c.acted_at.is_(None)))
            .order_by(e.c.seen_at, e.c.event_key)
        )
        with self._engine.connect() as conn:
            return [_signal(row) for row in conn.execute(query).mappings()]

    def record_decisions(
        self: _StoreParts, event_key: str, decisions: Sequence[SignalDecision], *, at: datetime
    ) -> None:
        """What an event did per account, and the event marked acted, in one transaction."""
        s, e = schema.signal_starts, schema.signal_events
        with write_transaction(self._engine) as conn:
            if decisions:
                stmt = self._insert(s).on_conflict_do_nothing(index_elements=[s.c.event_key, s.c.account_id])
                conn.execute(
                    stmt,
                    [
                        {
                            "event_key": event_key,
                            "account_id": d.account_id,
                            "campaign_id": d.campaign_id,
                            "decided_at": at,
                            "result": d.result,
                            "note": d.note[:2000],
                        }
                        for d in decisions
                    ],
                )
            conn.execute(update(e).where(e.c.event_key == event_key).values(acted_at=at))

    def signal_decisions(
        self: _StoreParts, *, account_id: str | None = None
    ) -> list[tuple[str, SignalDecision]]:
        """(event key, decision) pairs, oldest first; for one account when given."""
        s = schema.signal_starts
        query = select(s).order_by(s.c.decided_at, s.c.event_key)
        if account_id is not None:
            query = query.where(s.c.account_id == account_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            (
                row["event_key"],
                SignalDecision(
                    account_id=row["account_id"],
                    campaign_id=row["campaign_id"],
                    result=row["result"],
                    note=row["note"],
                ),
            )
            for row in rows
        ]

    def competitor_stories(self: _StoreParts, *, as_of: date, days: int) -> dict[str, str]:
        """Competitors (casefolded) with a story of these kinds seen in the last `days` days
        before `as_of`, each with its newest story as a plan names it: “headline” (date)."""
        e = schema.signal_events
        since = datetime.combine(as_of - timedelta(days=days), time(), tzinfo=UTC)
        query = (
            select(e.c.competitor, e.c.title, e.c.published, e.c.seen_at)
            .where(and_(e.c.competitor != "", e.c.seen_at >= since))
            .order_by(e.c.seen_at)
        )
        out: dict[str, str] = {}
        with self._engine.connect() as conn:
            for row in conn.execute(query).mappings():
                when = (row["published"] or row["seen_at"].isoformat())[:10]
                out[row["competitor"]] = f"“{row['title']}” ({when})"
        return out

    def started_that_day(self: _StoreParts, campaign_id: str, day: date) -> int:
        """How many sequences this campaign started on `day` (its sender's daily cap counts them)."""
        n = schema.enrolments
        query = select(func.count()).where(and_(n.c.campaign_id == campaign_id, n.c.started_on == day))
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def _signal_row(s: StoredSignal, at: datetime) -> dict[str, object]:
    return {
        "event_key": s.event_key,
        "story": s.story,
        "kind": s.kind,
        "company": s.company[:300],
        "title": s.title,
        "url": s.url,
        "published": s.published,
        "facts": json.dumps(dict(s.facts), sort_keys=True, ensure_ascii=False),
        "source_id": s.source_id,
        "seen_at": at,
        "account_id": s.account_id,
        "matched_by": s.matched_by,
        "competitor": s.competitor[:300],
    }


def _signal(r: RowMapping) -> StoredSignal:
    return StoredSignal(
        event_key=r["event_key"],
        story=r["story"],
        kind=r["kind"],
        company=r["company"],
        title=r["title"],
        url=r["url"],
        published=r["published"],
        facts=tuple(sorted(json.loads(r["facts"]).items())),
        source_id=r["source_id"],
        account_id=r["account_id"],
        matched_by=r["matched_by"],
        competitor=r["competitor"],
    )
