"""A save's side effects beyond the task board (which it shares with sequences), and starting
saves: one SaveWorkflow per account at risk, by type name."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from activities.failures import classified
from activities.store import Store
from campaigns.approvers import Approvers
from campaigns.model import AccountRef
from campaigns.renewals import Renewal
from campaigns.save_playbook import save_tasks
from campaigns.save_watch import WatchedRenewal
from campaigns.triage import SaveEntry
from contracts import ids
from contracts import search_attributes as sa
from contracts.intent import INTENT, IntentNotice
from contracts.saves import (
    STATE_WORKING,
    Approver,
    SaveInput,
    SaveOutcomeReceipt,
    SaveOutcomeRecord,
    SaveResult,
)


class SaveActivities:
    def __init__(self, store: Store) -> None:
        self.store = store

    @activity.defn
    async def record_save_outcome(self, rec: SaveOutcomeRecord) -> SaveOutcomeReceipt:
        with classified(f"account {rec.account_id}, save outcome {rec.outcome} not recorded"):
            recorded = await asyncio.to_thread(self.store.record_save_outcome, rec)
        activity.logger.info("save %s of %s ended: %s", rec.workflow_id, rec.campaign_id, rec.outcome)
        return SaveOutcomeReceipt(recorded=recorded)


def save_input(renewal: Renewal, entry: SaveEntry, approvers: Approvers, *, campaign_id: str) -> SaveInput:
    """The save of one included row of a saves plan: its tasks, owners and approvers."""
    acc = renewal.account
    if not entry.included or entry.effort is None or entry.mode is None or renewal.factors is None:
        raise ValueError(f"{acc.account_id} is not included in the saves plan: {'; '.join(entry.reasons)}")
    # Handles only: a save carries no contact, and its tasks name people by handle.
    owners = {"csm": acc.owner_handle, "manager": approvers.manager, "executive": approvers.executive}
    tasks = save_tasks(
        effort=entry.effort,
        mode=entry.mode,
        flags=entry.flags,
        root_cause=renewal.factors.root_cause,
        escalates=entry.executive_escalation,
        owners=owners,
    )
    ref = AccountRef(
        account_id=acc.account_id,
        company=acc.company,
        domain=acc.domain,
        country=acc.country,
        timezone=acc.timezone,
        tier=acc.tier or "-",  # under 1,000 ARR: no tier, and the save is still worth a task
        churn_reason=acc.churn_reason,
        churn_detail=acc.churn_detail,
        competitor=acc.competitor,
        owner=acc.owner,
        locale=acc.locale,
    )
    return SaveInput(
        account=ref,
        renewal_on=renewal.renewal_on,
        decision=entry,
        root_cause=renewal.factors.root_cause,
        tasks=tasks,
        approvers=tuple(Approver(handle, role) for handle, role in approvers.roles),
        campaign_id=campaign_id,
    )


def watched_input(watched: WatchedRenewal, entry: SaveEntry) -> SaveInput:
    """The save of a launch's row as judged on some day (campaigns/save_watch.py): what
    `saves launch` starts, and what a cancel intent starts later from the stored row."""
    return replace(
        save_input(watched.renewal, entry, watched.approvers, campaign_id=watched.campaign_id),
        winback_campaign=watched.winback_campaign,
        monitor_months=watched.monitor_months,
    )


async def start_save(
    client: Client, task_queue: str, inp: SaveInput, *, intent: IntentNotice | None = None
) -> WorkflowHandle[Any, SaveResult]:
    """Start one save by its type name; WorkflowAlreadyStartedError when the account has one.

    With `intent`, the start carries the cancel intent that prompted it as the `intent` signal
    (signal-with-start): one call, so a save started meanwhile by someone else hears the intent
    instead of raising, and the new save hears it in its first workflow task."""
    return await client.start_workflow(
        ids.SAVE_WORKFLOW,
        inp,
        id=ids.save_workflow_id(inp.account.account_id),
        task_queue=task_queue,
        result_type=SaveResult,
        # One running save per account, enforced by Temporal rather than our bookkeeping; a
        # signal-with-start joins the running one (Temporal allows no other policy for it).
        id_conflict_policy=(
            WorkflowIDConflictPolicy.FAIL if intent is None else WorkflowIDConflictPolicy.USE_EXISTING
        ),
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        search_attributes=sa.for_save(inp.account, campaign_id=inp.campaign_id, state=STATE_WORKING),
        static_summary=save_summary(inp),
        start_signal=INTENT if intent is not None else None,
        start_signal_args=[intent] if intent is not None else [],
    )


def save_summary(inp: SaveInput) -> str:
    """What the UI's list shows first: 'Save · ACC-1001 · high value · full effort · renewal
    2027-05-01' (ids and labels only, never a person)."""
    d = inp.decision
    parts = ["Save", inp.account.account_id, f"{d.value} value", f"{d.effort} effort"]
    if d.executive_escalation:
        parts.append("executive escalation")
    parts.append(f"renewal {inp.renewal_on}")
    return " · ".join(parts)[:200]
