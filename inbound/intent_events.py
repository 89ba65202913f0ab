"""The cancel-intent webhook's wire format: the signature, and the events in the body. Pure.

A product signs each post like Stripe does: `X-Winback-Timestamp` is the unix time in seconds,
`X-Winback-Signature` is `v1=` + hex HMAC-SHA256(secret, timestamp + "." + raw body). The
timestamp is inside the MAC, so a captured post cannot be replayed outside MAX_AGE of when it
was signed (either way: a timestamp from the future is as unusable as a stale one). Several
`v1=` values separated by commas are accepted, so a product can sign with an old and a new
secret while the secret is rotated.

The body is one JSON object or a list of them:
`{"account_id": "...", "event": "cancel_flow_abandoned", "occurred_at": "ISO 8601", "id": "...",
"detail": "..."}`. `id` is the product's event id and de-duplicates a repost; without one the
event's content hash does. Nothing here logs; reasons never quote the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from campaigns.intent import INTENT_KINDS

SIGNATURE_HEADER: Final = "X-Winback-Signature"
TIMESTAMP_HEADER: Final = "X-Winback-Timestamp"
SCHEME: Final = "v1"
MAX_AGE: Final = timedelta(minutes=5)
MAX_EVENTS: Final = 1000
MAX_ID: Final = 200
MAX_DETAIL: Final = 500

_TIMESTAMP: Final = re.compile(r"[0-9]{1,12}")
_HEX: Final = re.compile(r"[0-9a-f]{64}")


def signature(secret: bytes, timestamp: str, raw_body: bytes) -> str:
    """The header value a product sends: `v1=<hex>` (what tests and the README's client use)."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + raw_body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={mac}"


def verify(
    secret: bytes,
    signature_header: str | None,
    timestamp: str | None,
    raw_body: bytes,
    now: datetime,
    max_age: timedelta = MAX_AGE,
) -> str | None:
    """None when `secret` signed exactly these bytes with this timestamp within `max_age` of
    `now`; otherwise a short reason (never the body, never a MAC)."""
    if not signature_header or not signature_header.strip():
        return f"missing {SIGNATURE_HEADER} header"
    if not timestamp or not timestamp.strip():
        return f"missing {TIMESTAMP_HEADER} header"
    timestamp = timestamp.strip()
    if not _TIMESTAMP.fullmatch(timestamp):
        return "the timestamp is not a number of seconds"
    if now.tzinfo is None:
        raise ValueError("verify needs a timezone-aware `now`")
    if abs(now.timestamp() - int(timestamp)) > max_age.total_seconds():
        return f"the timestamp is more than {max_age.total_seconds() / 60:g} minutes away from now"
    expected = signature(secret, timestamp, raw_body).encode("ascii")
    ok = False
    for part in signature_header.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and _HEX.fullmatch(value):
            # Constant time, and every candidate compared: the time taken says nothing.
            ok |= hmac.compare_digest(f"{SCHEME}={value}".encode("ascii"), expected)
    return None if ok else "the signature does not match the body and timestamp"


@dataclass(frozen=True)
class IntentEvent:
    dedup_key: str  # "id:<product id>" or "sha256:<hash of the event's content>"
    event_id: str  # what the workflow hears as the event's id (the dedup key)
    account_id: str
    kind: str  # campaigns.intent.INTENT_KINDS
    occurred_at: datetime  # UTC
    detail: str


class MalformedIntent(ValueError):
    """A body this endpoint cannot take (400); the message is one line, quoting no value."""


def parse_events(raw_body: bytes) -> list[IntentEvent]:
    """Every event in the body, or MalformedIntent for the first problem (nothing is taken then:
    the product fixes its post and sends it whole again)."""
    try:
        data: Any = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedIntent("the body is not JSON") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise MalformedIntent("the body holds no event")
    if len(items) > MAX_EVENTS:
        raise MalformedIntent(f"at most {MAX_EVENTS} events a post")
    return [_event(item, n) for n, item in enumerate(items, start=1)]


def _event(item: Any, n: int) -> IntentEvent:
    where = f"event {n}"
    if not isinstance(item, dict):
        raise MalformedIntent(f"{where} is not a JSON object")
    account_id = item.get("account_id")
    if not isinstance(account_id, str) or not account_id.strip() or len(account_id) > MAX_ID:
        raise MalformedIntent(f'{where}: "account_id" must be a text of 1-{MAX_ID} characters')
    kind = item.get("event")
    if kind not in INTENT_KINDS:
        raise MalformedIntent(f'{where}: "event" must be one of {", ".join(INTENT_KINDS)}')
    occurred = _moment(item.get("occurred_at"))
    if occurred is None:
        raise MalformedIntent(
            f'{where}: "occurred_at" must be an ISO 8601 time with an offset, such as "2026-12-04T18:30:00Z"'
        )
    event_id = item.get("id")
    if event_id is not None and (
        not isinstance(event_id, str) or not event_id.strip() or len(event_id) > MAX_ID
    ):
        raise MalformedIntent(f'{where}: "id" must be a text of 1-{MAX_ID} characters when given')
    detail = item.get("detail", "")
    if detail is None:
        detail = ""
    if not isinstance(detail, str):
        raise MalformedIntent(f'{where}: "detail" must be a text when given')
    account_id = account_id.strip()
    if event_id is not None:
        key = f"id:{event_id.strip()}"
    else:
        basis = json.dumps([account_id, kind, occurred.isoformat(), detail], ensure_ascii=False)
        key = "sha256:" + hashlib.sha256(basis.encode()).hexdigest()
    return IntentEvent(
        dedup_key=key,
        event_id=key,
        account_id=account_id,
        kind=str(kind),
        occurred_at=occurred,
        detail=detail.replace("\x00", "")[:MAX_DETAIL],
    )


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        # Python 3.11 reads "Z" as UTC.
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return None if moment.tzinfo is None else moment.astimezone(UTC)
