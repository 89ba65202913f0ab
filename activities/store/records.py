"""What the store hands out besides the shared domain records, and its one error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar

from contracts.launch import ITEM_PENDING


class StoreError(Exception):
    """A problem the user fixes (unreachable database, duplicate launch): one line, no secrets."""


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


@dataclass(frozen=True)
class MessageLogEntry:
    """One email (or other message) a sequence sent, as the send_email activity logs it."""

    message_id: str
    workflow_id: str
    account_id: str
    campaign_id: str
    touch: int
    channel: str
    to_email: str
    subject: str
    sent_at: datetime
    transport: str  # "outbox", "sendgrid", ...


@dataclass(frozen=True)
class LaunchItem:
    """One account a launch will start a sequence for; `payload` is opaque JSON text."""

    position: int
    account_id: str
    start_at: datetime | None
    payload: str
    state: str = ITEM_PENDING
    run_id: str = ""
    note: str = ""


@dataclass(frozen=True)
class LaunchItemResult:
    position: int
    state: str  # one of contracts.launch.ITEM_RESULT_STATES
    run_id: str = ""
    note: str = ""


class ProviderEventRecord(Protocol):
    """An event the email provider reported, as the store keeps it.

    A Protocol rather than a class of ours: the parsed events (inbound/sendgrid_events.py) fit
    it as they are, and the store needs no import of `inbound` (docs/ARCHITECTURE.md).
    """

    @property
    def provider(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def occurred_at(self) -> datetime | None: ...
    @property
    def sg_event_id(self) -> str | None: ...
    @property
    def sg_message_id(self) -> str | None: ...
    @property
    def ledger_key(self) -> str | None: ...
    @property
    def workflow_id(self) -> str | None: ...
    @property
    def dedup_key(self) -> str: ...
    @property
    def business_key(self) -> str: ...
    @property
    def preference(self) -> str | None: ...  # the preference kind it records for ever, if any
    @property
    def summary(self) -> str: ...  # why, with no address in it
    @property
    def payload(self) -> str: ...


E = TypeVar("E", bound=ProviderEventRecord)


@dataclass(frozen=True)
class ProviderEventsReceipt(Generic[E]):
    """What recording a batch did: the events stored now (the others were stored before), and
    among them the ones whose fact changed state now (their preference is recorded; their
    sequence is the caller's to stop)."""

    stored: tuple[E, ...]
    acted: tuple[E, ...]


@dataclass(frozen=True)
class InboundReplyFact:
    """What the store keeps of a reply that came back (activities/store/replies.py): the facts
    its verdict and its sequence rest on; never its body."""

    dedup_key: str
    received_at: datetime
    kind: str
    workflow_id: str | None
    account_id: str | None
    matched_by: str
    email: str
    message_id: str
    return_date: date | None
    resume_on: date | None
    language: str
    evidence: str


@dataclass(frozen=True)
class SentMessage:
    """The message log's answer to "which of our messages is this a reply to"."""

    workflow_id: str
    account_id: str
    campaign_id: str
    to_email: str


@dataclass(frozen=True)
class WatchSource:
    """One watched source, its campaign, and its health (`winback watch list`)."""

    source_id: str
    kind: str  # feed | jobs | time
    location: str  # URL or path; "" for time
    company: str  # a job board's company; "" otherwise
    campaign_path: str
    every_seconds: int
    created_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    entries_seen: int = 0
    last_entries: int = 0
    last_new_at: datetime | None = None
    open_roles: int | None = None


@dataclass(frozen=True)
class PollRecord:
    """What one poll of a source found, as its health remembers it."""

    at: datetime
    error: str | None = None  # one line; None = the source was read
    not_modified: bool = False
    entries: int = 0
    new_events: int = 0
    etag: str | None = None
    last_modified: str | None = None
    open_roles: int | None = None


@dataclass(frozen=True)
class StoredSignal:
    """An event a watcher stored, with the account it matched when it was seen."""

    event_key: str
    story: str
    kind: str
    company: str
    title: str
    url: str
    published: str | None
    facts: tuple[tuple[str, str], ...]
    source_id: str
    account_id: str | None
    matched_by: str | None
    competitor: str  # casefolded competitor name for a competitor's story, else ""


@dataclass(frozen=True)
class SignalDecision:
    """What one event did for one account: started, excluded (and why), disqualified ..."""

    account_id: str
    campaign_id: str
    result: str
    note: str = ""
