"""The store's provider events: what the email provider reported, kept once, acted on once.

SendGrid posts an event again until it gets a 2xx, for up to 24 hours, and a retried batch can
carry new ids for a fact already told. So an event is stored once by its dedup key, and the
fact it reports changes state once by its business key (the `effect_key` column is unique):
the first event of a bounce or an unsubscribe records the permanent preference, in the same
transaction that stores it, and is handed back for its sequence to be stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Protocol

from sqlalchemy import Connection, Engine, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import rowmap, schema
from activities.store.database import write_transaction
from activities.store.records import E, ProviderEventRecord, ProviderEventsReceipt
from campaigns.contactability import Preference, normalise_address, suppression
from contracts.ids import SEQUENCE_ID_PREFIX

# Thirteen columns a row: 50 rows stay under SQLite's oldest bound-parameter limit (999).
_INSERT_CHUNK: Final = 50
_IN_CHUNK: Final = 500


class _StoreParts(Protocol):
    """What this part of the Store uses of the rest of it (activities/store/store.py)."""

    _engine: Engine

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert: ...

    def _merge_preference(self, conn: Connection, pref: Preference) -> None: ...


class ProviderEventLog:
    """Part of Store (the provider's events); kept apart so each file holds one concern."""

    def record_provider_events(
        self: _StoreParts, events: Sequence[E], *, received_at: datetime
    ) -> ProviderEventsReceipt[E]:
        """Store the events not stored before and record the preference of each fact not acted
        on before, in one transaction; posting the same events again stores and changes nothing.

        Two processes acting on one fact at once: the second fails on `effect_key`'s uniqueness
        and rolls back whole, so its caller answers with an error and SendGrid posts again.
        """
        pe = schema.provider_events
        firsts = _firsts(events)
        rows = [_row(event, received_at) for event in firsts]
        with write_transaction(self._engine) as conn:
            new: set[str] = set()
            for chunk in rowmap.chunks(rows, _INSERT_CHUNK):
                stmt = (
                    self._insert(pe)
                    .values(list(chunk))
                    .on_conflict_do_nothing(index_elements=[pe.c.dedup_key])
                    .returning(pe.c.dedup_key)
                )
                new.update(conn.execute(stmt).scalars())
            stored = tuple(event for event in firsts if event.dedup_key in new)
            facts = [event for event in stored if event.preference is not None]
            claimed = _claimed(conn, [event.business_key for event in facts])
            acted: list[E] = []
            for event in facts:
                if event.business_key in claimed:
                    continue
                claimed.add(event.business_key)
                conn.execute(
                    update(pe).where(pe.c.dedup_key == event.dedup_key).values(effect_key=event.business_key)
                )
                preference = _preference(conn, event, received_at)
                if preference is not None:
                    self._merge_preference(conn, preference)
                acted.append(event)
        return ProviderEventsReceipt(stored=stored, acted=tuple(acted))

    def provider_event_counts(self: _StoreParts, *, workflow_id: str | None = None) -> dict[str, int]:
        """How many events of each kind are stored, for one sequence or for all."""
        pe = schema.provider_events
        query = select(pe.c.kind, func.count()).group_by(pe.c.kind)
        if workflow_id is not None:
            query = query.where(pe.c.workflow_id == workflow_id)
        with self._engine.connect() as conn:
            return {kind: count for kind, count in conn.execute(query)}


def _firsts(events: Sequence[E]) -> list[E]:
    """Each event once, in order: one INSERT must not propose the same key twice."""
    seen: set[str] = set()
    firsts: list[E] = []
    for event in events:
        if event.dedup_key not in seen:
            seen.add(event.dedup_key)
            firsts.append(event)
    return firsts


def _row(event: ProviderEventRecord, received_at: datetime) -> dict[str, object]:
    return {
        "dedup_key": event.dedup_key,
        "business_key": event.business_key,
        "effect_key": None,
        "provider": _fit(event.provider, 20),
        "kind": _fit(event.kind, 40),
        "email": _fit(event.email, 320),
        "sg_event_id": _fit_or_none(event.sg_event_id, 255),
        "sg_message_id": _fit_or_none(event.sg_message_id, 255),
        "workflow_id": _fit_or_none(event.workflow_id, 255),
        "ledger_key": _fit_or_none(event.ledger_key, 512),
        "occurred_at": event.occurred_at,
        "received_at": received_at,
        "payload": event.payload,
    }


def _fit(text: str, length: int) -> str:
    # PostgreSQL refuses NUL in text and over-long values: a provider's odd event must not
    # fail the whole batch (it would be posted again, and fail again, for 24 hours).
    return text.replace("\x00", "")[:length]


def _fit_or_none(text: str | None, length: int) -> str | None:
    return None if text is None else _fit(text, length)


def _claimed(conn: Connection, business_keys: Sequence[str]) -> set[str]:
    """The facts among these that some stored event already acted on."""
    pe = schema.provider_events
    found: set[str] = set()
    for chunk in rowmap.chunks(sorted(set(business_keys)), _IN_CHUNK):
        found.update(conn.execute(select(pe.c.effect_key).where(pe.c.effect_key.in_(chunk))).scalars())
    return found


def _preference(conn: Connection, event: ProviderEventRecord, received_at: datetime) -> Preference | None:
    """The for-ever preference the event records, for the account and campaign it is about."""
    email = normalise_address(event.email)
    if event.preference is None or "@" not in email:
        return None  # no address to keep out
    account_id, campaign_id = _whose(conn, event.workflow_id, email)
    return suppression(
        event.preference,
        _fit(email, 320),
        account_id=account_id,
        campaign_id=campaign_id,
        since=received_at.date(),
        reason=event.summary,
    )


def _whose(conn: Connection, workflow_id: str | None, email: str) -> tuple[str, str]:
    """(account id, campaign id): the sequence's latest enrolment, else what its id and the
    contacts say; ("", "") for an address we do not know (mail some other system sent)."""
    if workflow_id:
        e = schema.enrolments
        found = conn.execute(
            select(e.c.account_id, e.c.campaign_id)
            .where(e.c.workflow_id == workflow_id)
            .order_by(e.c.started_on.desc(), e.c.run_id.desc())
            .limit(1)
        ).first()
        if found is not None:
            return found[0], found[1]
        if workflow_id.startswith(SEQUENCE_ID_PREFIX):
            return workflow_id[len(SEQUENCE_ID_PREFIX) :][:200], ""
    c = schema.contacts
    account = conn.execute(
        # Contacts keep the address as the CRM spelled it.
        select(c.c.account_id).where(func.lower(c.c.email) == email).order_by(c.c.account_id).limit(1)
    ).scalar()
    return (account or "", "")
