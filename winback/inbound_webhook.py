"""`POST /webhooks/sendgrid/inbound`: replies to our emails, through SendGrid Inbound Parse.

In this order: no WINBACK_INBOUND_SECRET configured answers 503 (nothing is read); a missing or
wrong secret (path, `?secret=` or basic auth password, compared in constant time) 403; a body
over MAX_BODY 413; a body that is no Inbound Parse form (parsed or raw mode) 400. Then the
sequence is found (reply token in the To address, else our Message-ID in In-Reply-To or
References, else the sender among the account's contacts), the reply judged
(inbound/classify.py, in the recipient's time zone) and its facts stored with the preference it
implies (activities/store/replies.py); only then does the sequence hear of it, and only then is
the 2xx sent. A store failure or a sequence that could not be told answers 503: SendGrid posts
the message again, the store keeps it once, and a reply not yet acted on is acted on then.

No email address, name or body is ever logged: ids, the kind and how the sequence was found.
Starlette loads only when the routes are built, as in winback/web.py.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import TYPE_CHECKING, Final, Protocol
from zoneinfo import ZoneInfo

from activities import reply_token
from activities.store import InboundReplyFact, SentMessage
from activities.tasks import FolderTaskBoard, TaskBoard
from campaigns.contactability import Preference, normalise_address, suppression
from campaigns.model import Account
from campaigns.zones import zone as zone_named
from contracts import ids
from contracts.sequence import BOUNCED, UNSUBSCRIBED, TaskAssignment
from inbound import classify as cls
from inbound.inbound_parse import form_fields, from_inbound_parse
from inbound.message import InboundMessage, NotAnEmail, decoded
from winback.sequence_actions import SequenceActions
from winback.settings import Settings, SettingsError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

log = logging.getLogger("winback.web.inbound")

PATH: Final = "/webhooks/sendgrid/inbound"
# SendGrid's Inbound Parse takes messages up to 30 MB, attachments included; the form's own
# framing adds a little, so anything past this is not SendGrid's.
MAX_BODY: Final = 32 * 1024 * 1024
ACT_TIMEOUT_S: Final = 10.0
# The local part of the reply address our emails carry: reply+{token}@{inbound domain}.
REPLY_LOCAL_PART: Final = "reply"
# Matched by: how the reply was tied to its sequence (stored with it).
BY_TOKEN: Final = "reply_token"
BY_THREAD: Final = "thread"
BY_SENDER: Final = "sender"
BY_NOTHING: Final = "none"
# What a contact who has left becomes: never emailed again, like a bounced mailbox (the
# preference kinds are campaigns/contactability.py's; "bounced" is the one that holds for ever
# without claiming the person asked for it).
LEFT_COMPANY_PREFERENCE: Final = "bounced"
NEW_CONTACT_CHANNEL: Final = "new_contact"

NO_SECRET: Final = (
    "Inbound replies are not accepted: WINBACK_INBOUND_SECRET is not set. Set it, and put it in "
    "the Inbound Parse URL: .../webhooks/sendgrid/inbound/SECRET."
)
FORBIDDEN: Final = "Refused: the inbound secret is missing or wrong."
TOO_LARGE: Final = f"The body is larger than {MAX_BODY // (1024 * 1024)} MB; SendGrid's messages are smaller."
NOT_STORED: Final = "The reply could not be stored just now; SendGrid will post it again."
NOT_ACTED: Final = (
    "The reply is stored but its sequence could not be told just now; SendGrid will post it again."
)

_TOKEN: Final = re.compile(r"[A-Za-z0-9._~=-]{1,200}")


class ReplyStore(Protocol):
    """The part of activities.store.Store the endpoint uses."""

    def message_replied_to(self, message_ids: Sequence[str]) -> SentMessage | None: ...

    def accounts_of_contact(self, email: str) -> list[str]: ...

    def account(self, account_id: str) -> Account | None: ...

    def record_inbound_reply(self, fact: InboundReplyFact, preference: Preference | None) -> bool: ...

    def mark_inbound_reply_acted(self, dedup_key: str, at: datetime) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class InboundReplies:
    """What the endpoint needs; winback/web.py's create_app receives it, or builds it from the
    settings with `from_settings`."""

    secret: bytes | None  # WINBACK_INBOUND_SECRET
    store: Callable[[], ReplyStore]  # called in a worker thread: it may open the store then
    actions: SequenceActions
    tasks: TaskBoard | None = None  # where a "find a new contact" task goes
    clock: Callable[[], datetime] = _now
    max_body: int = MAX_BODY
    # The key our Reply-To addresses are signed with (the unsubscribe secret); None: a reply is
    # matched by its thread or its sender only.
    reply_secret: bytes | None = None


def from_settings(settings: Settings, actions: SequenceActions) -> InboundReplies:
    try:
        reply_secret: bytes | None = settings.unsubscribe_secret()
    except SettingsError:
        reply_secret = None  # `winback web` refuses to start on it; other callers match by thread
    return InboundReplies(
        secret=settings.inbound_secret(),
        reply_secret=reply_secret,
        store=settings.store_opener(),
        actions=actions,
        tasks=FolderTaskBoard(settings.tasks_dir),
    )


# --- which sequence ---------------------------------------------------------------------------


def workflow_for_recipients(addresses: Sequence[str], secret: bytes | None) -> str | None:
    """The sequence a reply addressed to our signed `reply+{account}.{mac}@...` belongs to, or
    None (no secret, no such address, or a MAC we did not make: then the thread or the sender
    decides). See activities/reply_token.py."""
    if not secret:
        return None
    for address in addresses:
        account_id = reply_token.account_for(secret, address)
        if account_id is not None:
            return ids.workflow_id_for(account_id)
    return None


def recipients(fields: dict[str, bytes]) -> list[str]:
    """Every address the message was sent to: the envelope, the form's `to` and `cc`, and the
    To, Cc and Delivered-To of the header block (parsed mode) or the message (raw mode)."""
    found: list[str] = []
    envelope = fields.get("envelope")
    if envelope is not None:
        try:
            parsed = json.loads(envelope)
        except ValueError:
            parsed = None
        to = parsed.get("to") if isinstance(parsed, dict) else None
        if isinstance(to, list):
            found += [str(a) for a in to]
    headers: list[str] = []
    for name in ("to", "cc"):
        if name in fields:
            headers.append(fields[name].decode("utf-8", "replace"))
    for block in (fields.get("email"), fields.get("headers")):
        if block is None:
            continue
        msg = BytesHeaderParser(policy=compat32).parsebytes(block)
        for name in ("To", "Cc", "Delivered-To"):
            headers += [decoded(str(v)) for v in msg.get_all(name, [])]
    found += [address for _, address in getaddresses(headers) if address]
    return found


@dataclass(frozen=True)
class Found:
    workflow_id: str | None
    account_id: str | None
    matched_by: str
    sent: SentMessage | None = None


def find_sequence(
    store: ReplyStore, message: InboundMessage, to: Sequence[str], reply_secret: bytes | None = None
) -> Found:
    wid = workflow_for_recipients(to, reply_secret)
    if wid is not None:
        return Found(wid, wid.removeprefix(ids.SEQUENCE_ID_PREFIX), BY_TOKEN)
    sent = store.message_replied_to([*message.in_reply_to, *message.references])
    if sent is not None:
        return Found(sent.workflow_id, sent.account_id, BY_THREAD, sent)
    if message.sender:
        accounts = store.accounts_of_contact(message.sender)
        if accounts:
            if len(accounts) > 1:
                log.warning("a reply's sender is a contact of %d accounts: %s", len(accounts), accounts[0])
            return Found(ids.workflow_id_for(accounts[0]), accounts[0], BY_SENDER)
    return Found(None, None, BY_NOTHING)


# --- the decision -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    fact: InboundReplyFact
    verdict: cls.Verdict
    account: Account | None
    campaign_id: str
    zone: ZoneInfo | None
    act: bool  # the sequence still has to be told


def _zone(account: Account | None) -> ZoneInfo | None:
    if account is None:
        return None
    try:
        return zone_named(account.timezone)
    except (ValueError, KeyError):
        return None


def _contact_addresses(account: Account | None) -> list[str]:
    if account is None:
        return []
    people = [account.contact, account.executive]
    return [normalise_address(p.email) for p in people if p is not None and p.email.strip()]


def concerned_address(message: InboundMessage, found: Found, account: Account | None) -> str:
    """The address a bounce, an unsubscribe or a departure is about: the one we wrote to when
    the thread says so, else the sender when they are the account's contact, else the account's
    primary contact (a bounce comes from a mail daemon, not from the contact)."""
    if found.sent is not None:
        return normalise_address(found.sent.to_email)
    contacts = _contact_addresses(account)
    if message.sender and (normalise_address(message.sender) in contacts or found.matched_by == BY_SENDER):
        return normalise_address(message.sender)
    return contacts[0] if contacts else normalise_address(message.sender)


def preference_for(verdict: cls.Verdict, address: str, found: Found, today: date) -> Preference | None:
    kind = {
        cls.UNSUBSCRIBE: UNSUBSCRIBED,
        cls.BOUNCE: BOUNCED,
        cls.LEFT_COMPANY: LEFT_COMPANY_PREFERENCE,
    }.get(verdict.kind)
    if kind is None or not address or "@" not in address:
        return None
    reason = {
        cls.UNSUBSCRIBE: "asked by email to stop",
        cls.BOUNCE: "a bounce came back as a reply",
        cls.LEFT_COMPANY: "left the company (their mailbox said so)",
    }[verdict.kind]
    return suppression(
        kind,
        address,
        account_id=found.account_id or "",
        campaign_id=found.sent.campaign_id if found.sent is not None else "",
        since=today,
        reason=reason,
    )


def dedup_key(message: InboundMessage, body: bytes) -> str:
    # A repost carries the same message; without a Message-ID the body is all there is.
    basis = f"{message.message_id}\n{message.sender}".encode() if message.message_id else body
    return hashlib.sha256(basis).hexdigest()


def decide(
    store: ReplyStore,
    message: InboundMessage,
    to: Sequence[str],
    received: datetime,
    key: str,
    reply_secret: bytes | None = None,
) -> Decision:
    """Blocking: find the sequence, judge the reply in its recipient's zone, store the facts."""
    found = find_sequence(store, message, to, reply_secret)
    account = store.account(found.account_id) if found.account_id is not None else None
    zone = _zone(account)
    verdict = cls.classify(message, zone=zone, received=received)
    local_day = received.astimezone(zone or UTC).date()
    resume = cls.resume_on(verdict, local_day)
    address = concerned_address(message, found, account)
    fact = InboundReplyFact(
        dedup_key=key,
        received_at=received,
        kind=verdict.kind,
        workflow_id=found.workflow_id,
        account_id=found.account_id,
        matched_by=found.matched_by,
        email=address,
        message_id=message.message_id,
        return_date=verdict.return_date,
        resume_on=resume,
        language=verdict.language,
        evidence=verdict.evidence,
    )
    act = store.record_inbound_reply(fact, preference_for(verdict, address, found, local_day))
    campaign_id = found.sent.campaign_id if found.sent is not None else ""
    return Decision(fact, verdict, account, campaign_id, zone, act)


# --- acting on it -----------------------------------------------------------------------------


async def act(config: InboundReplies, decision: Decision) -> None:
    """Tell the sequence what the reply means. Raises when it could not be told."""
    fact, verdict = decision.fact, decision.verdict
    wid = fact.workflow_id
    if wid is None:
        return
    kind = verdict.kind
    if kind == cls.REPLY:
        await config.actions.replied(wid, f"replied by email ({verdict.language})")
    elif kind == cls.DECLINE:
        await config.actions.declined(wid, f"declined by email: {verdict.evidence}")
    elif kind == cls.OUT_OF_OFFICE:
        assert fact.resume_on is not None  # resume_on is set for every away note
        zone = decision.zone or UTC
        # Midnight where the contact is: the sequence's calendar then picks the next send slot.
        until = datetime.combine(fact.resume_on, time(0), tzinfo=zone).astimezone(UTC)
        back = f" until {verdict.return_date.isoformat()}" if verdict.return_date else ""
        await config.actions.pause_until(wid, until, f"out of office{back} (auto-reply)")
    elif kind == cls.UNSUBSCRIBE:
        await config.actions.stop(wid, UNSUBSCRIBED, "asked by email to stop")
    elif kind == cls.BOUNCE:
        await config.actions.stop(wid, BOUNCED, f"bounced: {verdict.evidence}")
    elif kind == cls.LEFT_COMPANY:
        await _new_contact_task(config, decision)
        await config.actions.stop(wid, BOUNCED, "the contact has left the company")


async def _new_contact_task(config: InboundReplies, decision: Decision) -> None:
    account, fact = decision.account, decision.fact
    if config.tasks is None or account is None or fact.workflow_id is None:
        log.warning("account %s: the contact has left, and no owner task could be written", fact.account_id)
        return
    local = fact.received_at.astimezone(decision.zone or UTC)
    await config.tasks.assign(
        TaskAssignment(
            key=f"{fact.workflow_id}-new-contact-{fact.dedup_key[:16]}",
            workflow_id=fact.workflow_id,
            account_id=account.account_id,
            company=account.company,
            campaign_id=decision.campaign_id,
            owner=account.owner,
            touch=0,
            channel=NEW_CONTACT_CHANNEL,
            template="",
            due_utc=fact.received_at,
            due_local=local.strftime("%Y-%m-%d %H:%M %Z"),
            subject="",
            text=(
                f"An auto-reply says our contact at {account.company} has left the company, so "
                "their address is never emailed again and this sequence has ended.\n\n"
                "Find a new contact there, add them to the accounts CSV and import it; the next "
                "campaign plans the account again.\n"
            ),
        )
    )


# --- the endpoint -----------------------------------------------------------------------------


def authorised(request: Request, secret: bytes) -> bool:
    """The secret from the path, the query or basic auth, compared in constant time."""
    offered: list[str] = []
    if "secret" in request.path_params:
        offered.append(str(request.path_params["secret"]))
    offered += request.query_params.getlist("secret")
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            offered.append(base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2])
    ok = False
    for candidate in offered:
        ok |= hmac.compare_digest(candidate.encode("utf-8", "surrogateescape"), secret)
    return ok


async def _body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than `limit` (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def routes(config: InboundReplies) -> list[Route]:
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    if config.secret is None:
        log.info("WINBACK_INBOUND_SECRET is not set: inbound replies are refused (503)")

    async def receive(request: Request) -> Response:
        if config.secret is None:
            return PlainTextResponse(NO_SECRET, status_code=503)
        if not authorised(request, config.secret):
            log.warning("refused an inbound reply post: the secret is missing or wrong")
            return PlainTextResponse(FORBIDDEN, status_code=403)
        body = await _body(request, config.max_body)
        if body is None:
            log.warning("refused an inbound reply post: body over %d bytes", config.max_body)
            return PlainTextResponse(TOO_LARGE, status_code=413)
        try:
            fields = form_fields(body, request.headers.get("content-type", ""))
            message = from_inbound_parse(fields)
        except NotAnEmail as err:
            log.warning("refused an inbound reply post: %s", err)
            return PlainTextResponse(f"Refused: {err}.", status_code=400)
        received = config.clock()
        key = dedup_key(message, body)
        to = recipients(fields)
        try:
            decision = await asyncio.to_thread(
                lambda: decide(config.store(), message, to, received, key, config.reply_secret)
            )
        except Exception as err:
            # The exception text may quote an address (SQL parameters): log only its type.
            log.error("could not store an inbound reply: %s", type(err).__name__)
            return PlainTextResponse(NOT_STORED, status_code=503)
        fact = decision.fact
        if decision.act:
            try:
                await asyncio.wait_for(act(config, decision), ACT_TIMEOUT_S)
                await asyncio.to_thread(lambda: config.store().mark_inbound_reply_acted(key, config.clock()))
            except Exception as err:
                log.error(
                    "inbound %s for sequence %s stored, but the sequence could not be told: %s",
                    fact.kind,
                    fact.workflow_id,
                    type(err).__name__,
                )
                return PlainTextResponse(NOT_ACTED, status_code=503)
        log.info(
            "inbound %s: sequence %s (account %s, found by %s)%s",
            fact.kind,
            fact.workflow_id,
            fact.account_id,
            fact.matched_by,
            "" if decision.act else ", already acted on",
        )
        return JSONResponse(
            {
                "kind": fact.kind,
                "workflow_id": fact.workflow_id,
                "matched_by": fact.matched_by,
                "resume_on": fact.resume_on.isoformat() if fact.resume_on else None,
                "already_acted": not decision.act,
            }
        )

    return [
        Route(PATH, receive, methods=["POST"]),
        Route(PATH + "/{secret}", receive, methods=["POST"]),
    ]
