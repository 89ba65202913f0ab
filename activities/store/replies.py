"""The store's inbound replies: which sequence a reply belongs to, and the reply kept once.

SendGrid Inbound Parse posts a message again until it gets a 2xx, so a reply is stored once by
its key, with the preference it implies (an unsubscribe, a bounce, a contact who left) in the
same transaction; `acted_at` tells a repost whether the sequence was already told.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, Engine, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import schema
from activities.store.database import write_transaction
from activities.store.records import InboundReplyFact, SentMessage
from campaigns.contactability import Preference, normalise_address


class _StoreParts(Protocol):
    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...

    def _merge_preference(self, conn: Connection, pref: Preference) -> None: ...


class InboundReplyLog:
    """Part of Store (replies that came back); kept apart so each file holds one concern."""

    def message_replied_to(self: _StoreParts, message_ids: Sequence[str]) -> SentMessage | None:
        """The newest of our logged messages among `message_ids` (In-Reply-To, References)."""
        if not message_ids:
            return None
        m = schema.messages
        query = (
            select(m.c.workflow_id, m.c.account_id, m.c.campaign_id, m.c.to_email)
            .where(m.c.message_id.in_(list(message_ids)[:200]))
            .order_by(m.c.sent_at.desc())
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return SentMessage(
            workflow_id=row["workflow_id"],
            account_id=row["account_id"],
            campaign_id=row["campaign_id"],
            to_email=row["to_email"],
        )

    def accounts_of_contact(self: _StoreParts, email: str) -> list[str]:
        """The accounts whose contacts (any role) have this address."""
        c = schema.contacts
        query = (
            select(c.c.account_id)
            # Contacts keep the address as the CRM wrote it ("Aino@X.fi").
            .where(func.lower(c.c.email) == normalise_address(email))
            .distinct()
            .order_by(c.c.account_id)
        )
        with self._engine.connect() as conn:
            return [str(row[0]) for row in conn.execute(query)]

    def record_inbound_reply(
        self: _StoreParts, fact: InboundReplyFact, preference: Preference | None
    ) -> bool:
        """Store the reply and its preference unless stored before; True when its sequence
        still has to be told (new, or stored before but never acted on)."""
        r = schema.inbound_replies
        row = {
            "dedup_key": fact.dedup_key,
            "received_at": fact.received_at,
            "kind": fact.kind,
            "workflow_id": fact.workflow_id,
            "account_id": fact.account_id,
            "matched_by": fact.matched_by,
            "email": normalise_address(fact.email),
            "message_id": fact.message_id[:998],
            "return_date": fact.return_date,
            "resume_on": fact.resume_on,
            "language": fact.language[:35],
            "evidence": fact.evidence,
            "acted_at": None,
        }
        with write_transaction(self._engine) as conn:
            stmt = self._insert(r).values(row).on_conflict_do_nothing(index_elements=[r.c.dedup_key])
            if conn.execute(stmt).rowcount == 1:
                if preference is not None:
                    self._merge_preference(conn, preference)
                return True
            acted = conn.execute(select(r.c.acted_at).where(r.c.dedup_key == fact.dedup_key)).scalar()
            return acted is None

    def mark_inbound_reply_acted(self: _StoreParts, dedup_key: str, at: datetime) -> None:
        r = schema.inbound_replies
        with write_transaction(self._engine) as conn:
            conn.execute(update(r).where(r.c.dedup_key == dedup_key).values(acted_at=at))

    def inbound_replies(self: _StoreParts, *, workflow_id: str | None = None) -> list[InboundReplyFact]:
        r = schema.inbound_replies
        query = select(r).order_by(r.c.received_at, r.c.dedup_key)
        if workflow_id is not None:
            query = query.where(r.c.workflow_id == workflow_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            InboundReplyFact(
                dedup_key=row["dedup_key"],
                received_at=row["received_at"],
                kind=row["kind"],
                workflow_id=row["workflow_id"],
                account_id=row["account_id"],
                matched_by=row["matched_by"],
                email=row["email"],
                message_id=row["message_id"],
                return_date=row["return_date"],
                resume_on=row["resume_on"],
                language=row["language"],
                evidence=row["evidence"],
            )
            for row in rows
        ]
