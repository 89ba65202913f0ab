"""The one start path: import -> plan -> order -> stagger -> persist -> start.

`winback launch` runs every stage; `winback simulate` runs recall, plan and items and starts
the items on the time-skipping server; signal watchers and at-risk intake call the same
stages for the accounts a signal names, so every rule, cool-off and daily cap applies to them
too. The plan decides who is contacted and with which playbook; nothing after it decides
again (docs/ARCHITECTURE.md, "The flow").
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.store import ImportResult, LaunchItem, Store
from campaigns.eligibility import PlanEntry
from campaigns.model import (
    Account,
    AccountRef,
    Campaign,
    Contacts,
    Enrolment,
    Preference,
    SequencePlan,
    TriggerEvidence,
)
from campaigns.plan import Plan, build_plan, launch_order
from campaigns.stagger import stagger
from campaigns.triggers import LIVE_COMPETITOR_DAYS
from contracts import ids
from contracts import search_attributes as sa
from contracts.codec import encode_input
from contracts.launch import LaunchInput, LaunchProgress
from contracts.sequence import SequenceInput

__all__ = [
    "LaunchRunning",
    "Memory",
    "Prepared",
    "StartedLaunch",
    "items",
    "plan",
    "prepare",
    "recall",
    "running_launch",
    "select",
    "sequence_input",
    "start",
]


@dataclass(frozen=True)
class Memory:
    """What the store remembers that the rules need: what people told us, who is enrolled."""

    preferences: tuple[Preference, ...] = ()
    enrolments: tuple[Enrolment, ...] = ()
    # Competitors (casefolded) with a price rise, acquisition or outage a watcher saw lately,
    # each with the story the plan names (campaigns.triggers.LIVE_COMPETITOR_DAYS).
    competitor_stories: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Prepared:
    """Everything a launch will do, decided before anything starts."""

    plan: Plan
    items: tuple[LaunchItem, ...]
    imported: ImportResult


@dataclass(frozen=True)
class StartedLaunch:
    launch_id: str  # the store's key for its items
    handle: WorkflowHandle[Any, LaunchProgress]


class LaunchRunning(Exception):
    """A launch of this campaign is still going; a second one would race it."""


# --- stages ------------------------------------------------------------------------------------


def select(accounts: Sequence[Account], only: Sequence[str]) -> tuple[list[Account], list[str]]:
    """Accounts named by --only, in file order, and the ids that matched nothing."""
    if not only:
        return list(accounts), []
    wanted = set(only)
    chosen = [a for a in accounts if a.account_id in wanted]
    missing = sorted(wanted - {a.account_id for a in chosen})
    return chosen, missing


def recall(store: Store, campaign_id: str, *, as_of: date) -> Memory:
    return Memory(
        preferences=tuple(store.preferences(as_of=as_of)),
        enrolments=tuple(store.enrolments_for_plan(campaign_id)),
        competitor_stories=tuple(
            sorted(store.competitor_stories(as_of=as_of, days=LIVE_COMPETITOR_DAYS).items())
        ),
    )


def plan(
    campaign: Campaign,
    accounts: Sequence[Account],
    memory: Memory,
    *,
    as_of: date,
    skipped: Sequence[tuple[str, str]] = (),
) -> Plan:
    return build_plan(
        accounts,
        campaign,
        as_of=as_of,
        preferences=memory.preferences,
        enrolments=memory.enrolments,
        skipped=skipped,
        competitor_stories=dict(memory.competitor_stories),
    )


def sequence_input(
    entry: PlanEntry,
    account: Account,
    campaign: Campaign,
    *,
    start_at: datetime | None = None,
    trigger: TriggerEvidence | None = None,
) -> SequenceInput:
    """The sequence an included plan entry runs: its tier, its playbook, the campaign's rules."""
    if not entry.included or entry.tier is None or entry.playbook is None:
        raise ValueError(f"{entry.account_id} is not included in the plan: {'; '.join(entry.reasons)}")
    playbook = next(pb for _, pb in campaign.playbooks if pb.id == entry.playbook)
    touches = playbook.for_tier(entry.tier)
    ref = AccountRef(
        account_id=account.account_id,
        company=account.company,
        domain=account.domain,
        country=account.country,
        timezone=account.timezone,
        tier=entry.tier,
        churn_reason=account.churn_reason,
        churn_detail=account.churn_detail,
        competitor=account.competitor,
        owner=account.owner,
        locale=account.locale,
        churned_on=account.churned_on,
        currency=account.currency,
        owner_locale=account.owner_locale,
    )
    return SequenceInput(
        account=ref,
        contacts=Contacts(primary=account.contact, executive=account.executive),
        plan=SequencePlan(playbook_id=playbook.id, playbook_name=playbook.name, touches=touches),
        campaign_id=campaign.id,
        schedule=campaign.schedule,
        sender=campaign.sender,
        offer=campaign.offer,
        trigger=trigger,
        start_at=start_at,
        cool_off=campaign.cool_off,
    )


def items(
    the_plan: Plan,
    campaign: Campaign,
    accounts: Sequence[Account],
    *,
    now: datetime,
    evidence: Mapping[str, TriggerEvidence] | None = None,
    started: Mapping[date, int] | None = None,
) -> list[LaunchItem]:
    """The plan's included entries, best first, each with its staggered start and its
    sequence's input: everything the LaunchWorkflow needs. `evidence`: why a watcher starts
    each account's sequence (by account id); `started`: sequences the campaign's sender already
    started per day, which count against its daily cap."""
    evidence = evidence or {}
    by_id = {a.account_id: a for a in accounts}
    order = [e for e in launch_order(the_plan) if e.account_id in by_id]
    entries = {e.account_id: e for e in order}
    slots = stagger(
        [
            (
                e.account_id,
                by_id[e.account_id].country,
                by_id[e.account_id].timezone,
                date.fromisoformat(e.earliest_start or now.date().isoformat()),
            )
            for e in order
        ],
        campaign.schedule,
        daily_cap=campaign.daily_cap,
        now=now,
        started=started,
    )
    return [
        LaunchItem(
            position=position,
            account_id=slot.account_id,
            start_at=slot.start_at,
            payload=encode_input(
                sequence_input(
                    entries[slot.account_id],
                    by_id[slot.account_id],
                    campaign,
                    start_at=slot.start_at,
                    trigger=evidence.get(slot.account_id),
                )
            ),
        )
        for position, slot in enumerate(slots)
    ]


def prepare(
    store: Store,
    campaign: Campaign,
    accounts: Sequence[Account],
    *,
    imported_accounts: Sequence[Account] | None = None,
    now: datetime,
    as_of: date,
    skipped: Sequence[tuple[str, str]] = (),
) -> Prepared:
    """Import, recall, plan, order and stagger. `imported_accounts` (default: `accounts`) go
    into the store; a launch limited with --only still imports the whole file."""
    imported = store.import_accounts(accounts if imported_accounts is None else imported_accounts, now=now)
    the_plan = plan(campaign, accounts, recall(store, campaign.id, as_of=as_of), as_of=as_of, skipped=skipped)
    return Prepared(
        plan=the_plan,
        items=tuple(items(the_plan, campaign, accounts, now=now)),
        imported=imported,
    )


async def running_launch(client: Client, campaign_id: str) -> WorkflowHandle[Any, LaunchProgress] | None:
    handle = client.get_workflow_handle(ids.launch_workflow_id(campaign_id), result_type=LaunchProgress)
    try:
        desc = await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return handle if desc.status == WorkflowExecutionStatus.RUNNING else None


async def start(
    client: Client,
    task_queue: str,
    store: Store,
    campaign_id: str,
    launch_items: Sequence[LaunchItem],
    *,
    now: datetime,
    batch_size: int = 100,
) -> StartedLaunch:
    """Persist the launch's items, then start the LaunchWorkflow that walks them."""
    if await running_launch(client, campaign_id) is not None:
        raise LaunchRunning(campaign_id)
    launch_id = f"{campaign_id}@{now.strftime('%Y%m%dT%H%M%S.%fZ')}"
    await asyncio.to_thread(store.create_launch, launch_id, campaign_id, launch_items, created_at=now)
    try:
        handle = await client.start_workflow(
            ids.LAUNCH_WORKFLOW,
            LaunchInput(
                launch_id=launch_id, campaign_id=campaign_id, total=len(launch_items), batch_size=batch_size
            ),
            id=ids.launch_workflow_id(campaign_id),
            task_queue=task_queue,
            result_type=LaunchProgress,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            search_attributes=sa.for_launch(campaign_id),
            static_summary=f"launch of {campaign_id}: {len(launch_items)} accounts",
        )
    except WorkflowAlreadyStartedError as err:
        raise LaunchRunning(campaign_id) from err
    return StartedLaunch(launch_id=launch_id, handle=handle)
