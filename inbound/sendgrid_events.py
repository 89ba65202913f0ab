"""SendGrid's Event Webhook: is a POST really from SendGrid, and what did it tell us.

`verify` checks the Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (DER, base64) over
the timestamp header followed by the raw body, byte for byte (a trailing CRLF included), and
refuses a timestamp more than five minutes away from now, so a captured post cannot be replayed.
`parse_events` turns the body into frozen `Event`s, each with the effect its kind has (`EFFECTS`),
a key that recognises the same event when SendGrid posts it again (it retries for 24 hours) and a
key for the fact it reports, so a retry that carries new ids still changes state once.

Pure: the caller passes the clock and the bytes; nothing here logs. Problems, skip reasons and
summaries never carry an email address: they end up in logs, HTTP answers and workflow history.
See docs/ARCHITECTURE.md, "Rules and where they live".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from campaigns.contactability import normalise_address
from campaigns.outcomes import BOUNCED, UNSUBSCRIBED

__all__ = [
    "BOUNCE",
    "EFFECTS",
    "MAX_AGE",
    "NOTHING",
    "PROVIDER",
    "REPORT",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "UNSUBSCRIBE",
    "Batch",
    "Effect",
    "Event",
    "MalformedBatch",
    "Skipped",
    "effect_for",
    "load_public_key",
    "parse_events",
    "verify",
]

PROVIDER: Final = "sendgrid"
SIGNATURE_HEADER: Final = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER: Final = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_AGE: Final = timedelta(minutes=5)

# The custom_args every send of ours carries; SendGrid flattens them into each of its events.
LEDGER_KEY_ARG: Final = "winback_key"  # the send ledger key: workflow id, run and touch
WORKFLOW_ID_ARG: Final = "winback_workflow_id"

# The docs' examples carry these instead of real ids; shared by many events, they identify none.
PLACEHOLDER_EVENT_IDS: Final = frozenset({"sg_event_id", "sendgrid_internal_event_id"})
# Kept out of the stored copy of an event: the address has a column of its own (it ties the event
# to the preference), and the opener's IP address is personal data no report needs.
_NOT_KEPT: Final = ("email", "ip")
# A DER ECDSA P-256 signature is at most 72 bytes, 96 characters of base64.
_MAX_SIGNATURE_CHARS: Final = 200
_TIMESTAMP: Final = re.compile(r"[0-9]{1,12}")
_EVENT_TIMESTAMP: Final = re.compile(r"[0-9]{1,16}")  # seconds or milliseconds
# Seconds since 1970 pass this only in the year 5138: anything larger is in milliseconds
# (Single Sends report them so).
_MILLISECONDS_FROM: Final = 100_000_000_000
_EMAIL_IN_TEXT: Final = re.compile(r"\S+@\S+")
_REASON_CHARS: Final = 200
_KIND_IN_KEY: Final = 40  # keys stay within 120 characters whatever kind a provider invents


# --- what each kind of event does --------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What an event changes: a permanent preference for its address, and how its sequence ends."""

    preference: str | None  # the preference kind recorded for ever (campaigns.contactability)
    stop: str | None  # the outcome the running sequence stops with (campaigns.outcomes)
    note: str


BOUNCE: Final = Effect("bounced", BOUNCED, "the address cannot receive mail")
UNSUBSCRIBE: Final = Effect("unsubscribed", UNSUBSCRIBED, "the person asked to hear no more")
NOTHING: Final = Effect(None, None, "a delay SendGrid retries by itself: changes nothing")
REPORT: Final = Effect(None, None, "stored for reports only")

EFFECTS: Final[Mapping[str, Effect]] = MappingProxyType(
    {
        "bounce": BOUNCE,
        "dropped": BOUNCE,
        "spamreport": UNSUBSCRIBE,
        "unsubscribe": UNSUBSCRIBE,
        "group_unsubscribe": UNSUBSCRIBE,
        "deferred": NOTHING,
        "processed": REPORT,
        "delivered": REPORT,
        "open": REPORT,
        "click": REPORT,
        # An unsubscribe holds for ever (campaigns/contactability.py): a resubscribe to a
        # SendGrid group does not lift it.
        "group_resubscribe": REPORT,
    }
)

# A `blocked` bounce is the receiving server refusing for now (reputation, rate, content), not a
# dead mailbox: SendGrid itself does not suppress the address. A for-ever `bounced` preference
# would lose a good contact over a passing refusal, so a block is only stored.
BLOCKED: Final = "blocked"

# SendGrid drops a message for the address's sake, or for ours. The first two are the address's
# own earlier unsubscribe or spam report; the last three are about our message or our account and
# say nothing about the address. Any other reason (Bounced Address, Invalid) is a bounce.
DROPPED_BY_REASON: Final[tuple[tuple[str, Effect], ...]] = (
    ("unsubscribed address", UNSUBSCRIBE),
    ("spam reporting address", UNSUBSCRIBE),
    ("spam content", REPORT),
    ("package quota", REPORT),
    ("smtpapi header", REPORT),
)


def effect_for(kind: str, bounce_type: str = "", reason: str = "") -> Effect:
    """The effect of an event; a kind this table does not know is stored for reports only."""
    if kind == "bounce" and bounce_type == BLOCKED:
        return REPORT
    if kind == "dropped":
        said = reason.lower()
        for words, effect in DROPPED_BY_REASON:
            if words in said:
                return effect
    return EFFECTS.get(kind, REPORT)


# --- the signature ----------------------------------------------------------------------------


def load_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """The verification key as SendGrid's Event Webhook settings show it: base64 of its DER form
    (PEM armour is tolerated). Raises ValueError saying what is wrong with it."""
    lines = [line for line in text.strip().splitlines() if not line.startswith("-----")]
    try:
        der = base64.b64decode("".join("".join(lines).split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the public key is not base64") from None
    try:
        key = load_der_public_key(der)
    except ValueError:
        raise ValueError("the public key is not a DER public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the public key is not an ECDSA P-256 key")
    return key


def verify(
    public_key: ec.EllipticCurvePublicKey | str,
    signature_b64: str | None,
    timestamp: str | None,
    raw_body: bytes,
    now: datetime,
    max_age: timedelta = MAX_AGE,
) -> str | None:
    """None when SendGrid signed exactly these bytes with this timestamp, within `max_age` of
    `now`; otherwise a short reason (no body, no address in it)."""
    if not signature_b64 or not signature_b64.strip():
        return f"missing {SIGNATURE_HEADER} header"
    if not timestamp or not timestamp.strip():
        return f"missing {TIMESTAMP_HEADER} header"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "the timestamp is not a number of seconds"
    if now.tzinfo is None:
        raise ValueError("verify needs a timezone-aware `now`")
    age = now.timestamp() - int(timestamp)
    # A timestamp from the future is as unusable as a stale one: accepting it would let a
    # captured post be replayed until that moment.
    if abs(age) > max_age.total_seconds():
        return f"the timestamp is more than {max_age.total_seconds() / 60:g} minutes away from now"
    signature_text = signature_b64.strip()
    if len(signature_text) > _MAX_SIGNATURE_CHARS:
        return "the signature is malformed"
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        return "the signature is not base64"
    if isinstance(public_key, str):
        try:
            public_key = load_public_key(public_key)
        except ValueError as err:
            return str(err)
    try:
        public_key.verify(signature, timestamp.encode("ascii") + raw_body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "the signature does not match the body and timestamp"
    return None


# --- the events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event SendGrid reported, as the store keeps it (the store reads these fields)."""

    kind: str  # the `event` field, lower case: "bounce", "open", ...
    email: str  # normalised (campaigns.contactability)
    occurred_at: datetime | None  # None when SendGrid's timestamp is missing or unreadable
    sg_event_id: str | None
    sg_message_id: str | None
    bounce_type: str  # a bounce's `type`: "bounce" or "blocked"; "" otherwise
    reason: str  # SendGrid's reason or response, as given: it may quote the address
    categories: tuple[str, ...]
    ledger_key: str | None  # our `winback_key`: which send this is about
    workflow_id: str | None  # our `winback_workflow_id`: which sequence to stop
    effect: Effect
    dedup_key: str  # the same event posted again has the same key
    business_key: str  # the same fact, whatever ids it comes with, has the same key
    payload: str  # the event as JSON, without the fields in _NOT_KEPT
    provider: str = PROVIDER

    @property
    def preference(self) -> str | None:
        return self.effect.preference

    @property
    def stop_outcome(self) -> str | None:
        return self.effect.stop

    @property
    def summary(self) -> str:
        """Why, in words fit for a preference, a log line or a workflow's history: no address."""
        said = " ".join(_EMAIL_IN_TEXT.sub("[email]", self.reason).split())[:_REASON_CHARS]
        shown = self.bounce_type and self.bounce_type != self.kind
        kind = f"{self.kind} ({self.bounce_type})" if shown else self.kind
        return f"SendGrid {kind}: {said}" if said else f"SendGrid {kind}"


@dataclass(frozen=True)
class Skipped:
    position: int  # 0-based, in the posted array
    reason: str


@dataclass(frozen=True)
class Batch:
    events: tuple[Event, ...]
    skipped: tuple[Skipped, ...]


class MalformedBatch(ValueError):
    """The body is not SendGrid events at all: not JSON, or JSON of another shape."""


def parse_events(raw_body: bytes) -> Batch:
    """Every event of a posted batch (an array, or a single object), with the items that are
    not events skipped and said why. The same event twice in one batch counts once."""
    try:
        document = json.loads(raw_body)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise MalformedBatch("the body is not JSON") from None
    if isinstance(document, dict):
        items: list[Any] = [document]
    elif isinstance(document, list):
        items = document
    else:
        raise MalformedBatch("the body is JSON but neither an event nor an array of events")
    ids = Counter(_text(item.get("sg_event_id")) for item in items if isinstance(item, dict))
    events: list[Event] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        try:
            event = _event(item, unique_ids=ids)
        except RecursionError:  # nesting json.loads just managed, copied into the payload
            event = "nested too deeply"
        if isinstance(event, str):
            skipped.append(Skipped(position, event))
        elif event.dedup_key in seen:
            skipped.append(Skipped(position, "the same event twice in this batch"))
        else:
            seen.add(event.dedup_key)
            events.append(event)
    return Batch(events=tuple(events), skipped=tuple(skipped))


def _event(item: Any, *, unique_ids: Counter[str | None]) -> Event | str:
    """The event, or why the item is not one."""
    if not isinstance(item, dict):
        return "not a JSON object"
    named = _text(item.get("event"))
    if named is None:
        return "no event name (custom arguments only?)"
    address = _text(item.get("email"))
    if address is None:
        return "no email address"
    kind = named.lower()
    email = normalise_address(address)
    seconds = _seconds(item.get("timestamp"))
    sg_event_id = _text(item.get("sg_event_id"))
    sg_message_id = _text(item.get("sg_message_id"))
    bounce_type = (_text(item.get("type")) or "").lower() if kind == "bounce" else ""
    reason = _text(item.get("reason")) or _text(item.get("response")) or ""
    ledger_key = _text(item.get(LEDGER_KEY_ARG))
    workflow_id = _text(item.get(WORKFLOW_ID_ARG))
    effect = effect_for(kind, bounce_type, reason)

    url = _text(item.get("url")) or ""
    if sg_event_id is not None and _real_id(sg_event_id) and unique_ids[sg_event_id] == 1:
        dedup_key = "sg:" + _digest(sg_event_id, kind, bounce_type)
    else:
        dedup_key = "h:" + _digest(kind, sg_message_id or "", email, seconds, bounce_type, reason, url)
    if effect.preference is not None:
        # The fact is "this address bounced (or unsubscribed) during this sequence": a bounce of
        # touch 1 and the drop of touch 2 that follows it are the same fact.
        business_key = f"{effect.preference}:" + _digest(workflow_id or "", email)
    else:
        business_key = f"{kind[:_KIND_IN_KEY]}:" + _digest(sg_message_id or "", email, seconds, url)
    kept = {key: value for key, value in item.items() if key not in _NOT_KEPT}
    return Event(
        kind=kind,
        email=email,
        occurred_at=_moment(seconds),
        sg_event_id=sg_event_id,
        sg_message_id=sg_message_id,
        bounce_type=bounce_type,
        reason=reason,
        categories=_categories(item.get("category")),
        ledger_key=ledger_key,
        workflow_id=workflow_id,
        effect=effect,
        dedup_key=dedup_key,
        business_key=business_key,
        # ASCII: a lone surrogate is escaped rather than written out.
        payload=json.dumps(kept, sort_keys=True, separators=(",", ":")),
    )


def _real_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and value.strip() not in PLACEHOLDER_EVENT_IDS


def _text(value: Any) -> str | None:
    """A string field, stripped and storable; None when absent, empty or not a string."""
    if isinstance(value, str):
        cleaned = _storable(value).strip()
        return cleaned or None
    return None


def _storable(text: str) -> str:
    # JSON may carry a lone surrogate ("\ud800") or a NUL: neither can be written to PostgreSQL
    # as text, and one odd field must not fail the whole batch.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _seconds(value: Any) -> int | None:
    """SendGrid's timestamp in whole seconds: a number or a string of digits, maybe milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not _EVENT_TIMESTAMP.fullmatch(value.strip()):
            return None
        value = int(value.strip())
    if isinstance(value, float) and value == value and abs(value) < 1e15:  # not NaN or absurd
        value = int(value)
    if not isinstance(value, int) or value < 0:
        return None
    return value // 1000 if value >= _MILLISECONDS_FROM else value


def _moment(seconds: int | None) -> datetime | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _categories(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v)
    return ()


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
