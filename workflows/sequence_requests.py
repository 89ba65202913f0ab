"""The activity requests a sequence makes, built from its input and state.

Pure, so the workflow's code reads as the order of its steps; passed through the sandbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from campaigns import calendar
from campaigns.model import PlannedTouch
from contracts.sequence import (
    OutcomeRecord,
    RenderedMessage,
    RenderRequest,
    SendRequest,
    SequenceInput,
    TaskAssignment,
)
from workflows.sequence_state import SequenceState
from workflows.sequence_text import local_iso


def render_request(inp: SequenceInput, touch: PlannedTouch, *, started: datetime) -> RenderRequest:
    expires_on = None
    if inp.offer is not None:
        # Fixed when the sequence started: every touch quotes the same expiry.
        expires_on = (started + timedelta(days=inp.offer.expires_in_days)).date().isoformat()
    return RenderRequest(
        template=touch.template,
        locale=inp.account.locale,
        channel=touch.channel,
        touch=touch.number,
        total_touches=len(inp.plan.touches),
        account=inp.account,
        contacts=inp.contacts,
        sender=inp.sender,
        campaign_id=inp.campaign_id,
        offer=inp.offer,
        offer_expires_on=expires_on,
        trigger=inp.trigger,
    )


def send_request(
    inp: SequenceInput, s: SequenceState, touch: PlannedTouch, rendered: RenderedMessage, *, key: str
) -> SendRequest:
    # Later touches reply in the thread the first email started.
    subject = f"Re: {s.thread_subject}" if s.thread_root_id else rendered.subject
    return SendRequest(
        key=key,
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        touch=touch.number,
        to_name=inp.contacts.primary.name,
        to_email=inp.contacts.primary.email,
        sender=inp.sender,
        subject=subject,
        body=rendered.body,
        unsubscribe_url=rendered.unsubscribe_url,
        thread_root_id=s.thread_root_id,
        reply_to=rendered.reply_to,
    )


# A manual touch whose playbook sets no deadline (older playbooks) gives the owner this long.
DEFAULT_TASK_DEADLINE = timedelta(days=3)


def task_due(inp: SequenceInput, touch: PlannedTouch, assigned: datetime) -> datetime:
    """When the owner's task is due: the playbook's deadline in the recipient's business time."""
    acc = inp.account
    if touch.deadline is None:
        return assigned + DEFAULT_TASK_DEADLINE
    return calendar.deadline_after(assigned, touch.deadline, acc.country, acc.timezone)


def task_assignment(
    inp: SequenceInput,
    touch: PlannedTouch,
    rendered: RenderedMessage,
    *,
    key: str,
    workflow_id: str,
    due: datetime,
) -> TaskAssignment:
    acc = inp.account
    return TaskAssignment(
        key=key,
        workflow_id=workflow_id,
        account_id=acc.account_id,
        company=acc.company,
        campaign_id=inp.campaign_id,
        owner=acc.owner,
        touch=touch.number,
        channel=touch.channel,
        template=touch.template,
        due_utc=due,
        due_local=local_iso(due, acc.timezone),
        subject=rendered.subject,
        text=rendered.body,
    )


def outcome_record(
    inp: SequenceInput,
    s: SequenceState,
    *,
    workflow_id: str,
    first_run_id: str,
    started_at: datetime,
    ended_at: datetime,
) -> OutcomeRecord:
    assert s.outcome is not None
    return OutcomeRecord(
        workflow_id=workflow_id,
        run_id=first_run_id,
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        playbook_id=inp.plan.playbook_id,
        outcome=s.outcome,
        reason=s.outcome_reason,
        contact_email=inp.contacts.primary.email,
        started_at=started_at,
        ended_at=ended_at,
        touches_done=sum(1 for t in s.touches if t.status not in ("skipped", "failed")),
        cool_off=inp.cool_off,
    )
