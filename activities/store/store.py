"""The store: accounts, what people told us, sequences and their outcomes, messages, launches,
what the email provider reported.

Every write is one transaction, and every write an activity makes is idempotent, because
Temporal retries activities.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from activities.store import rowmap, schema
from activities.store.database import masked, open_engine, write_transaction
from activities.store.events import ProviderEventLog
from activities.store.intent import IntentLog
from activities.store.launches import LaunchLedger
from activities.store.ledger import SendLedger
from activities.store.records import (
    ImportResult,
    MessageLogEntry,
)
from activities.store.replies import InboundReplyLog
from activities.store.save_at_risk import SaveAtRiskLog
from activities.store.save_watch import SaveWatchLog
from activities.store.saves import SaveOutcomeLog
from activities.store.watch import WatchLog
from campaigns.contactability import SUPPRESSION_KINDS as SUPPRESSION_KINDS
from campaigns.contactability import hashed_address, normalise_address
from campaigns.contactability import implied_preference as implied_preference
from campaigns.model import OUTCOMES, PREFERENCE_KINDS, Account, Contact, Enrolment, Preference
from contracts.sequence import OutcomeReceipt, OutcomeRecord

# Stays under SQLite's bound-parameter limit (999 on old builds) and keeps PostgreSQL
# statements small.
_IN_CHUNK: Final = 500
_INSERT_CHUNK: Final = 1000


class Store(
    LaunchLedger,
    ProviderEventLog,
    SendLedger,
    InboundReplyLog,
    WatchLog,
    SaveOutcomeLog,
    IntentLog,
    SaveAtRiskLog,
    SaveWatchLog,
):
    """State outside Temporal, in SQLite (default) or PostgreSQL (DATABASE_URL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect and bring the schema up to date; problems raise a one-line StoreError."""
        return cls(open_engine(url))

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url_for_display(self) -> str:
        return masked(self._engine.url.render_as_string(hide_password=False))

    def __repr__(self) -> str:
        return f"Store({self.url_for_display})"

    def _among(self, column: ColumnElement[str], values: Sequence[str]) -> ColumnElement[bool]:
        if self._engine.dialect.name == "postgresql":
            # The values go into the SQL text (escaped by SQLAlchemy) rather than as parameters:
            # psycopg prepares a statement it has run five times, and PostgreSQL's generic plan
            # for a parameterised IN list, made while the table was still empty during a first
            # import, compares every row with every value: 40x slower on a re-import.
            return column.in_(bindparam("among", list(values), expanding=True, literal_execute=True))
        return column.in_(values)

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert:
        # ON CONFLICT has the same shape on both databases, but each dialect has its own construct.
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    # --- accounts and contacts ------------------------------------------------------------

    def import_accounts(self, accounts: Sequence[Account], *, now: datetime) -> ImportResult:
        """Upsert the CRM export by account_id; contacts are replaced with the account."""
        latest = {account.account_id: account for account in accounts}  # a repeated id: last wins
        rows = {account_id: rowmap.with_fingerprint(account) for account_id, account in latest.items()}
        a = schema.accounts
        with write_transaction(self._engine) as conn:
            known: dict[str, str] = {}
            for ids in rowmap.chunks(list(rows), _IN_CHUNK):
                found = conn.execute(
                    select(a.c.account_id, a.c.fingerprint).where(self._among(a.c.account_id, ids))
                )
                known.update({account_id: fingerprint for account_id, fingerprint in found})
            new = [row for account_id, row in rows.items() if account_id not in known]
            changed = [
                row
                for account_id, row in rows.items()
                if account_id in known and known[account_id] != row["fingerprint"]
            ]
            stamped = [{**row, "first_imported_at": now, "updated_at": now} for row in new]
            for batch in rowmap.chunks(stamped, _INSERT_CHUNK):
                conn.execute(insert(a), list(batch))
            if changed:
                # The WHERE parameter needs a name of its own: "account_id" would be read as SET.
                updates = [
                    {k: v for k, v in row.items() if k != "account_id"}
                    | {"updated_at": now, "key_account_id": row["account_id"]}
                    for row in changed
                ]
                conn.execute(update(a).where(a.c.account_id == bindparam("key_account_id")), updates)
                for ids in rowmap.chunks([row["account_id"] for row in changed], _IN_CHUNK):
                    conn.execute(
                        delete(schema.contacts).where(self._among(schema.contacts.c.account_id, ids))
                    )
            people = [
                person
                for row in (*new, *changed)
                for person in rowmap.contact_rows(latest[row["account_id"]])
            ]
            for batch in rowmap.chunks(people, _INSERT_CHUNK):
                conn.execute(insert(schema.contacts), list(batch))
        return ImportResult(
            inserted=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed)
        )

    def account(self, account_id: str) -> Account | None:
        a, c = schema.accounts, schema.contacts
        with self._engine.connect() as conn:
            row = conn.execute(select(a).where(a.c.account_id == account_id)).mappings().first()
            if row is None:
                return None
            people = {
                person["role"]: rowmap.contact(person)
                for person in conn.execute(select(c).where(c.c.account_id == account_id)).mappings()
            }
        return rowmap.account(row, people)

    def accounts(self) -> list[Account]:
        """Every account the store knows (imported by launch, plan or watch add), by id."""
        a, c = schema.accounts, schema.contacts
        people: dict[str, dict[str, Contact]] = {}
        with self._engine.connect() as conn:
            for person in conn.execute(select(c)).mappings():
                people.setdefault(person["account_id"], {})[person["role"]] = rowmap.contact(person)
            rows = conn.execute(select(a).order_by(a.c.account_id)).mappings().all()
        return [rowmap.account(row, people[row["account_id"]]) for row in rows if row["account_id"] in people]

    # --- what people told us --------------------------------------------------------------

    def record_preference(self, pref: Preference) -> None:
        """One row per (email, kind): the later `until` wins (None, for ever, beats any date)."""
        with write_transaction(self._engine) as conn:
            self._merge_preference(conn, pref)

    def _merge_preference(self, conn: Connection, pref: Preference) -> None:
        if pref.kind not in PREFERENCE_KINDS:
            raise ValueError(
                f"unknown preference kind {pref.kind!r}; expected one of {', '.join(PREFERENCE_KINDS)}"
            )
        p = schema.preferences
        stmt = self._insert(p).values(
            email=normalise_address(pref.email),
            kind=pref.kind,
            account_id=pref.account_id,
            since=date.fromisoformat(pref.since),
            until=rowmap.to_date(pref.until),
            reason=pref.reason,
            campaign_id=pref.campaign_id,
        )
        new = stmt.excluded
        # Done in the database, in one statement, so two workers recording the same address at
        # once cannot lose either write.
        newer = new.since >= p.c.since
        upsert = stmt.on_conflict_do_update(
            index_elements=[p.c.email, p.c.kind],
            set_={
                "until": case(
                    (or_(p.c.until.is_(None), new.until.is_(None)), null()),
                    (new.until > p.c.until, new.until),
                    else_=p.c.until,
                ),
                "since": case((newer, new.since), else_=p.c.since),
                "reason": case((newer, new.reason), else_=p.c.reason),
                "campaign_id": case((newer, new.campaign_id), else_=p.c.campaign_id),
                "account_id": case((newer, new.account_id), else_=p.c.account_id),
            },
        )
        conn.execute(upsert)

    def preferences(self, *, as_of: date) -> list[Preference]:
        """Every preference still in force on `as_of` (`until` is the first day it no longer is)."""
        p = schema.preferences
        query = select(p).where(or_(p.c.until.is_(None), p.c.until > as_of)).order_by(p.c.email, p.c.kind)
        with self._engine.connect() as conn:
            return [rowmap.preference(row) for row in conn.execute(query).mappings()]

    def suppression(self, email: str, *, as_of: date, address_hash: str = "") -> Preference | None:
        """The unsubscribe or bounce that keeps this address out on `as_of`, if any; with the
        address's keyed hash, also one recorded under the hash alone (campaigns/contactability.py)."""
        p = schema.preferences
        address = normalise_address(email)
        if not address:
            return None
        keys = [address, hashed_address(address_hash)] if address_hash else [address]
        query = (
            select(p)
            .where(
                p.c.email.in_(keys),
                p.c.kind.in_(SUPPRESSION_KINDS),
                or_(p.c.until.is_(None), p.c.until > as_of),
            )
            # The person's own choice explains more than a bouncing mailbox.
            .order_by(case((p.c.kind == "unsubscribed", 0), else_=1))
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else rowmap.preference(row)

    def known_addresses(self, *, account_id: str, workflow_id: str = "") -> list[str]:
        """Every address this store ties to the account or the sequence: its contacts now and
        everyone its messages went to, even contacts the CRM has since replaced."""
        c, m = schema.contacts, schema.messages
        sent_to = m.c.account_id == account_id
        if workflow_id:
            sent_to = or_(sent_to, m.c.workflow_id == workflow_id)
        with self._engine.connect() as conn:
            found = [
                *conn.execute(select(c.c.email).where(c.c.account_id == account_id)).scalars(),
                *conn.execute(select(m.c.to_email).where(sent_to).distinct()).scalars(),
            ]
        return sorted({normalise_address(e) for e in found if normalise_address(e)})

    def preferences_about(
        self, *, email: str, account_id: str, as_of: date, address_hash: str = ""
    ) -> list[Preference]:
        """The preferences in force on `as_of` about this address (or its keyed hash) or this
        account: what a send asks campaigns.contactability about, without reading them all."""
        p = schema.preferences
        addresses = [normalise_address(email)]
        if address_hash:
            addresses.append(hashed_address(address_hash))
        query = (
            select(p)
            .where(
                or_(p.c.email.in_(addresses), p.c.account_id == account_id),
                or_(p.c.until.is_(None), p.c.until > as_of),
            )
            .order_by(p.c.email, p.c.kind)
        )
        with self._engine.connect() as conn:
            return [rowmap.preference(row) for row in conn.execute(query).mappings()]

    # --- sequences and their outcomes -----------------------------------------------------

    def started_on(self, workflow_id: str) -> date | None:
        """The day the store recorded this sequence as started (its latest run), if it did."""
        e = schema.enrolments
        query = select(func.max(e.c.started_on)).where(e.c.workflow_id == workflow_id)
        with self._engine.connect() as conn:
            found = conn.execute(query).scalar()
        return found if isinstance(found, date) else None

    def record_started(self, rows: Sequence[Enrolment]) -> None:
        """Insert; a sequence (workflow_id, run_id) already recorded is left as it is."""
        if not rows:
            return
        e = schema.enrolments
        values = [
            {
                "workflow_id": row.workflow_id,
                "run_id": row.run_id,
                "account_id": row.account_id,
                "campaign_id": row.campaign_id,
                "playbook_id": "",
                "started_on": date.fromisoformat(row.started_on),
                "ended_on": rowmap.to_date(row.ended_on),
                "outcome": row.outcome,
                "reason": "",
                "touches_done": None,
            }
            for row in rows
        ]
        stmt = self._insert(e).on_conflict_do_nothing(index_elements=[e.c.workflow_id, e.c.run_id])
        with write_transaction(self._engine) as conn:
            for chunk in rowmap.chunks(values, _INSERT_CHUNK):
                conn.execute(stmt, list(chunk))

    def record_outcome(self, rec: OutcomeRecord) -> OutcomeReceipt:
        """End the enrolment and write the cool-off its outcome implies; safe to retry.

        The first outcome recorded for a sequence stands: a retry, or a late second report,
        does not overwrite it. The cool-off preference only ever lengthens, so writing it again
        changes nothing.
        """
        if rec.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {rec.outcome!r}; expected one of {', '.join(OUTCOMES)}")
        e = schema.enrolments
        stmt = self._insert(e).values(
            workflow_id=rec.workflow_id,
            run_id=rec.run_id,
            account_id=rec.account_id,
            campaign_id=rec.campaign_id,
            playbook_id=rec.playbook_id,
            started_on=rowmap.utc_date(rec.started_at),
            ended_on=rowmap.utc_date(rec.ended_at),
            outcome=rec.outcome,
            reason=rec.reason,
            touches_done=rec.touches_done,
        )
        new = stmt.excluded
        upsert = stmt.on_conflict_do_update(
            index_elements=[e.c.workflow_id, e.c.run_id],
            set_={
                "ended_on": new.ended_on,
                "outcome": new.outcome,
                "reason": new.reason,
                "touches_done": new.touches_done,
                "playbook_id": new.playbook_id,
            },
            where=e.c.outcome.is_(None),
        )
        # The cool-off counts from the day the enrolment records as its end.
        pref = implied_preference(
            rec.outcome,
            email=rec.contact_email,
            account_id=rec.account_id,
            ended_on=rowmap.utc_date(rec.ended_at),
            cool_off=rec.cool_off,
            reason=rec.reason,
            campaign_id=rec.campaign_id,
        )
        if pref is not None and not pref.email:
            pref = None  # nobody to keep quiet: the sequence had no address
        with write_transaction(self._engine) as conn:
            conn.execute(upsert)
            if pref is not None:
                self._merge_preference(conn, pref)
        return OutcomeReceipt(preference_until=None if pref is None else pref.until)

    def with_outcome(self, sequences: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those of the (workflow_id, run_id) pairs whose enrolment has an outcome; a sequence
        still running, or one the store never heard of, is left out. Batched for the reconciler
        (activities/reconcile.py), which asks about a week of closed sequences every few minutes."""
        wanted = set(sequences)
        if not wanted:
            return set()
        e = schema.enrolments
        found: set[tuple[str, str]] = set()
        with self._engine.connect() as conn:
            # By workflow id (the primary key's first column), then the run in Python: an
            # account has few runs, and one IN list stays within the parameter limit.
            for ids in rowmap.chunks(sorted({workflow_id for workflow_id, _ in wanted}), _IN_CHUNK):
                rows = conn.execute(
                    select(e.c.workflow_id, e.c.run_id).where(
                        self._among(e.c.workflow_id, ids), e.c.outcome.is_not(None)
                    )
                )
                found.update((workflow_id, run_id) for workflow_id, run_id in rows)
        return found & wanted

    def enrolments_for_plan(self, campaign_id: str) -> list[Enrolment]:
        """Running sequences in any campaign, plus every sequence this campaign ever had."""
        e = schema.enrolments
        query = (
            select(e)
            .where(or_(e.c.ended_on.is_(None), e.c.campaign_id == campaign_id))
            .order_by(e.c.started_on, e.c.account_id, e.c.workflow_id, e.c.run_id)
        )
        with self._engine.connect() as conn:
            return [rowmap.enrolment(row) for row in conn.execute(query).mappings()]

    def outcome_counts(self, campaign_id: str) -> dict[str, int]:
        e = schema.enrolments
        state = case((e.c.ended_on.is_(None), "running"), else_=func.coalesce(e.c.outcome, "ended"))
        query = (
            select(state.label("state"), func.count()).where(e.c.campaign_id == campaign_id).group_by(state)
        )
        counts = dict.fromkeys(("running", *OUTCOMES), 0)
        with self._engine.connect() as conn:
            for name, count in conn.execute(query):
                counts[name] = counts.get(name, 0) + count
        return counts

    # --- the message log ------------------------------------------------------------------

    def log_message(self, entry: MessageLogEntry) -> None:
        """Log a sent message; logging the same message_id again does nothing."""
        m = schema.messages
        stmt = (
            self._insert(m)
            .values(
                message_id=entry.message_id,
                workflow_id=entry.workflow_id,
                account_id=entry.account_id,
                campaign_id=entry.campaign_id,
                touch=entry.touch,
                channel=entry.channel,
                to_email=entry.to_email,
                subject=entry.subject,
                sent_at=entry.sent_at,
                transport=entry.transport,
            )
            .on_conflict_do_nothing(index_elements=[m.c.message_id])
        )
        with write_transaction(self._engine) as conn:
            conn.execute(stmt)

    def messages(self, *, account_id: str) -> list[MessageLogEntry]:
        m = schema.messages
        query = select(m).where(m.c.account_id == account_id).order_by(m.c.sent_at, m.c.touch, m.c.message_id)
        with self._engine.connect() as conn:
            return [rowmap.message(row) for row in conn.execute(query).mappings()]
