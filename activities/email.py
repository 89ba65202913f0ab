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
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate
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
    # Address objects, not formataddr: formataddr leaves a non-ASCII name's "<other@...>" outside
    # the encoded part, where it becomes the address.
    msg["From"] = _address("From", req.sender.from_name, sender_email)
    msg["To"] = _address("To", req.to_name, req.to_email)
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
    _check_reads_back(msg)
    return msg


def _address(header: str, name: str, email: str) -> Address:
    try:
        return Address(display_name=name, addr_spec=email)
    except (ValueError, IndexError, MessageError):
        # IndexError: the email package's parser on an empty address.
        raise ValueError(f"the {header} address is not a plain address such as name@company.com") from None


def _check_reads_back(msg: EmailMessage) -> None:
    """ValueError unless the written message reads back with exactly its headers and addresses.

    The email package decodes RFC 2047 encoded words in names and subjects when they are set
    and writes the decoded text out as it is: "=?utf-8?q?=0ABcc=3A_...?=" in a subject becomes
    a Bcc header, and a name that decodes to '"x" <other@...>' a different recipient.
    """
    try:
        data = msg.as_bytes()
    except (ValueError, MessageError) as err:
        raise ValueError(f"the message cannot be written as RFC 5322 ({err})") from None
    back = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
    if [k.lower() for k in back] != [k.lower() for k in msg]:
        raise ValueError(
            "the names or subject would add or hide a header once decoded (an encoded word =?...?= "
            "or a line break); refusing to build the message"
        )
    for name in ("From", "To"):
        if _addresses(back, name) != _addresses(msg, name):
            raise ValueError(
                f"the {name} name would change the address once decoded (an encoded word =?...?= "
                "with an address inside); refusing to build the message"
            )


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    return [address.addr_spec for address in getattr(msg[name], "addresses", ())]


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
        self.folder.mkdir(parents=True, exist_ok=True)
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
