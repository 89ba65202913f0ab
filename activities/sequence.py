"""The sequence's side effects: render a touch, send an email, assign a manual task.

Activities never decide the sequence; they do one thing and report it. Each classifies its
failures (activities/failures.py): bad data fails once, a store or disk that is down is retried
within the workflow's bound.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import reply_token, unsubscribe
from activities.email import EmailTransport, build_message
from activities.failures import BadInput, classified
from activities.store import MessageLogEntry, Store
from activities.tasks import TaskBoard
from campaigns import locales, manners, templating
from campaigns.accounts import looks_like_email
from campaigns.contactability import COOL_OFF_KINDS, Preference, in_force, normalise_address, suppressed
from campaigns.model import Contact
from contracts import ids
from contracts.ids import SUPPRESSED_ERROR
from contracts.sequence import (
    COMPLETED_NO_REPLY,
    DECLINED,
    OutcomeReceipt,
    OutcomeRecord,
    RenderedMessage,
    RenderRequest,
    SendRequest,
    SendResult,
    TaskAssignment,
    TaskReceipt,
)


def _person(contact: Contact | None) -> dict[str, str] | None:
    if contact is None:
        return None
    first, family = manners.name_parts(contact.name)
    return {
        "name": contact.name,
        "first_name": first,
        "family_name": family,
        "title": contact.title,
        "linkedin_url": contact.linkedin_url,
    }


def render_context(req: RenderRequest, unsubscribe_url: str) -> dict[str, Any]:
    acc = req.account
    offer: dict[str, Any] | None = None
    if req.offer is not None:
        offer = {**asdict(req.offer), "expires_on": req.offer_expires_on or ""}
    return {
        "account": {
            "account_id": acc.account_id,
            "company": acc.company,
            "domain": acc.domain,
            "country": acc.country,
            "tier": acc.tier,
            "churn_reason": acc.churn_reason,
            "churn_detail": acc.churn_detail,
            "competitor": acc.competitor,
            "churned_on": acc.churned_on or "",
            "currency": acc.currency or locales.currency_for(acc.country),
        },
        "contact": _person(req.contacts.primary),
        "executive": _person(req.contacts.executive),
        "sender": {
            "from_name": req.sender.from_name,
            "from_email": req.sender.from_email,
            "postal_address": req.sender.postal_address,
        },
        "owner": {"email": acc.owner, "handle": acc.owner_handle},
        "offer": offer,
        "trigger": asdict(req.trigger) if req.trigger else None,
        "campaign": {"id": req.campaign_id},
        "touch": {"number": req.touch, "total": req.total_touches, "channel": req.channel},
        "unsubscribe_url": unsubscribe_url,
    }


class SequenceActivities:
    def __init__(
        self,
        transport: EmailTransport,
        tasks: TaskBoard,
        store: Store,
        *,
        public_url: str,
        unsubscribe_secret: bytes,
        template_root: Path = templating.ROOT,
        inbound_domain: str = "",
    ) -> None:
        self.template_root = template_root
        # Where SendGrid Inbound Parse receives replies; "" sends no Reply-To (activities/reply_token.py).
        self.inbound_domain = inbound_domain
        self.transport = transport
        self.tasks = tasks
        self.store = store
        self.public_url = public_url
        self.unsubscribe_secret = unsubscribe_secret

    @activity.defn
    async def render_message(self, req: RenderRequest) -> RenderedMessage:
        # The link names the sequence that sends this message, so a click stops exactly it.
        workflow_id = activity.info().workflow_id if activity.in_activity() else ""
        link = unsubscribe.url(
            self.public_url,
            self.unsubscribe_secret,
            req.campaign_id,
            req.account.account_id,
            workflow_id or ids.workflow_id_for(req.account.account_id),
            # Every email of a sequence goes to its primary contact (workflows/sequence_requests.py).
            req.contacts.primary.email,
        )
        # A template error is the same on every attempt: it fails once, and nothing is sent.
        # Emails and LinkedIn notes in the contact's language, the owner's tasks in theirs.
        acc = req.account
        locale = locales.for_touch(req.channel, req.locale, acc.country, acc.owner_locale)
        with classified(f"account {req.account.account_id}, touch {req.touch}: template {req.template}"):
            out = templating.render(req.template, locale, render_context(req, link), self.template_root)
        reply_to = reply_token.reply_address(
            self.unsubscribe_secret,
            req.account.account_id,
            workflow_id or ids.workflow_id_for(req.account.account_id),
            self.inbound_domain,
        )
        return RenderedMessage(
            subject=out.subject,
            body=out.body,
            unsubscribe_url=link,
            template_path=out.template_path,
            reply_to=reply_to,
            locale=out.locale,
        )

    def _refusal(self, req: SendRequest) -> ApplicationError | None:
        """Why this address or account may not be emailed now, as the error that ends the
        sequence (the workflow skips the touch and ends with its outcome); None: it may.

        Asked at every attempt, after the timer: an unsubscribe, a bounce or a decline that
        landed while the sequence waited blocks the send."""
        # The server's clock, not the worker's: the same day a time-skipping test lives in.
        day = activity.info().current_attempt_scheduled_time.astimezone(UTC).date()
        # A click on a link this store could not match was recorded under the address's keyed
        # hash alone (winback/web.py): the sender knows the address, so it finds that too.
        hashed = unsubscribe.address_hash(self.unsubscribe_secret, req.to_email)
        prefs = self.store.preferences_about(
            email=req.to_email, account_id=req.account_id, as_of=day, address_hash=hashed
        )
        where = f"account {req.account_id}, touch {req.touch}: not sent"
        blocked = suppressed(req.to_email, prefs, day, address_hash=hashed)
        if blocked is not None:
            why = "the address bounced" if blocked.kind == "bounced" else "the contact unsubscribed"
            return ApplicationError(
                f"{where}: {why} on {blocked.since}", blocked.kind, type=SUPPRESSED_ERROR, non_retryable=True
            )
        started = self.store.started_on(activity.info().workflow_id or "")
        rest = _rest_since(prefs, req, day, started)
        if rest is None:
            return None
        if rest.kind == "declined":
            why, outcome = f"the account declined on {rest.since}", DECLINED
        else:
            why, outcome = f"the account is resting since {rest.since}", COMPLETED_NO_REPLY
        return ApplicationError(f"{where}: {why}", outcome, type=SUPPRESSED_ERROR, non_retryable=True)

    @activity.defn
    async def send_email(self, req: SendRequest) -> SendResult:
        with classified(f"account {req.account_id}, touch {req.touch}: not sent"):
            refusal = await asyncio.to_thread(self._refusal, req)
        if refusal is not None:
            activity.logger.info("touch %s of %s not sent: %s", req.touch, req.account_id, refusal.message)
            raise refusal
        with classified(f"account {req.account_id}, touch {req.touch}: not sent"):
            message = build_message(req)
            # The signed address render_message made: a reply finds this sequence exactly.
            reply_to = req.reply_to
            if reply_to and "Reply-To" not in message:
                if not looks_like_email(reply_to) or any(ord(ch) < 32 for ch in reply_to):
                    raise BadInput("the reply-to address is not a valid email address")
                message["Reply-To"] = reply_to
            delivery = await asyncio.to_thread(self.transport.deliver, req.key, message)
        if delivery.already_sent:
            activity.logger.info(
                "touch %s of %s was already sent; not sending again", req.touch, req.account_id
            )
        # The message log is how reports and the next plan know what went out; a retry after
        # the transport succeeded logs the same message id again, which the store ignores.
        with classified(f"account {req.account_id}, touch {req.touch}: sent, not yet in the message log"):
            await asyncio.to_thread(
                self.store.log_message,
                MessageLogEntry(
                    message_id=delivery.message_id,
                    workflow_id=activity.info().workflow_id or "",
                    account_id=req.account_id,
                    campaign_id=req.campaign_id,
                    touch=req.touch,
                    channel="email",
                    to_email=req.to_email,
                    subject=message["Subject"] or req.subject,
                    sent_at=datetime.now(UTC),
                    transport=self.transport.name,
                ),
            )
        return SendResult(message_id=delivery.message_id, already_sent=delivery.already_sent)

    @activity.defn
    async def record_outcome(self, rec: OutcomeRecord) -> OutcomeReceipt:
        with classified(f"account {rec.account_id}, outcome {rec.outcome} not recorded"):
            receipt = await asyncio.to_thread(self.store.record_outcome, rec)
        activity.logger.info("sequence %s of %s ended: %s", rec.workflow_id, rec.campaign_id, rec.outcome)
        return receipt

    @activity.defn
    async def assign_task(self, req: TaskAssignment) -> TaskReceipt:
        with classified(f"account {req.account_id}, touch {req.touch}: {req.channel} task not assigned"):
            location = await self.tasks.assign(req)
        return TaskReceipt(location=location)


def _rest_since(
    prefs: list[Preference], req: SendRequest, day: date, started: date | None
) -> Preference | None:
    """A decline or rest about this account or address recorded since the sequence started
    (any in force when the store does not know when it started), declines first."""
    address = normalise_address(req.to_email)
    found = [
        p
        for p in prefs
        if p.kind in COOL_OFF_KINDS
        and in_force(p, day)
        and (p.account_id == req.account_id or normalise_address(p.email) == address)
        and (started is None or date.fromisoformat(p.since) >= started)
    ]
    found.sort(key=lambda p: COOL_OFF_KINDS.index(p.kind))
    return found[0] if found else None
