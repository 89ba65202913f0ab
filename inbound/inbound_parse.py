"""SendGrid Inbound Parse posts: the form it sends, turned into the message the classifier reads.

Two modes (SendGrid's setting per hostname): *raw* posts the whole MIME message in the field
`email`; *parsed* (the default) posts the header block in `headers`, the bodies in `text` and
`html`, and each field's charset in `charsets` (JSON, e.g. `{"text":"iso-8859-1"}`). Field
values arrive as bytes in those charsets, which is why `form_fields` keeps them as bytes: a web
framework's form parser decodes every field as UTF-8 and loses them.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Mapping
from email.message import Message
from email.parser import BytesHeaderParser

from inbound.message import InboundMessage, NotAnEmail, decode_bytes, from_headers, html_to_text, parse_email


def form_fields(body: bytes, content_type: str) -> dict[str, bytes]:
    """The fields of a multipart/form-data `body` (with its request's `content_type`, which
    names the boundary), each value as sent. Raises NotAnEmail when it is no such form."""
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in content_type:
        raise NotAnEmail(f"expected a multipart/form-data body with a boundary, not {content_type!r}")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    form = email.message_from_bytes(head + body, policy=email.policy.compat32)
    fields: dict[str, bytes] = {}
    parts = form.get_payload() if form.is_multipart() else []
    for part in parts:
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload
    if not fields:
        raise NotAnEmail("the form has no fields: is the boundary in the Content-Type the body's?")
    return fields


def from_inbound_parse(fields: Mapping[str, str | bytes]) -> InboundMessage:
    """The message an Inbound Parse form carries, raw or parsed mode. A str value is taken as
    already decoded; a bytes value is decoded with its charset from `charsets`."""
    raw = fields.get("email")
    if raw is not None:
        return parse_email(raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape"))
    if not any(name in fields for name in ("headers", "text", "html")):
        raise NotAnEmail(
            "an Inbound Parse form needs the field `email` (raw mode) or `headers`, `text` or `html` "
            "(parsed mode)"
        )
    charsets = _charsets(fields.get("charsets"))

    def field(name: str) -> str:
        value = fields.get(name, b"")
        return value if isinstance(value, str) else decode_bytes(value, charsets.get(name, "utf-8"))

    headers = fields.get("headers", b"")
    header_bytes = headers if isinstance(headers, bytes) else headers.encode("utf-8", "surrogateescape")
    msg = BytesHeaderParser(policy=email.policy.compat32).parsebytes(header_bytes)
    # The header block is the message's own; the form's copies fill in only what it lacks.
    for header, name in (("From", "from"), ("To", "to"), ("Subject", "subject")):
        if msg.get(header) is None and name in fields:
            msg[header] = field(name).strip()
    text = field("text").replace("\r\n", "\n")
    if not text.strip():
        text = html_to_text(field("html"))
    return from_headers(msg, text=text)


def _charsets(value: str | bytes | None) -> dict[str, str]:
    if value is None:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {str(key): str(charset) for key, charset in parsed.items()}
