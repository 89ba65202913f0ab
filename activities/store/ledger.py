"""The store's send ledger: what was handed to an email provider that has no idempotency key.

SendGrid sends whatever it is given, however often. So a send is claimed here ("sending")
before the request goes out and marked "sent" once SendGrid accepted it; a request SendGrid
certainly refused is marked "failed" and may be claimed again. A row still "sending" when an
attempt comes back means nobody knows whether the message went out, and it is never sent
again (activities/sendgrid.py decides what that attempt does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from sqlalchemy import Engine, RowMapping, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import schema
from activities.store.database import write_transaction

SENDING: Final = "sending"
SENT: Final = "sent"
FAILED: Final = "failed"
LEDGER_STATES: Final = (SENDING, SENT, FAILED)


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    workflow_id: str
    state: str  # one of LEDGER_STATES
    message_id: str
    provider_message_id: str | None
    note: str
    attempts: int
    created_at: datetime
    updated_at: datetime


class _StoreParts(Protocol):
    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...


class SendLedger:
    """Part of Store (the send ledger); kept apart so each file holds one concern."""

    def claim_send(
        self: _StoreParts, key: str, *, workflow_id: str, message_id: str, at: datetime
    ) -> LedgerEntry | None:
        """Claim the send of `key`: None when this caller may send now (a new key, or one whose
        earlier request was certainly refused), else the entry that forbids it.

        One transaction, and the claim is a single conditional write, so two attempts racing
        for one key cannot both get None.
        """
        ledger = schema.send_ledger
        with write_transaction(self._engine) as conn:
            inserted = conn.execute(
                self._insert(ledger)
                .values(
                    key=key,
                    workflow_id=workflow_id,
                    state=SENDING,
                    message_id=message_id,
                    provider_message_id=None,
                    note="",
                    attempts=1,
                    created_at=at,
                    updated_at=at,
                )
                .on_conflict_do_nothing(index_elements=[ledger.c.key])
                .returning(ledger.c.key)
            ).first()
            if inserted is not None:
                return None
            reclaimed = conn.execute(
                update(ledger)
                .where(ledger.c.key == key, ledger.c.state == FAILED)
                .values(state=SENDING, note="", attempts=ledger.c.attempts + 1, updated_at=at)
            )
            if reclaimed.rowcount == 1:
                return None
            row = conn.execute(select(ledger).where(ledger.c.key == key)).mappings().one()
        return _entry(row)

    def mark_sent(self: _StoreParts, key: str, *, provider_message_id: str | None, at: datetime) -> None:
        """The provider accepted the message: it must never be sent again."""
        ledger = schema.send_ledger
        with write_transaction(self._engine) as conn:
            conn.execute(
                update(ledger)
                .where(ledger.c.key == key)
                .values(state=SENT, provider_message_id=provider_message_id, updated_at=at)
            )

    def mark_failed(self: _StoreParts, key: str, *, note: str, at: datetime) -> None:
        """The provider certainly did not take the message: a later attempt may send it. Only
        a claim still "sending" changes: a send another attempt completed stays sent."""
        ledger = schema.send_ledger
        with write_transaction(self._engine) as conn:
            conn.execute(
                update(ledger)
                .where(ledger.c.key == key, ledger.c.state == SENDING)
                .values(state=FAILED, note=note[:2000], updated_at=at)
            )

    def ledger_entry(self: _StoreParts, key: str) -> LedgerEntry | None:
        ledger = schema.send_ledger
        with self._engine.connect() as conn:
            row = conn.execute(select(ledger).where(ledger.c.key == key)).mappings().first()
        return None if row is None else _entry(row)

    def provider_message_for(self: _StoreParts, key: str) -> str | None:
        """SendGrid's message id from an event it reported about the send of `key`, if one
        came in: proof the message was accepted. No event proves nothing (they come late)."""
        pe = schema.provider_events
        query = (
            select(pe.c.sg_message_id)
            # Every event kind (processed, dropped, delivered …) follows an accepted request.
            .where(pe.c.ledger_key == key)
            .order_by(pe.c.received_at)
            .limit(1)
        )
        with self._engine.connect() as conn:
            found = conn.execute(query).first()
        if found is None:
            return None
        # "<X-Message-Id>.filter…" in events: the part before the first dot is what the 202 said.
        return str(found[0] or "").split(".", 1)[0] or "unknown"


def _entry(row: RowMapping) -> LedgerEntry:
    return LedgerEntry(**{column.name: row[column.name] for column in schema.send_ledger.c})
