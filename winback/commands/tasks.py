"""Manual tasks (LinkedIn, call, executive) for the account owners, and the open tasks of saves:
`tasks`, `task done`.

`winback tasks` reads every sequence's open task from one visibility list: a sequence shows its
open task in its memo (OPEN_TASK_MEMO) and who it is for in its search attributes. Only a
sequence that opened its task before the memo existed is asked for its `status`.

A save's tasks come from a second list, of the running saves with work open (state working or
paused), each asked for its `status`: a save has several tasks open at once, for several people
(the CSM, a manager, an executive), so neither one memo entry nor its owner search attribute
names them. Saves are few (one per at-risk renewal), so a query each is cheap; a memo of them
would need a patch in SaveWorkflow and still the query for saves started before it. `--owner`
picks a save's tasks by each task's owner. `task done` reports a sequence's task; a save's is
closed by the Update its row's `text` shows.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import click
from temporalio.client import Client, WorkflowExecution
from temporalio.service import RPCError, RPCStatusCode

from campaigns.model import owner_handle
from contracts import ids
from contracts import search_attributes as sa
from contracts.ids import OPEN_TASK_MEMO
from contracts.saves import STATE_PAUSED, STATE_WORKING, TASK_OPEN, SaveStatus, TaskView
from contracts.sequence import STATE_TASK_OPEN, TASK_OUTCOMES, OpenTask, SequenceStatus
from winback.commands.common import client_or_fail, fail, run
from winback.commands.sequences import SEQUENCES, query_status, update_sequence, update_workflow
from workflows import save_text
from workflows.save import SaveWorkflow
from workflows.sequence import SequenceWorkflow

# Running saves that may have a task open: not those waiting only for the outcome.
SAVES_WITH_WORK = (
    f"WorkflowType = '{ids.SAVE_WORKFLOW}' AND ExecutionStatus = 'Running' "
    f"AND {sa.STATE.name} IN ('{STATE_WORKING}', '{STATE_PAUSED}')"
)
# How long a save's status query may take: with no worker to answer, it would wait much longer.
SAVE_QUERY_TIMEOUT = timedelta(seconds=10)


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


def save_task_json(st: SaveStatus, task: TaskView) -> dict[str, Any]:
    """One open task of a save as a row of `winback tasks --json`: the keys of a sequence's, with
    the task's number as `touch`, its id as `template` and how to report it done as `text`."""
    return {
        "account_id": st.account_id,
        "campaign_id": st.campaign_id,
        "owner": task.owner,
        "touch": task.number,
        "channel": save_text.task_channel(task.kind),
        "template": task.task_id,
        "due_utc": task.due_utc.isoformat() if task.due_utc else "",
        "due_local": task.due_local,
        "subject": save_text.subject_for(st.account_id, task.title),
        "text": save_text.report_back_for(st.account_id, task.task_id),
    }


async def save_tasks(client: Client, workflow_id: str, owner: str | None) -> list[dict[str, Any]]:
    """The open tasks of a running save (of one owner, or everyone's), from its `status` query."""
    try:
        st: SaveStatus = await client.get_workflow_handle(workflow_id).query(
            SaveWorkflow.status, rpc_timeout=SAVE_QUERY_TIMEOUT
        )
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:  # not just gone: say whose tasks are missing
            click.echo(
                f"{workflow_id}: no answer to its status ({err.message}); its tasks are not listed", err=True
            )
        return []
    handle = None if owner is None else owner_handle(owner)
    return [
        save_task_json(st, t)
        for t in st.tasks
        if t.state == TASK_OPEN and (handle is None or t.owner == handle)
    ]


async def open_tasks(client: Client, owner: str | None) -> list[dict[str, Any]]:
    """Every open task of sequences and saves, soonest due first."""
    found: list[dict[str, Any]] = []
    async for wf in client.list_workflows(tasks_query(owner)):
        row = await listed_task(wf) or await queried_task(client, wf.id)
        if row is not None:
            found.append(row)
    async for wf in client.list_workflows(SAVES_WITH_WORK):
        found += await save_tasks(client, wf.id, owner)
    found.sort(key=lambda t: t["due_utc"])
    return found


def task_lines(tasks: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{t['account_id']:<14} {_which(t)} {t['channel']:<9} due {t['due_local']}  owner {t['owner']}"
        for t in tasks
    ]
    return [*lines, f"{len(tasks)} open tasks"]


def _which(row: dict[str, Any]) -> str:
    """A sequence's touch by number, a save's task by its id."""
    if str(row["channel"]).startswith("save-"):
        return f"task {row['template']}"
    return f"touch {row['touch']}"


@click.command()
@click.option("--owner", default=None, help="The CSM's email (or handle).")
@click.option("--json", "as_json", is_flag=True)
def tasks(owner: str | None, as_json: bool) -> None:
    """Open manual tasks (LinkedIn, call, executive) and save tasks, soonest due first."""

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
@click.option(
    "--task",
    "task_id",
    default=None,
    metavar="ID",
    help="A save's task by its id (`winback tasks` shows it, e.g. issue-1); without it, the "
    "sequence's open task.",
)
@click.option(
    "--outcome",
    type=click.Choice(TASK_OUTCOMES),
    default="done",
    show_default=True,
    help="A save's task takes done or skipped (no_answer: the call was made, so done).",
)
@click.option("--note", default="")
def task_done(account_id: str, task_id: str | None, outcome: str, note: str) -> None:
    """Report the account's open task (a sequence's, or with --task a save's) as done, skipped or
    no answer."""

    async def main() -> None:
        client = await client_or_fail()
        if task_id is not None:
            # The save's Update, so its validator's refusal (an unknown or closed task, an
            # outcome a save does not take) is one line here.
            handle = client.get_workflow_handle(ids.save_workflow_id(account_id))
            ended = f"no save of {account_id} is running; `winback tasks` lists the open tasks"
            payload = {"task": task_id, "outcome": outcome, "note": note}
            done = await update_workflow(handle, ids.COMPLETE_TASK, payload, ended=ended)
            # A save records a call nobody answered as done: say what it holds now.
            click.echo(f"task {task_id} of the save of {account_id} reported; the save: {done.details}")
            return
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
