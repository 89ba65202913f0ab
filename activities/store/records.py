"""What the store hands out besides the shared domain records, and its one error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
