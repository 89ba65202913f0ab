"""The tables behind the store, as SQLAlchemy Core metadata.

The migrations in activities/migrations create exactly these tables; a test compares the two
so neither can drift from the other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

# Explicit names, so a later migration can refer to a constraint on every database alike.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in as UTC and always comes back timezone-aware UTC.

    SQLite has no timezone-aware type: it keeps the text without an offset, so reading
    returns naive values; PostgreSQL returns them in the session's time zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is ambiguous (local? UTC?); guessing would shift sends by hours.
            raise ValueError(
                f"naive datetime {value.isoformat()} given to the store; pass a timezone-aware one"
            )
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(200), nullable=False),
    Column("company", Text, nullable=False),
    Column("domain", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("arr", Float, nullable=False),
    Column("churned_on", Date, nullable=True),
    Column("churn_reason", String(40), nullable=False),
    Column("churn_detail", Text, nullable=False),
    Column("competitor", Text, nullable=False),
    Column("departure", String(20), nullable=False),
    Column("owner", Text, nullable=False),
    Column("locale", String(35), nullable=False),
    Column("aliases", Text, nullable=False),  # JSON array of strings
    # "" is the file's empty column: the country's currency; en (migration 0007).
    Column("currency", String(3), nullable=False, server_default=""),
    Column("owner_locale", String(35), nullable=False, server_default=""),
    # Hash of the whole record as imported: tells "unchanged" from "updated" on re-import.
    Column("fingerprint", String(64), nullable=False),
    Column("first_imported_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("account_id"),
)

contacts = Table(
    "contacts",
    metadata,
    Column(
        "account_id",
        String(200),
        ForeignKey("accounts.account_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("role", String(20), nullable=False),  # primary | executive
    Column("name", Text, nullable=False),
    Column("email", String(320), nullable=False),
    Column("title", Text, nullable=False),
    Column("linkedin_url", Text, nullable=False),
    PrimaryKeyConstraint("account_id", "role"),
    Index("ix_contacts_email", "email"),
)

preferences = Table(
    "preferences",
    metadata,
    Column("email", String(320), nullable=False),  # lower case
    Column("kind", String(20), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("since", Date, nullable=False),
    Column("until", Date, nullable=True),  # first day contact is allowed again; NULL = never
    Column("reason", Text, nullable=False),
    Column("campaign_id", String(200), nullable=False),
    PrimaryKeyConstraint("email", "kind"),
    Index("ix_preferences_until", "until"),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("workflow_id", String(255), nullable=False),
    Column("run_id", String(255), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("campaign_id", String(200), nullable=False),
    Column("playbook_id", String(200), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("outcome", String(40), nullable=True),
    Column("reason", Text, nullable=False),
    Column("touches_done", Integer, nullable=True),
    PrimaryKeyConstraint("workflow_id", "run_id"),
    Index("ix_enrolments_account_id", "account_id"),
    Index("ix_enrolments_campaign_id", "campaign_id"),
    Index("ix_enrolments_ended_on", "ended_on"),
)

messages = Table(
    "messages",
    metadata,
    Column("message_id", String(998), nullable=False),
    Column("workflow_id", String(255), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("campaign_id", String(200), nullable=False),
    Column("touch", Integer, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("to_email", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("transport", String(40), nullable=False),
    PrimaryKeyConstraint("message_id"),
    Index("ix_messages_account_id", "account_id"),
)

launches = Table(
    "launches",
    metadata,
    Column("launch_id", String(200), nullable=False),
    Column("campaign_id", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("launch_id"),
)

launch_items = Table(
    "launch_items",
    metadata,
    Column(
        "launch_id",
        String(200),
        ForeignKey("launches.launch_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False, autoincrement=False),
    Column("account_id", String(200), nullable=False),
    Column("start_at", UtcDateTime, nullable=True),
    Column("payload", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("run_id", String(255), nullable=False),
    Column("note", Text, nullable=False),
    PrimaryKeyConstraint("launch_id", "position"),
)

# What the email provider told us about our messages (activities/store/events.py). The address
# is kept in its own column, as in contacts and preferences: it ties a bounce or an unsubscribe
# to the preference it records; `payload` is the provider's event without it.
provider_events = Table(
    "provider_events",
    metadata,
    # The same event posted again (SendGrid retries for 24 hours) has the same key.
    Column("dedup_key", String(120), nullable=False),
    # The fact the event reports (this address bounced during this sequence): retries that
    # carry new ids share it.
    Column("business_key", String(120), nullable=False),
    # The business key again, on the one event whose fact changed state; NULL on every other.
    # Unique, so two posts of one fact can never both record it and stop its sequence.
    Column("effect_key", String(120), nullable=True),
    Column("provider", String(20), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("email", String(320), nullable=False),  # lower case
    Column("sg_event_id", String(255), nullable=True),
    Column("sg_message_id", String(255), nullable=True),
    Column("workflow_id", String(255), nullable=True),
    Column("ledger_key", String(512), nullable=True),
    Column("occurred_at", UtcDateTime, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("payload", Text, nullable=False),  # JSON
    PrimaryKeyConstraint("dedup_key"),
    UniqueConstraint("effect_key"),
    Index("ix_provider_events_business_key", "business_key"),
    Index("ix_provider_events_workflow_id", "workflow_id"),
    Index("ix_provider_events_sg_message_id", "sg_message_id"),
)

# One row per email send through a provider without idempotency keys (SendGrid): written
# "sending" before the request, "sent" after the provider accepted it, "failed" when the
# provider certainly refused it (activities/store/ledger.py, activities/sendgrid.py).
send_ledger = Table(
    "send_ledger",
    metadata,
    Column("key", String(512), nullable=False),  # SendRequest.key: sequence run and touch
    Column("workflow_id", String(255), nullable=False),
    Column("state", String(20), nullable=False),  # sending | sent | failed
    Column("message_id", String(998), nullable=False),  # our Message-ID header
    Column("provider_message_id", String(255), nullable=True),  # SendGrid's X-Message-Id
    Column("note", Text, nullable=False),  # why it failed; never an address
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("key"),
    Index("ix_send_ledger_workflow_id", "workflow_id"),
)


# Replies that came back through SendGrid Inbound Parse (activities/store/replies.py): the facts
# a verdict rests on, never the body. The sender's address has its own column, as in contacts.
inbound_replies = Table(
    "inbound_replies",
    metadata,
    # SendGrid posts a message again until it sees a 2xx: the same message has the same key.
    Column("dedup_key", String(120), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("kind", String(20), nullable=False),  # inbound/classify.py KINDS
    Column("workflow_id", String(255), nullable=True),  # NULL: no sequence found
    Column("account_id", String(200), nullable=True),
    Column("matched_by", String(20), nullable=False),  # reply_token | thread | sender | none
    Column("email", String(320), nullable=False),  # lower case
    Column("message_id", String(998), nullable=False),
    Column("return_date", Date, nullable=True),
    Column("resume_on", Date, nullable=True),
    Column("language", String(35), nullable=False),
    Column("evidence", Text, nullable=False),
    # Set once the sequence was told; NULL means a repost must act again.
    Column("acted_at", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("dedup_key"),
    Index("ix_inbound_replies_workflow_id", "workflow_id"),
)


# Signal watchers (activities/store/watch.py). A source's health is what `winback watch list`
# shows; its ETag and Last-Modified make the next poll a conditional GET.
watch_sources = Table(
    "watch_sources",
    metadata,
    Column("source_id", String(64), nullable=False),
    Column("kind", String(10), nullable=False),  # feed | jobs | time
    Column("location", Text, nullable=False),  # URL or path; "" for time
    Column("company", String(300), nullable=False),  # a job board's company; "" otherwise
    Column("campaign_path", Text, nullable=False),  # the campaign whose triggers it fires
    Column("every_seconds", Integer, nullable=False),  # the schedule's interval
    Column("created_at", UtcDateTime, nullable=False),
    Column("etag", String(512), nullable=True),
    Column("last_modified", String(100), nullable=True),
    Column("last_polled_at", UtcDateTime, nullable=True),
    Column("last_success_at", UtcDateTime, nullable=True),
    Column("last_error_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("entries_seen", Integer, nullable=False),  # every entry read, over all polls
    Column("last_entries", Integer, nullable=False),  # entries in the last successful read
    Column("last_new_at", UtcDateTime, nullable=True),  # the last poll that found a new story
    Column("open_roles", Integer, nullable=True),  # a job board's open roles at the last poll
    PrimaryKeyConstraint("source_id"),
)

# One row per event a watcher extracted, kept once however many feeds and polls carry it:
# its key is the story's content hash + kind + subject. No personal data: a headline, a URL
# and the facts extracted (never a person's name).
signal_events = Table(
    "signal_events",
    metadata,
    Column("event_key", String(64), nullable=False),
    Column("story", String(64), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("company", String(300), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("published", String(40), nullable=True),
    Column("facts", Text, nullable=False),  # JSON object
    Column("source_id", String(64), nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
    Column("account_id", String(200), nullable=True),
    Column("matched_by", String(10), nullable=True),
    # A competitor's story: the competitor's name, casefolded (campaigns.priority reads it).
    Column("competitor", String(300), nullable=False),
    # Set once every account it concerns was decided; NULL means a retried poll acts again.
    Column("acted_at", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("event_key"),
    Index("ix_signal_events_competitor", "competitor"),
    Index("ix_signal_events_source_id", "source_id"),
)

# What each event did for each account it concerns: started, excluded (and why), disqualified.
signal_starts = Table(
    "signal_starts",
    metadata,
    Column("event_key", String(64), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("campaign_id", String(63), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("result", String(30), nullable=False),
    Column("note", Text, nullable=False),
    PrimaryKeyConstraint("event_key", "account_id"),
)

# One row per save (issue 12), written by the save itself as its last step; the first outcome
# stands. What later steps read: post-save monitoring (saved, the concessions granted and what
# the customer committed), the win-back of a lost save (when, why, the root cause).
save_outcomes = Table(
    "save_outcomes",
    metadata,
    Column("workflow_id", String(255), nullable=False),
    Column("run_id", String(255), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("campaign_id", String(200), nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("effort", String(20), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("root_cause", String(40), nullable=False),
    Column("renewal_on", Date, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=False),
    Column("tasks_done", Integer, nullable=False),
    Column("tasks_total", Integer, nullable=False),
    Column("concessions", Text, nullable=False),  # JSON list of the granted concessions
    PrimaryKeyConstraint("workflow_id", "run_id"),
    Index("ix_save_outcomes_account_id", "account_id"),
    Index("ix_save_outcomes_outcome", "outcome"),
)

# Cancel intents a product reported (issue 12, winback/intent_webhook.py): each event once, by the
# product's id or its content hash, stored before the webhook answers; `acted_at` is set once its
# save heard of it or its owner's task was written, so a repost acts on what was not acted on yet.
# `followed_until`: the last day the account is watched to tell a save from a delayed churn.
intent_events = Table(
    "intent_events",
    metadata,
    Column("dedup_key", String(255), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("detail", Text, nullable=False),
    Column("followed_until", Date, nullable=False),
    Column("acted_at", UtcDateTime, nullable=True),
    Column("acted_how", String(20), nullable=False),  # "", "save", "task" or "nobody"
    PrimaryKeyConstraint("dedup_key"),
    Index("ix_intent_events_account_id", "account_id"),
)


# One row per saves campaign and account a `saves launch` found at risk (issue 12), whether or
# not its save started: the saves report's attempt rate counts them, and its saved ARR reads the
# ARR here, since a save's outcome row carries none. A later launch of the same campaign updates
# the row; once started, it stays started.
save_at_risk = Table(
    "save_at_risk",
    metadata,
    Column("campaign_id", String(200), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("planned_on", Date, nullable=False),  # the launch's as-of day
    Column("arr", Float, nullable=False),
    Column("started", Boolean, nullable=False),
    PrimaryKeyConstraint("campaign_id", "account_id"),
)


# What followed a save's outcome (issue 12, part 3): the renewal check of a saved account (held
# or churned) and each win-back stage of a lost one (started, or refused with the rule's reason).
# One row per step of a follow-up: the first record stands.
save_follow_ups = Table(
    "save_follow_ups",
    metadata,
    Column("workflow_id", String(255), nullable=False),
    Column("run_id", String(255), nullable=False),
    Column("step", String(40), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("result", String(40), nullable=False),
    Column("detail", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("workflow_id", "run_id", "step"),
    Index("ix_save_follow_ups_account_id", "account_id"),
)


# Every row the newest saves launch of an account read, with that launch's approvers and
# settings (campaigns/save_watch.py, encoded by contracts/codec.py): what a cancel intent for an
# account with no running save starts its save from. A later launch replaces the row.
save_watch = Table(
    "save_watch",
    metadata,
    Column("account_id", String(200), nullable=False),
    Column("campaign_id", String(200), nullable=False),
    Column("planned_on", Date, nullable=False),  # the launch's as-of day
    Column("renewal_on", Date, nullable=False),
    Column("payload", Text, nullable=False),  # the WatchedRenewal as JSON
    Column("recorded_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("account_id"),
)
