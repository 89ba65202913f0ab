"""A save follow-up's side effects beyond the task board: recording its steps, and a lost
account's win-back stages started through the one start path (activities/pipeline.py), with
every rule of the win-back campaign judged on the day the stage comes round.

Nothing here decides on its own who may be emailed: the plan does, with the store's
preferences and enrolments of that day (a decline's cool-off, an unsubscribe or bounce, a
running sequence), exactly as for `winback launch`; and the sequence's sends check
suppressions again. A stage the rules refuse is recorded with the plan's reasons.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities import pipeline
from activities.failures import classified
from activities.launch import start_sequence
from activities.store import Store
from campaigns.campaign import CAMPAIGN_ID_RE, load_campaign
from campaigns.errors import ConfigError
from campaigns.model import CHURN_REASONS, Campaign, Enrolment
from contracts import ids
from contracts.codec import decode_input
from contracts.save_followup import (
    REFUSED,
    STARTED,
    FollowUpReceipt,
    FollowUpRecord,
    WinbackStartRequest,
)


class StageRefused(Exception):
    """A win-back stage that will not start, and why (one line, no personal data)."""


class SaveFollowUpActivities:
    def __init__(self, client: Client, store: Store, *, task_queue: str) -> None:
        self.client = client
        self.store = store
        self.task_queue = task_queue  # where the win-back sequences run

    @activity.defn
    async def record_follow_up(self, rec: FollowUpRecord) -> FollowUpReceipt:
        with classified(f"account {rec.account_id}, follow-up {rec.step} not recorded"):
            stored = await asyncio.to_thread(self.store.record_follow_up, rec)
        return FollowUpReceipt(result=stored.result, detail=stored.detail, recorded=stored == rec)

    @activity.defn
    async def start_save_winback(self, req: WinbackStartRequest) -> FollowUpReceipt:
        """Start the stage's sequence if the rules allow it today; record either way."""
        with classified(f"account {req.account_id}, win-back {req.step}"):
            earlier = await asyncio.to_thread(self._recorded, req)
            if earlier is not None:
                # A retry after the start (or refusal) was written: the first word stands.
                return FollowUpReceipt(result=earlier.result, detail=earlier.detail, recorded=False)
            try:
                result, detail = STARTED, await self._start(req)
            except StageRefused as why:
                result, detail = REFUSED, str(why)
            rec = FollowUpRecord(
                workflow_id=req.workflow_id,
                run_id=req.run_id,
                step=req.step,
                account_id=req.account_id,
                result=result,
                detail=detail,
                at=datetime.now(UTC),
            )
            stored = await asyncio.to_thread(self.store.record_follow_up, rec)
        activity.logger.info("save win-back %s of %s: %s", req.step, req.account_id, stored.result)
        return FollowUpReceipt(result=stored.result, detail=stored.detail, recorded=stored == rec)

    def _recorded(self, req: WinbackStartRequest) -> FollowUpRecord | None:
        return next(
            (
                r
                for r in self.store.follow_ups(account_id=req.account_id)
                if (r.workflow_id, r.run_id, r.step) == (req.workflow_id, req.run_id, req.step)
            ),
            None,
        )

    async def _start(self, req: WinbackStartRequest) -> str:
        campaign = stage_campaign(_campaign(req.campaign_path), req)
        account = await asyncio.to_thread(self.store.account, req.account_id)
        if account is None:
            raise StageRefused("the account is not in the store (import it with a launch or plan)")
        if not account.churned_on:
            # A renewal's account never churned before: it left the day the save was lost,
            # which is what the months-since-churn rule counts from.
            account = replace(account, churned_on=req.lost_on)
        now = req.at or datetime.now(UTC)
        as_of = now.astimezone(UTC).date()
        memory = await asyncio.to_thread(pipeline.recall, self.store, campaign.id, as_of=as_of)
        started = await asyncio.to_thread(self.store.started_that_day, campaign.id, as_of)
        the_plan = pipeline.plan(campaign, [account], memory, as_of=as_of)
        [entry] = the_plan.entries
        if not entry.included:
            raise StageRefused("; ".join(entry.reasons))
        [item] = pipeline.items(the_plan, campaign, [account], now=now, started={as_of: started})
        inp = decode_input(item.payload)
        try:
            handle = await start_sequence(self.client, self.task_queue, inp)
        except WorkflowAlreadyStartedError:
            raise StageRefused("a sequence is already running for it") from None
        await asyncio.to_thread(
            self.store.record_started,
            [
                Enrolment(
                    account_id=account.account_id,
                    campaign_id=campaign.id,
                    workflow_id=ids.workflow_id_for(account.account_id),
                    run_id=handle.result_run_id or "",
                    started_on=as_of.isoformat(),
                )
            ],
        )
        return f"{inp.plan.playbook_id} in {campaign.id}, first touch {_day(inp.start_at)}"


def stage_campaign(campaign: Campaign, req: WinbackStartRequest) -> Campaign:
    """The win-back campaign as one stage runs it: under its own campaign id (a stage is not a
    second contact in the same campaign, which the rules refuse), with the stage's playbook for
    every churn reason when it names one, and the offer only when the stage carries it."""
    playbooks = campaign.playbooks
    if req.playbook:
        chosen = next((pb for _, pb in campaign.playbooks if pb.id == req.playbook), None)
        if chosen is None:
            raise StageRefused(f"the win-back campaign {campaign.id} has no playbook {req.playbook}")
        playbooks = tuple((reason, chosen) for reason in (*CHURN_REASONS, "default"))
    stage_id = f"{campaign.id}-{req.step}"
    if not CAMPAIGN_ID_RE.fullmatch(stage_id):
        raise StageRefused(f"campaign id {stage_id} is too long for a stage; shorten {campaign.id}")
    return replace(
        campaign, id=stage_id, playbooks=playbooks, offer=campaign.offer if req.with_offer else None
    )


def _campaign(path: str) -> Campaign:
    if not path:
        raise StageRefused("the save named no win-back campaign (saves launch --winback-campaign)")
    try:
        return load_campaign(Path(path))
    except ConfigError as err:
        raise StageRefused(f"win-back campaign {path}: {err.lines[0]}") from None
    except OSError as err:
        raise StageRefused(f"win-back campaign {path}: {err.strerror or err}") from None


def _day(at: datetime | None) -> str:
    return "at once" if at is None else at.astimezone(UTC).date().isoformat()
