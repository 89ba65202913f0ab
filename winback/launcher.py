"""From a validated account and campaign to a running sequence."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from campaigns.model import (
    Account,
    AccountRef,
    Campaign,
    Contacts,
    SequencePlan,
    TriggerEvidence,
)
from workflows import search_attributes as sa
from workflows.contracts import STATE_SCHEDULED, SequenceInput, SequenceResult
from workflows.sequence import SequenceWorkflow, workflow_id_for


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
        ),
        f"{tier} {playbook.id}: {len(touches)} touches",
    )


@dataclass
class LaunchReport:
    started: list[str] = field(default_factory=list)
    already_running: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


async def start_sequence(
    client: Client, task_queue: str, inp: SequenceInput
) -> WorkflowHandle[SequenceWorkflow, SequenceResult]:
    """Start one sequence. Keep the returned handle: on the time-skipping server only the
    handle start_workflow returns skips time while its result is awaited."""
    acc = inp.account
    return await client.start_workflow(
        SequenceWorkflow.run,
        inp,
        id=workflow_id_for(acc.account_id),
        task_queue=task_queue,
        # One running sequence per account, enforced by Temporal rather than our bookkeeping.
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        search_attributes=sa.for_sequence(
            campaign_id=inp.campaign_id,
            account_id=acc.account_id,
            tier=acc.tier,
            owner_handle=acc.owner_handle,
            churn_reason=acc.churn_reason,
            state=STATE_SCHEDULED,
        ),
        static_summary=f"{inp.campaign_id}: {inp.plan.playbook_id} for {acc.account_id} ({acc.tier})",
    )


async def start_all(
    client: Client, task_queue: str, inputs: Iterable[SequenceInput], concurrency: int = 50
) -> LaunchReport:
    report = LaunchReport()
    gate = asyncio.Semaphore(concurrency)

    async def one(inp: SequenceInput) -> None:
        account_id = inp.account.account_id
        async with gate:
            try:
                await start_sequence(client, task_queue, inp)
            except WorkflowAlreadyStartedError:
                report.already_running.append(account_id)
            except Exception as err:  # reported per account; the others still start
                report.failed.append((account_id, f"{type(err).__name__}: {err}"))
            else:
                report.started.append(account_id)

    await asyncio.gather(*(one(inp) for inp in inputs))
    return report


def select(accounts: Sequence[Account], only: Sequence[str]) -> tuple[list[Account], list[str]]:
    """Accounts named by --only, in file order, and the ids that matched nothing."""
    if not only:
        return list(accounts), []
    wanted = set(only)
    chosen = [a for a in accounts if a.account_id in wanted]
    missing = sorted(wanted - {a.account_id for a in chosen})
    return chosen, missing
