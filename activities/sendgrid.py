"""SendGrid's v3 mail/send as an EmailTransport, guarded by the store's send ledger.

The payload is built with the `sendgrid` package's mail helpers from the very message the
outbox would write (activities/email.py build_message: List-Unsubscribe, threading headers,
Message-ID, the postal address in the body), and posted with httpx.

SendGrid has no idempotency key, so the send ledger (activities/store/ledger.py) is what keeps
a retried activity from sending twice. Its policy for an ambiguous failure (the request may
have gone out, no answer came back): never send again. Unless an event SendGrid posted to our
webhook already proves the message was accepted, the touch fails at once, non-retryably, with
a reason that says where to look (SendGrid's activity feed, by our `winback_key`).

Every text here may reach a workflow history: it names the ledger key (workflow id, run and
touch), never an address or a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any, Final, Protocol

import httpx
from sendgrid.helpers.mail import Content, CustomArg, Email, Header, Mail, ReplyTo, To
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.email import Delivery
from activities.store import SENT, LedgerEntry

SEND_URL: Final = "https://api.sendgrid.com/v3/mail/send"
# The names SendGrid's events carry back to us (inbound/sendgrid_events.py reads them).
LEDGER_KEY_ARG: Final = "winback_key"
WORKFLOW_ID_ARG: Final = "winback_workflow_id"

SENDGRID_BUSY: Final = "SendGridBusy"  # 429, 408 and 5xx: retried within the touch's bound
SENDGRID_UNREACHABLE: Final = "SendGridUnreachable"  # the request never left: retried
SENDGRID_REFUSED: Final = "SendGridRefused"  # 400, 401, 403, 413 …: fails the touch at once
OUTCOME_UNKNOWN: Final = "SendOutcomeUnknown"  # may have gone out: never sent again

# A Retry-After longer than this would put the touch outside the recipient's sending hours;
# the touch's retry policy (workflows/policies.py) gives up after about ten minutes anyway.
MAX_RETRY_DELAY: Final = timedelta(minutes=10)
TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)
_RETRYABLE_STATUS: Final = frozenset({408, 429})
# Headers SendGrid refuses in `headers` (it has fields for them) or sets itself.
_NOT_CUSTOM: Final = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "reply-to",
        "date",
        "content-type",
        "content-transfer-encoding",
        "mime-version",
    }
)
_EMAIL_IN_TEXT: Final = re.compile(r"\S+@\S+")
_MAX_REASON: Final = 300

log = logging.getLogger(__name__)


class Ledger(Protocol):
    """What the transport needs of the store (activities/store/ledger.py)."""

    def claim_send(
        self, key: str, *, workflow_id: str, message_id: str, at: datetime
    ) -> LedgerEntry | None: ...

    def mark_sent(self, key: str, *, provider_message_id: str | None, at: datetime) -> None: ...

    def mark_failed(self, key: str, *, note: str, at: datetime) -> None: ...

    def provider_message_for(self, key: str) -> str | None: ...


def payload_for(key: str, workflow_id: str, message: EmailMessage) -> dict[str, Any]:
    """The v3 JSON for `message`: its headers but From, To, Subject and Reply-To (fields of
    their own), its text body, and custom_args with only the ledger key and the workflow id."""
    sender_name, sender_email = parseaddr(str(message["From"]))
    to_name, to_email = parseaddr(str(message["To"]))
    mail = Mail(
        from_email=Email(sender_email, sender_name or None),
        to_emails=To(to_email, to_name or None),
        subject=str(message["Subject"]),
    )
    mail.content = Content("text/plain", message.get_content())
    reply_to = message.get("Reply-To")
    if reply_to:
        reply_name, reply_email = parseaddr(str(reply_to))
        mail.reply_to = ReplyTo(reply_email, reply_name or None)
    for name, value in message.items():
        if name.lower() not in _NOT_CUSTOM:
            mail.header = Header(name, str(value))
    mail.custom_arg = CustomArg(LEDGER_KEY_ARG, key)
    mail.custom_arg = CustomArg(WORKFLOW_ID_ARG, workflow_id)
    payload: dict[str, Any] = mail.get()
    return payload


def retry_delay(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """How long SendGrid asks us to wait: Retry-After (seconds or an HTTP date), else the
    rate limit's reset time; None leaves it to the retry policy's backoff."""
    wait: timedelta | None = None
    after = headers.get("Retry-After", "").strip()
    if after.isdigit():
        wait = timedelta(seconds=int(after))
    elif after:
        try:
            wait = parsedate_to_datetime(after) - now
        except (TypeError, ValueError):
            wait = None
    reset = headers.get("X-RateLimit-Reset", "").strip()
    if wait is None and reset.isdigit():
        wait = datetime.fromtimestamp(int(reset), UTC) - now
    if wait is None:
        return None
    return min(max(wait, timedelta(seconds=1)), MAX_RETRY_DELAY)


def error_text(response: httpx.Response) -> str:
    """SendGrid's own words ("field: message; …"), on one line, without any address."""
    try:
        body = response.json()
        errors = body.get("errors", []) if isinstance(body, dict) else []
        parts = [
            ": ".join(str(e[k]) for k in ("field", "message") if isinstance(e, dict) and e.get(k))
            for e in errors
        ]
        text = "; ".join(p for p in parts if p)
    except ValueError:
        text = response.text
    text = _EMAIL_IN_TEXT.sub("[email]", " ".join(text.split()))
    if len(text) > _MAX_REASON:
        text = text[: _MAX_REASON - 1] + "…"
    return text or response.reason_phrase or "no reason given"


def unknown_outcome(key: str) -> str:
    return (
        f"sent or not: SendGrid did not answer; check SendGrid's activity feed for the custom "
        f"argument {LEDGER_KEY_ARG}={key} before sending this touch by hand"
    )


def _workflow_id() -> str:
    # The activity's context travels into asyncio.to_thread; outside an activity there is none.
    try:
        return activity.info().workflow_id or ""
    except RuntimeError:
        return ""


class SendGridTransport:
    """Sends through SendGrid's v3 API; at most once per key, whatever the retries."""

    name = "sendgrid"

    def __init__(
        self, api_key: str, ledger: Ledger, *, client: httpx.Client | None = None, url: str = SEND_URL
    ) -> None:
        self._api_key = api_key
        self._ledger = ledger
        self._client = client or httpx.Client(timeout=TIMEOUT)
        self._url = url

    def __repr__(self) -> str:
        return f"SendGridTransport({self._url})"  # never the key

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        message_id = str(message["Message-ID"])
        workflow_id = _workflow_id()
        held = self._ledger.claim_send(
            key, workflow_id=workflow_id, message_id=message_id, at=datetime.now(UTC)
        )
        if held is not None:
            return self._already(key, held)
        payload = payload_for(key, workflow_id, message)
        try:
            response = self._client.post(
                self._url, json=payload, headers={"Authorization": f"Bearer {self._api_key}"}
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as err:
            # No connection, so no request: SendGrid never saw this message.
            why = f"SendGrid unreachable ({type(err).__name__})"
            self._ledger.mark_failed(key, note=why, at=datetime.now(UTC))
            raise ApplicationError(f"{key}: {why}; not sent", type=SENDGRID_UNREACHABLE) from None
        except httpx.HTTPError as err:
            # The request may have reached SendGrid: the claim stays "sending" for ever.
            log.warning(
                "send %s: no answer from SendGrid (%s); never sending it again", key, type(err).__name__
            )
            raise ApplicationError(
                f"{key}: {unknown_outcome(key)}", type=OUTCOME_UNKNOWN, non_retryable=True
            ) from None
        now = datetime.now(UTC)
        if response.status_code == 202:
            provider_id = response.headers.get("X-Message-Id")
            self._ledger.mark_sent(key, provider_message_id=provider_id, at=now)
            log.info("send %s: accepted by SendGrid as %s", key, provider_id)
            return Delivery(message_id=message_id, already_sent=False, location=f"sendgrid:{provider_id}")
        status = response.status_code
        why = f"SendGrid answered {status}: {error_text(response)}"
        self._ledger.mark_failed(key, note=why, at=now)
        if status in _RETRYABLE_STATUS or status >= 500:
            wait = retry_delay(response.headers, now)
            log.info("send %s: %s; retrying in %s", key, why, wait or "the policy's backoff")
            raise ApplicationError(
                f"{key}: {why}; not sent, will retry", type=SENDGRID_BUSY, next_retry_delay=wait
            )
        log.warning("send %s: %s; not sent", key, why)
        raise ApplicationError(f"{key}: {why}; not sent", type=SENDGRID_REFUSED, non_retryable=True)

    def _already(self, key: str, held: LedgerEntry) -> Delivery:
        """A key claimed before: sent (say so), or unknown (prove it sent, or fail for good)."""
        if held.state == SENT:
            return Delivery(
                message_id=held.message_id, already_sent=True, location=f"sendgrid:{held.provider_message_id}"
            )
        # Still "sending": an attempt died or timed out after its request may have gone out.
        proof = self._ledger.provider_message_for(key)
        if proof is not None:
            self._ledger.mark_sent(key, provider_message_id=proof, at=datetime.now(UTC))
            log.info("send %s: SendGrid's events show it was accepted; not sending again", key)
            return Delivery(message_id=held.message_id, already_sent=True, location=f"sendgrid:{proof}")
        log.warning("send %s: an earlier attempt got no answer from SendGrid; never sending it again", key)
        raise ApplicationError(f"{key}: {unknown_outcome(key)}", type=OUTCOME_UNKNOWN, non_retryable=True)
