"""From a validated account and campaign to a running sequence, one at a time or as a launch."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.launch import encode_input
from activities.store import ImportResult, LaunchItem, Store
from campaigns.accounts import AccountsFile
from campaigns.model import (
    Account,
    AccountRef,
    Campaign,
    Contacts,
    SequencePlan,
    TriggerEvidence,
)
from campaigns.plan import Plan, build_plan, launch_order
from campaigns.stagger import stagger
from workflows import search_attributes as sa
from workflows.contracts import LaunchInput, LaunchProgress, SequenceInput
from workflows.launch import LaunchWorkflow, launch_workflow_id


@dataclass(frozen=True)
class Decision:
    account_id: str
    input: SequenceInput | None
    reason: str  # why it starts (playbook) or why it does not


def decide(
    account: Account,
    campaign: Campaign,
    *,
    trigger: TriggerEvidence | None = None,
    start_at: datetime | None = None,
) -> Decision:
    """Whether this account gets a sequence in this campaign, and the sequence's input."""
    tier = account.tier
    if tier is None:
        return Decision(account.account_id, None, f"ARR {account.arr:g} is below 1000: no tier")
    if account.churn_reason == "structural":
        # Company closed, acquired onto another tool, team gone: nobody to win back.
        return Decision(account.account_id, None, "structural churn: never contacted")
    playbook = campaign.playbook_for(account.churn_reason)
    if playbook is None:
        return Decision(
            account.account_id,
            None,
            f"campaign {campaign.id} has no playbook for {account.churn_reason} and no default",
        )
    touches = playbook.for_tier(tier)
    ref = AccountRef(
        account_id=account.account_id,
        company=account.company,
        domain=account.domain,
        country=account.country,
        timezone=account.timezone,
        tier=tier,
        churn_reason=account.churn_reason,
        churn_detail=account.churn_detail,
        competitor=account.competitor,
        owner=account.owner,
        locale=account.locale,
        churned_on=account.churned_on,
    )
    return Decision(
        account.account_id,
        SequenceInput(
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
        ),
        f"{tier} {playbook.id}: {len(touches)} touches",
    )


def select(accounts: Sequence[Account], only: Sequence[str]) -> tuple[list[Account], list[str]]:
    """Accounts named by --only, in file order, and the ids that matched nothing."""
    if not only:
        return list(accounts), []
    wanted = set(only)
    chosen = [a for a in accounts if a.account_id in wanted]
    missing = sorted(wanted - {a.account_id for a in chosen})
    return chosen, missing


# --- launches ---------------------------------------------------------------------------------


def launch_items(
    plan: Plan, campaign: Campaign, accounts: Sequence[Account], *, now: datetime
) -> list[LaunchItem]:
    """The plan's included accounts, best first, each with its staggered start and its
    sequence's input: everything the LaunchWorkflow needs, decided before it starts."""
    by_id = {a.account_id: a for a in accounts}
    order = [e for e in launch_order(plan) if e.account_id in by_id]
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
    )
    items: list[LaunchItem] = []
    for slot in slots:
        decision = decide(by_id[slot.account_id], campaign, start_at=slot.start_at)
        if decision.input is None:  # eligibility and decide() agree; this guards a drift
            continue
        items.append(
            LaunchItem(
                position=len(items),
                account_id=slot.account_id,
                start_at=slot.start_at,
                payload=encode_input(decision.input),
            )
        )
    return items


@dataclass(frozen=True)
class StartedLaunch:
    launch_id: str  # the store's key for its items
    handle: WorkflowHandle[LaunchWorkflow, LaunchProgress]


class LaunchRunning(Exception):
    """A launch of this campaign is still going; a second one would race it."""


async def running_launch(
    client: Client, campaign_id: str
) -> WorkflowHandle[LaunchWorkflow, LaunchProgress] | None:
    handle = client.get_workflow_handle_for(LaunchWorkflow.run, launch_workflow_id(campaign_id))
    try:
        desc = await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return handle if desc.status == WorkflowExecutionStatus.RUNNING else None


async def start_launch(
    client: Client,
    task_queue: str,
    store: Store,
    campaign_id: str,
    items: Sequence[LaunchItem],
    *,
    now: datetime,
    batch_size: int = 100,
) -> StartedLaunch:
    """Write the launch's items to the store, then start the LaunchWorkflow that walks them."""
    if await running_launch(client, campaign_id) is not None:
        raise LaunchRunning(campaign_id)
    launch_id = f"{campaign_id}@{now.strftime('%Y%m%dT%H%M%S.%fZ')}"
    await asyncio.to_thread(store.create_launch, launch_id, campaign_id, items, created_at=now)
    try:
        handle = await client.start_workflow(
            LaunchWorkflow.run,
            LaunchInput(
                launch_id=launch_id, campaign_id=campaign_id, total=len(items), batch_size=batch_size
            ),
            id=launch_workflow_id(campaign_id),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            search_attributes=TypedSearchAttributes([SearchAttributePair(sa.CAMPAIGN, campaign_id)]),
            static_summary=f"launch of {campaign_id}: {len(items)} accounts",
        )
    except WorkflowAlreadyStartedError as err:
        raise LaunchRunning(campaign_id) from err
    return StartedLaunch(launch_id=launch_id, handle=handle)


@dataclass(frozen=True)
class LaunchRun:
    """What `run_launch` did: the import, the plan and its items, and the launch it started."""

    imported: ImportResult
    plan: Plan
    items: list[LaunchItem]
    started: StartedLaunch | None  # None when there was nothing to start or a launch was running
    running: bool = False  # a launch of the campaign was still going: nothing was started

    @property
    def not_included(self) -> int:
        return len(self.plan.entries) - len(self.items)


async def run_launch(
    client: Client,
    task_queue: str,
    store: Store,
    campaign: Campaign,
    accounts_file: AccountsFile,
    chosen: Sequence[Account],
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> LaunchRun:
    """A launch from validated inputs: import every valid account of the file into the store,
    plan the chosen ones against what the store knows (preferences, running sequences), stagger
    the included ones into launch items and start the LaunchWorkflow that walks them."""
    now = now or datetime.now(UTC)
    today = today or date.today()
    imported = await asyncio.to_thread(store.import_accounts, accounts_file.accounts, now=now)
    plan = build_plan(
        chosen,
        campaign,
        as_of=today,
        preferences=store.preferences(as_of=today),
        enrolments=store.enrolments_for_plan(campaign.id),
        skipped=accounts_file.invalid_rows,
    )
    items = launch_items(plan, campaign, chosen, now=now)
    if not items:
        return LaunchRun(imported, plan, items, started=None)
    try:
        started = await start_launch(client, task_queue, store, campaign.id, items, now=now)
    except LaunchRunning:
        return LaunchRun(imported, plan, items, started=None, running=True)
    return LaunchRun(imported, plan, items, started=started)
