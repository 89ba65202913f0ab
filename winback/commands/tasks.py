"""Manual tasks (LinkedIn, call, executive) for the account owners: `tasks`, `task done`.

`winback tasks` reads every open task from one visibility list: a sequence shows its open
task in its memo (OPEN_TASK_MEMO) and who it is for in its search attributes. Only a sequence
that opened its task before the memo existed is asked for its `status`.
"""

from __future__ import annotations

import json
from typing import Any

import click
from temporalio.client import Client, WorkflowExecution
from temporalio.service import RPCError

from campaigns.model import owner_handle
from contracts import ids
from contracts import search_attributes as sa
from contracts.ids import OPEN_TASK_MEMO
from contracts.sequence import STATE_TASK_OPEN, TASK_OUTCOMES, OpenTask, SequenceStatus
from winback.commands.common import client_or_fail, fail, run
from winback.commands.sequences import SEQUENCES, query_status, update_sequence
from workflows.sequence import SequenceWorkflow


def tasks_query(owner: str | None) -> str:
    """Sequences waiting on a manual task, of one owner (an email or a handle) or everyone's."""
    query = f"{SEQUENCES} AND {sa.STATE.name} = '{STATE_TASK_OPEN}'"
    if owner:
        query += f" AND {sa.OWNER.name} = '{owner_handle(owner)}'"
    return query


def task_json(account_id: str, campaign_id: str, owner: str, task: OpenTask) -> dict[str, Any]:
    """One row of `winback tasks --json`."""
    return {
        "account_id": account_id,
        "campaign_id": campaign_id,
        "owner": owner,
        "touch": task.touch,
        "channel": task.channel,
        "template": task.template,
        "due_utc": task.due_utc.isoformat(),
        "due_local": task.due_local,
        "subject": task.subject,
        "text": task.text,
    }


async def listed_task(wf: WorkflowExecution) -> dict[str, Any] | None:
    """The open task of a listed sequence, from its memo and search attributes."""
    task: OpenTask | None = await wf.memo_value(OPEN_TASK_MEMO, None, type_hint=OpenTask)
    if task is None:
        return None
    attrs = wf.typed_search_attributes
    return task_json(
        attrs.get(sa.ACCOUNT_ID) or "", attrs.get(sa.CAMPAIGN) or "", attrs.get(sa.OWNER) or "", task
    )


async def queried_task(client: Client, workflow_id: str) -> dict[str, Any] | None:
    """The open task of a sequence that has no memo of it (it opened the task before the memo
    existed), from its `status` query."""
    try:
        st: SequenceStatus = await client.get_workflow_handle(workflow_id).query(SequenceWorkflow.status)
    except RPCError:
        return None  # ended between the list and the query
    if st.open_task is None:
        return None
    return task_json(st.account_id, st.campaign_id, st.owner_handle, st.open_task)


async def open_tasks(client: Client, owner: str | None) -> list[dict[str, Any]]:
    """Every open task, soonest due first."""
    found: list[dict[str, Any]] = []
    async for wf in client.list_workflows(tasks_query(owner)):
        row = await listed_task(wf) or await queried_task(client, wf.id)
        if row is not None:
            found.append(row)
    found.sort(key=lambda t: t["due_utc"])
    return found


def task_lines(tasks: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{t['account_id']:<14} touch {t['touch']} {t['channel']:<9} due {t['due_local']}  owner {t['owner']}"
        for t in tasks
    ]
    return [*lines, f"{len(tasks)} open tasks"]


@click.command()
@click.option("--owner", default=None, help="The CSM's email (or handle).")
@click.option("--json", "as_json", is_flag=True)
def tasks(owner: str | None, as_json: bool) -> None:
    """Open manual tasks (LinkedIn, call, executive), soonest due first."""

    async def main() -> None:
        client = await client_or_fail()
        found = await open_tasks(client, owner)
        if as_json:
            click.echo(json.dumps(found, indent=2))
            return
        click.echo("\n".join(task_lines(found)))

    run(main)


@click.group()
def task() -> None:
    """Report on a manual task."""


@task.command("done")
@click.argument("account_id")
@click.option("--outcome", type=click.Choice(TASK_OUTCOMES), default="done", show_default=True)
@click.option("--note", default="")
def task_done(account_id: str, outcome: str, note: str) -> None:
    """Report the account's open task as done, skipped or no answer."""

    async def main() -> None:
        client = await client_or_fail()
        st = await query_status(client, account_id)
        if st.open_task is None:
            fail(f"account {account_id} has no open task (state {st.state}); `winback tasks` lists them")
        touch = st.open_task.touch
        # The Update, not the signal: a task that closed meanwhile is refused, not ignored.
        await update_sequence(
            client, account_id, ids.COMPLETE_TASK, {"outcome": outcome, "note": note, "touch": touch}
        )
        click.echo(f"touch {touch} of {account_id}: {outcome}")

    run(main)


COMMANDS = (tasks, task)
