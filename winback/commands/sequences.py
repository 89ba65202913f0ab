"""Watching and steering sequences: `status`, `pause`, `resume`, `cancel`."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

import click
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from contracts import ids
from contracts import search_attributes as sa
from contracts.ids import SEQUENCE_WORKFLOW, launch_workflow_id, workflow_id_for
from contracts.launch import LaunchProgress
from contracts.sequence import ActionResult, SequenceStatus
from winback import settings as settings_mod
from winback.commands.common import EXIT_BAD_INPUT, client_or_fail, fail, open_store, parse_moment, run
from winback.commands.progress import launch_json, progress_line
from workflows.launch import LaunchWorkflow
from workflows.sequence import SequenceWorkflow

SEQUENCES = f"WorkflowType = '{SEQUENCE_WORKFLOW}'"


def handle_for(client: Client, account_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(workflow_id_for(account_id))


async def query_status(client: Client, account_id: str) -> SequenceStatus:
    """The account's sequence's `status`; no such sequence is one line and exit 1."""
    try:
        return await handle_for(client, account_id).query(SequenceWorkflow.status)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            fail(f"no sequence for account {account_id}; `winback status` lists them")
        raise


def status_to_json(status: SequenceStatus) -> dict[str, Any]:
    """`winback status ACCOUNT --json`: the status query's result, times as ISO 8601."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    out: dict[str, Any] = convert(asdict(status))
    return out


def status_lines(status: SequenceStatus) -> list[str]:
    """One sequence in full, as a person reads it."""
    lines = [
        f"account {status.account_id}  campaign {status.campaign_id}  playbook {status.playbook_id}",
        f"tier {status.tier}  owner {status.owner_handle}  state {status.state}",
        f"now: {status.details}",
    ]
    if status.pause_until is not None:
        lines.append(f"paused until: {status.pause_until_local} ({status.pause_until.isoformat()})")
    lines += [f"refused: {line}" for line in status.refused]
    if status.next_action:
        na = status.next_action
        lines.append(f"next: {na.description} at {na.at_local} ({na.at_utc.isoformat()})")
        lines += [f"      deferred {d}" for d in na.deferred]
    if status.open_task:
        task = status.open_task
        lines.append(f"open task: touch {task.touch} {task.channel}, due {task.due_local}")
    for t in status.touches:
        note = f" - {t.note}" if t.note else ""
        # The language the touch was written in; "-" for one that wrote nothing or predates it.
        locale = t.locale or "-"
        lines.append(f"  touch {t.number} {t.channel:<9} {t.status:<15} {locale:<7} {t.at_local}{note}")
        lines += [f"      deferred {d}" for d in t.deferred]
    if status.outcome:
        lines.append(f"outcome: {status.outcome} ({status.outcome_reason})")
    return lines


def sequences_query(campaign_id: str | None) -> str:
    query = SEQUENCES
    if campaign_id:
        query += f" AND {sa.CAMPAIGN.name} = '{campaign_id}'"
    return query


def sequence_row(wf: WorkflowExecution) -> dict[str, Any]:
    """One listed sequence, from its search attributes: a row of `winback status --json`."""
    attrs = wf.typed_search_attributes
    return {
        "account_id": attrs.get(sa.ACCOUNT_ID),
        "campaign": attrs.get(sa.CAMPAIGN),
        "tier": attrs.get(sa.TIER),
        "owner": attrs.get(sa.OWNER),
        "churn_reason": attrs.get(sa.CHURN_REASON),
        "state": attrs.get(sa.STATE),
        "running": wf.status == WorkflowExecutionStatus.RUNNING,
        "workflow_id": wf.id,
    }


@click.command()
@click.argument("account_id", required=False)
@click.option("--campaign", "campaign_id", default=None, help="Only this campaign's sequences.")
@click.option("--json", "as_json", is_flag=True)
def status(account_id: str | None, campaign_id: str | None, as_json: bool) -> None:
    """One sequence in full, or every sequence with its state."""

    async def main() -> None:
        client = await client_or_fail()
        if account_id:
            st = await query_status(client, account_id)
            if as_json:
                click.echo(json.dumps(status_to_json(st), indent=2))
            else:
                click.echo("\n".join(status_lines(st)))
            return
        rows = [sequence_row(wf) async for wf in client.list_workflows(sequences_query(campaign_id))]
        if campaign_id:
            await campaign_status(client, campaign_id, rows, as_json)
            return
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        for r in rows:
            click.echo(
                f"{r['account_id'] or '?':<14} {r['campaign'] or '':<22} {r['tier'] or '':<3} "
                f"{r['owner'] or '':<16} {r['state'] or ''}"
            )
        click.echo(f"{len(rows)} sequences")

    run(main)


def campaign_json(
    campaign_id: str, launch: LaunchProgress | None, outcomes: dict[str, int], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """`winback status --campaign X --json`."""
    return {
        "campaign": campaign_id,
        "launch": None if launch is None else launch_json(launch),
        "outcomes": outcomes,
        "sequences": rows,
    }


def campaign_lines(
    campaign_id: str, launch: LaunchProgress | None, outcomes: dict[str, int], rows: list[dict[str, Any]]
) -> list[str]:
    lines = [f"campaign {campaign_id}"]
    if launch is None:
        lines.append("launch: none found")
    else:
        lines.append(f"launch: {'finished' if launch.done else 'running'}  {progress_line(launch)}")
        lines += [f"  failed {line}" for line in launch.failures]
    lines.append("outcomes: " + ", ".join(f"{name} {count}" for name, count in outcomes.items()))
    lines += [
        f"  {r['account_id'] or '?':<14} {r['tier'] or '':<3} {r['owner'] or '':<16} {r['state'] or ''}"
        for r in rows
    ]
    lines.append(f"{len(rows)} sequences")
    return lines


async def campaign_status(
    client: Client, campaign_id: str, rows: list[dict[str, Any]], as_json: bool
) -> None:
    """The campaign's launch progress and its sequences' outcome counts, then its sequences."""
    launch: LaunchProgress | None = None
    handle = client.get_workflow_handle_for(LaunchWorkflow.run, launch_workflow_id(campaign_id))
    try:
        launch = await handle.query(LaunchWorkflow.progress)
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    store = open_store(settings_mod.load())
    try:
        outcomes = await asyncio.to_thread(store.outcome_counts, campaign_id)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(campaign_json(campaign_id, launch, outcomes, rows), indent=2))
        return
    click.echo("\n".join(campaign_lines(campaign_id, launch, outcomes, rows)))


@click.command()
@click.argument("account_id")
@click.option(
    "--until",
    "until_text",
    default=None,
    help="Date (the start of that day where the customer is) or local time to resume by itself.",
)
@click.option("--reason", default="", help="Why (shown in the UI).")
def pause(account_id: str, until_text: str | None, reason: str) -> None:
    """Pause a sequence; the remaining touches shift by the pause."""
    if until_text:
        # Only the form is checked here; the sequence reads it in the customer's time zone.
        parse_moment(
            until_text, f"--until: {until_text!r} is not an ISO date or moment; write e.g. 2027-04-15"
        )

    async def main() -> None:
        client = await client_or_fail()
        await query_status(client, account_id)
        done = await update_sequence(client, account_id, ids.PAUSE, {"until": until_text, "reason": reason})
        click.echo(f"{account_id}: {done.details}")

    run(main)


@click.command()
@click.argument("account_id")
def resume(account_id: str) -> None:
    """Resume a paused sequence."""

    async def main() -> None:
        client = await client_or_fail()
        await query_status(client, account_id)
        done = await update_sequence(client, account_id, ids.RESUME, {})
        click.echo(f"{account_id}: {done.details}")

    run(main)


async def update_sequence(
    client: Client, account_id: str, name: str, payload: dict[str, Any]
) -> ActionResult:
    """One of the sequence's validated Updates; a refusal is its one line and exit 2."""
    # An ended sequence takes no action: its status says how it ended.
    ended = f"the sequence of {account_id} has ended; `winback status {account_id}`"
    return await update_workflow(handle_for(client, account_id), name, payload, ended=ended)


async def update_workflow(
    handle: WorkflowHandle[Any, Any], name: str, payload: dict[str, Any], *, ended: str
) -> ActionResult:
    """One of a workflow's validated Updates (a sequence's or a save's); a refusal is its one
    line and exit 2, and so is a workflow that has ended or never ran (`ended` says what then)."""
    try:
        done: ActionResult = await handle.execute_update(name, payload, result_type=ActionResult)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        fail(cause.message if isinstance(cause, ApplicationError) else str(cause or err), EXIT_BAD_INPUT)
    except RPCError as err:
        if err.status not in (RPCStatusCode.FAILED_PRECONDITION, RPCStatusCode.NOT_FOUND):
            raise
        fail(f"{name} refused: {ended}", EXIT_BAD_INPUT)
    return done


@click.command()
@click.argument("account_id")
def cancel(account_id: str) -> None:
    """Cancel a sequence; it ends gracefully with outcome `cancelled`."""

    async def main() -> None:
        client = await client_or_fail()
        await query_status(client, account_id)
        await handle_for(client, account_id).cancel()
        click.echo(f"cancel requested for {account_id}")

    run(main)


COMMANDS = (status, pause, resume, cancel)
