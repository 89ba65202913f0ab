"""What the store hands out besides the shared domain records, and its one error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final


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


LAUNCH_PENDING: Final = "pending"
LAUNCH_STARTED: Final = "started"
LAUNCH_ALREADY_RUNNING: Final = "already_running"
LAUNCH_FAILED: Final = "failed"
# States a launch item can be marked with once its start was attempted.
LAUNCH_RESULT_STATES: Final = (LAUNCH_STARTED, LAUNCH_ALREADY_RUNNING, LAUNCH_FAILED)
LAUNCH_STATES: Final = (LAUNCH_PENDING, *LAUNCH_RESULT_STATES)


@dataclass(frozen=True)
class LaunchItem:
    """One account a launch will start a sequence for; `payload` is opaque JSON text."""

    position: int
    account_id: str
    start_at: datetime | None
    payload: str
    state: str = LAUNCH_PENDING
    run_id: str = ""
    note: str = ""


@dataclass(frozen=True)
class LaunchItemResult:
    position: int
    state: str  # one of LAUNCH_RESULT_STATES
    run_id: str = ""
    note: str = ""
