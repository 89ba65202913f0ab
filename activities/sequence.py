"""The sequence's side effects: render a touch, send an email, assign a manual task.

Activities never decide the sequence; they do one thing and report it. Each classifies its
failures (activities/failures.py): bad data fails once, a store or disk that is down is retried
within the workflow's bound.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio import activity

from activities import unsubscribe
from activities.email import EmailTransport, build_message
from activities.failures import classified
from activities.store import MessageLogEntry, Store
from activities.tasks import TaskBoard
from campaigns import templating
from campaigns.model import Contact
from contracts import ids
from contracts.sequence import (
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
    first = contact.name.split()[0] if contact.name.split() else contact.name
    return {
        "name": contact.name,
        "first_name": first,
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
    ) -> None:
        self.template_root = template_root
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
        with classified(f"account {req.account.account_id}, touch {req.touch}: template {req.template}"):
            out = templating.render(req.template, req.locale, render_context(req, link), self.template_root)
        return RenderedMessage(
            subject=out.subject, body=out.body, unsubscribe_url=link, template_path=out.template_path
        )

    @activity.defn
    async def send_email(self, req: SendRequest) -> SendResult:
        with classified(f"account {req.account_id}, touch {req.touch}: not sent"):
            message = build_message(req)
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
