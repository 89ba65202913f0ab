"""What a reply carries, read from its bytes: the few headers that judge it, the subject, the
sender, the threading ids and the body as text.

The standard library parses; this module only decides what to keep and decodes it forgivingly,
because inbound mail is written by every client there is: a declared charset that Python does
not know, ISO-8859-1 that is really Windows-1252, an RFC 2047 word inside a bare subject, an
mbox `From ` line on top. Only a file with no email headers at all is refused.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

# The headers a verdict may rest on (docs/ARCHITECTURE.md, "Rules and where they live": reply
# kinds). Everything else (Received chains, DKIM, vendor noise) is left behind.
KEPT_HEADERS = (
    "Auto-Submitted",
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress",
    "Precedence",
    "X-Apple-Action",
    "X-Apple-Criteria",
    "X-Failed-Recipients",
    "Content-Type",
    "Content-Language",
)

# Any one of these makes bytes an email; a text or binary file has none of them.
_EMAIL_HEADERS = ("from", "to", "subject", "date", "message-id", "return-path", "received")


class NotAnEmail(ValueError):
    """The bytes are no email message (no headers), with the one line that says so."""


@dataclass(frozen=True)
class InboundMessage:
    subject: str = ""
    # The address alone: judged (a postmaster, a noreply), never logged (privacy).
    sender: str = ""
    # "<>" is the null sender of bounces and auto-replies (RFC 5321); None when absent.
    return_path: str | None = None
    sent_at: datetime | None = None
    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    # (name, value) of KEPT_HEADERS, names as written in KEPT_HEADERS, values decoded.
    headers: tuple[tuple[str, str], ...] = ()
    # The first text/plain body, or the HTML body as text (quoted blocks left out) when there
    # is no text part; decoded from its charset and transfer encoding.
    text: str = ""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


def parse_email(data: bytes) -> InboundMessage:
    """The message in `data` (an .eml file's bytes, CRLF or LF, an mbox `From ` line allowed).
    Raises NotAnEmail when it has no email headers."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not any(msg.get(name) is not None for name in _EMAIL_HEADERS):
        raise NotAnEmail(
            "no email headers (From, To, Subject, Date) found; "
            "give an .eml file, a message saved with its headers"
        )
    assert isinstance(msg, EmailMessage)
    return from_headers(msg, text=body_text(msg))


def from_headers(msg: Message, *, text: str, subject: str | None = None) -> InboundMessage:
    """The record from a parsed header block and an already decoded body."""
    raw = {name.lower(): value for name, value in reversed(list(msg.raw_items()))}
    kept: list[tuple[str, str]] = []
    for name in KEPT_HEADERS:
        value = raw.get(name.lower())
        if value is not None:
            kept.append((name, decoded(value)))
    return_path = raw.get("return-path")
    return InboundMessage(
        subject=subject if subject is not None else decoded(raw.get("subject", "")),
        sender=parseaddr(decoded(raw.get("from", "")))[1].lower(),
        return_path=_return_path(return_path) if return_path is not None else None,
        sent_at=_sent_at(raw.get("date")),
        message_id=decoded(raw.get("message-id", "")).strip(),
        in_reply_to=_ids(raw.get("in-reply-to", "")),
        references=_ids(raw.get("references", "")),
        headers=tuple(kept),
        text=text,
    )


def decoded(value: str) -> str:
    """A header value with RFC 2047 words decoded and folding undone; undecodable words are
    kept as written."""
    unfolded = re.sub(r"\r?\n[ \t]+", " ", _undo_surrogates(str(value))).strip()
    try:
        return str(make_header(decode_header(unfolded)))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return unfolded


def _undo_surrogates(value: str) -> str:
    # The parser keeps raw 8-bit header bytes as surrogate escapes: most such headers are
    # UTF-8 written without RFC 2047, the rest are Windows-1252.
    if not re.search(r"[\udc80-\udcff]", value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("windows-1252", errors="replace")


def body_text(msg: EmailMessage) -> str:
    """The text a person reads: the text/plain body, else the HTML body as text."""
    plain = _body(msg, "plain")
    if plain is not None:
        return plain
    html = _body(msg, "html")
    return html_to_text(html) if html is not None else ""


def decode_bytes(data: bytes, charset: str | None) -> str:
    """`data` in `charset`, forgiving: an unknown charset reads as UTF-8, and ISO-8859-1 as its
    superset Windows-1252, as every mail client does (smart quotes in "Latin-1" mail)."""
    name = (charset or "utf-8").strip().strip('"').lower()
    if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        name = "windows-1252"
    try:
        return data.decode(name, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _body(msg: EmailMessage, subtype: str) -> str | None:
    try:
        part = msg.get_body(preferencelist=(subtype,))
    except (KeyError, ValueError, TypeError):
        part = None
    if part is None or part.get_content_subtype() != subtype:
        return None
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, bytes):
        return None
    return decode_bytes(payload, part.get_content_charset()).replace("\r\n", "\n")


def _return_path(value: str) -> str:
    text = decoded(value).strip()
    return "<>" if text in ("<>", "") else parseaddr(text)[1].lower() or text


def _sent_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(decoded(value))
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _ids(value: str) -> tuple[str, ...]:
    return tuple(re.findall(r"<[^<>\s]+>", decoded(value)))


# --- HTML to text -----------------------------------------------------------------------------

# Containers mail clients put quoted history and signatures in: their text is not the reply.
_QUOTE_CLASSES = frozenset(
    {"gmail_quote", "gmail_signature", "gmail_extra", "yahoo_quoted", "moz-cite-prefix", "moz-signature"}
)
_QUOTE_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"})
_SKIPPED_TAGS = frozenset({"head", "style", "script", "title", "template"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "pre"}
)
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"})


class _TextOf(HTMLParser):
    """The visible text of an HTML body, a line per block, skipping quoted containers. The
    stdlib parser is enough: mail HTML needs no layout, only its words in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # The element being skipped and how deep it nests in itself: mail HTML leaves <p> and
        # <li> unclosed, so only the skipped tag's own start and end tags are counted.
        self._skipping: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping is not None:
            self._depth += tag == self._skipping
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").lower().split())
        if tag not in _VOID_TAGS and (
            tag in _SKIPPED_TAGS
            or tag == "blockquote"
            or classes & _QUOTE_CLASSES
            or (values.get("id") or "").lower() in _QUOTE_IDS
        ):
            self._skipping, self._depth = tag, 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> is one line break, not a start and an end.
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping is not None:
            if tag == self._skipping:
                self._depth -= 1
                if self._depth == 0:
                    self._skipping = None
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skipping is None:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOf()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):
        # A malformed tail: keep what was read; a verdict needs the words, not the markup.
        pass
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
