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
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from activities.failures import BadInput, inside, safe_part
from campaigns.accounts import looks_like_email
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


def _line(value: str, what: str) -> str:
    # A CR or LF in a header value would start a header of the sender's choosing (a Bcc).
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BadInput(f"{what} contains a line break or another control character")
    return value


def _address(value: str, what: str) -> str:
    if not looks_like_email(_line(value, what)):
        raise BadInput(f"{what} is not a valid email address")
    return value


def check(req: SendRequest) -> None:
    """Refuse a request no attempt could turn into a safe message (BadInput names the field)."""
    _address(req.to_email, "the contact's email address")
    _line(req.to_name, "the contact's name")
    _address(req.sender.from_email, "the sender's email address")
    _line(req.sender.from_name, "the sender's name")
    _line(req.subject, "the subject")
    _line(req.campaign_id, "the campaign id")
    _line(req.thread_root_id, "the thread's Message-ID")
    _line(req.unsubscribe_url, "the unsubscribe link")


class _Policy(EmailPolicy):
    """The email package's default policy, except for a subject that is not ASCII: Python 3.11
    folds a long one as "… que \n =?utf-8?q?lan=C3=A7amos?=", which every reader unfolds to two
    spaces (RFC 5322 keeps a fold's whitespace). Written wholly as encoded words (RFC 2047), the
    whitespace between them is no text, and the subject reads back exactly as rendered."""

    def fold(self, name: str, value: str) -> str:
        return self._encoded_subject(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = self._encoded_subject(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)

    def _encoded_subject(self, name: str, value: str) -> str | None:
        text = str(value)
        if name.lower() != "subject" or text.isascii():
            return None
        width = self.max_line_length or 78
        encoded = Header(text, "utf-8", maxlinelen=width, header_name=name).encode(linesep=self.linesep)
        return f"{name}: {encoded}{self.linesep}"


MAIL_POLICY = _Policy()


def build_message(req: SendRequest) -> EmailMessage:
    """The message, or BadInput when the request could never be sent safely."""
    check(req)
    sender_email = req.sender.from_email
    msg = EmailMessage(policy=MAIL_POLICY)
    # Address objects, not formataddr: formataddr leaves a non-ASCII name's "<other@...>" outside
    # the encoded part, where it becomes the address.
    msg["From"] = _mailbox("From", req.sender.from_name, sender_email)
    msg["To"] = _mailbox("To", req.to_name, req.to_email)
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
    try:
        msg.set_content(body)
    except ValueError as err:
        # The email package's own refusals quote the offending value: keep only its kind.
        raise BadInput(f"the body cannot be encoded ({type(err).__name__})") from None
    _check_reads_back(msg)
    return msg


def _mailbox(header: str, name: str, email: str) -> Address:
    try:
        return Address(display_name=name, addr_spec=email)
    except (ValueError, IndexError, MessageError):
        # IndexError: the email package's parser on an empty address.
        raise BadInput(f"the {header} address is not a plain address such as name@company.com") from None


def _check_reads_back(msg: EmailMessage) -> None:
    """ValueError unless the written message reads back with exactly its headers and addresses.

    The email package decodes RFC 2047 encoded words in names and subjects when they are set
    and writes the decoded text out as it is: "=?utf-8?q?=0ABcc=3A_...?=" in a subject becomes
    a Bcc header, and a name that decodes to '"x" <other@...>' a different recipient.
    """
    try:
        data = msg.as_bytes()
    except (ValueError, MessageError) as err:
        raise BadInput(f"the message cannot be written as RFC 5322 ({type(err).__name__})") from None
    back = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
    if [k.lower() for k in back] != [k.lower() for k in msg]:
        raise BadInput(
            "the names or subject would add or hide a header once decoded (an encoded word =?...?= "
            "or a line break); refusing to build the message"
        )
    for name in ("From", "To"):
        if _addresses(back, name) != _addresses(msg, name):
            raise BadInput(
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
        """The message's file, certain to be inside the folder (UnsafeFileName otherwise)."""
        campaign = safe_part(str(message.get("X-Winback-Campaign", "campaign")), "the campaign id")
        touch = safe_part(str(message.get("X-Winback-Touch", "0")), "the touch number")
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return inside(self.folder, self.folder / f"{campaign}-touch{touch}-{digest}.eml", "the campaign id")

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        target = self.path_for(key, message)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # mkstemp: files are 0600
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
