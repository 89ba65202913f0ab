"""Building RFC 5322 messages and the transports that deliver them.

The transport is a Protocol so SendGrid plugs in beside the local outbox. Delivery is keyed:
a transport that is handed a key it has already delivered does nothing and says so, which is
what keeps a retried activity from writing a second message.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from contracts.sequence import SendRequest


@dataclass(frozen=True)
class Delivery:
    message_id: str
    already_sent: bool
    location: str


class EmailTransport(Protocol):
    name: str  # recorded in the message log: which road a message took

    def deliver(self, key: str, message: EmailMessage) -> Delivery: ...


def message_id_for(key: str, sender_email: str) -> str:
    """Deterministic per (sequence run, touch), so a retry rebuilds the very same message."""
    domain = sender_email.rsplit("@", 1)[-1]
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build_message(req: SendRequest) -> EmailMessage:
    sender_email = req.sender.from_email
    msg = EmailMessage()
    msg["From"] = formataddr((req.sender.from_name, sender_email))
    msg["To"] = formataddr((req.to_name, req.to_email))
    msg["Subject"] = req.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id_for(req.key, sender_email)
    if req.thread_root_id:
        msg["In-Reply-To"] = req.thread_root_id
        msg["References"] = req.thread_root_id
    # One-click unsubscribe (RFC 8058): the https URL is what mailbox providers POST to.
    mailto = f"mailto:unsubscribe@{sender_email.rsplit('@', 1)[-1]}?subject={quote('unsubscribe')}"
    msg["List-Unsubscribe"] = f"<{req.unsubscribe_url}>, <{mailto}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Winback-Campaign"] = req.campaign_id
    msg["X-Winback-Touch"] = str(req.touch)
    body = req.body
    # The law (CAN-SPAM, GDPR practice) wants a postal address in every commercial email.
    if req.sender.postal_address not in body:
        body = body.rstrip("\n") + f"\n\n--\n{req.sender.from_name}\n{req.sender.postal_address}\n"
    msg.set_content(body)
    return msg


class OutboxTransport:
    """Writes one .eml file per message into a folder: local development and demos."""

    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, key: str, message: EmailMessage) -> Path:
        campaign = message.get("X-Winback-Campaign", "campaign")
        touch = message.get("X-Winback-Touch", "0")
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return self.folder / f"{campaign}-touch{touch}-{digest}.eml"

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # mkstemp: files are 0600
        target = self.path_for(key, message)
        message_id = str(message["Message-ID"])
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(bytes(message))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                # link() refuses to replace an existing file: the first delivery of a key wins,
                # even when two attempts race.
                os.link(tmp, target)
            except FileExistsError:
                return Delivery(message_id=message_id, already_sent=True, location=str(target))
        finally:
            os.unlink(tmp)
        return Delivery(message_id=message_id, already_sent=False, location=str(target))


class MemoryTransport:
    """Keeps messages in memory: the simulator's transport, which must never reach a person."""

    name = "memory"

    def __init__(self) -> None:
        self.messages: dict[str, EmailMessage] = {}

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        message_id = str(message["Message-ID"])
        if key in self.messages:
            return Delivery(message_id=message_id, already_sent=True, location=f"memory:{key}")
        self.messages[key] = message
        return Delivery(message_id=message_id, already_sent=False, location=f"memory:{key}")
