"""Manual tasks (LinkedIn, call, executive) for the account owners, and the open tasks of saves
and of their follow-ups: `tasks`, `task done`.

`winback tasks` reads every sequence's open task from one visibility list: a sequence shows its
open task in its memo (OPEN_TASK_MEMO) and who it is for in its search attributes. Only a
sequence that opened its task before the memo existed is asked for its `status`.

A save's tasks come from a second list, of the running saves with work open (state working or
paused), each asked for its `status`: a save has several tasks open at once, for several people
(the CSM, a manager, an executive), so neither one memo entry nor its owner search attribute
names them. Saves are few (one per at-risk renewal), so a query each is cheap; a memo of them
would need a patch in SaveWorkflow and still the query for saves started before it. `--owner`
picks a save's tasks by each task's owner. A save's follow-up (SaveFollowUpWorkflow: health
checks, promises, the renewal check, a lost account's exit tasks) is listed the same way, from a
third list of the running follow-ups, each asked for its `status`.

`task done` reports a sequence's task; with `--task` a save's or its follow-up's: whichever of
the two running for the account has that task open (both asked for their status), through its
`complete_task` Update, the command its row's `text` shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import click
from temporalio.client import Client, WorkflowExecution, WorkflowQueryRejectedError
from temporalio.common import QueryRejectCondition
from temporalio.service import RPCError, RPCStatusCode

from campaigns.model import owner_handle
from contracts import ids
from contracts import search_attributes as sa
from contracts.ids import OPEN_TASK_MEMO
from contracts.save_followup import OPEN, RENEWAL_RESULTS, FollowUpStatus, FollowUpTask
from contracts.saves import STATE_PAUSED, STATE_WORKING, TASK_OPEN, SaveStatus, TaskView
from contracts.sequence import STATE_TASK_OPEN, TASK_OUTCOMES, OpenTask, SequenceStatus
from winback.commands.common import EXIT_BAD_INPUT, client_or_fail, fail, run
from winback.commands.sequences import SEQUENCES, query_status, update_sequence, update_workflow
from workflows import save_followup_text, save_text
from workflows.save import SaveWorkflow
from workflows.save_followup import SaveFollowUpWorkflow
from workflows.sequence import SequenceWorkflow

# Running saves that may have a task open: not those waiting only for the outcome.
SAVES_WITH_WORK = (
    f"WorkflowType = '{ids.SAVE_WORKFLOW}' AND ExecutionStatus = 'Running' "
    f"AND {sa.STATE.name} IN ('{STATE_WORKING}', '{STATE_PAUSED}')"
)
# Running follow-ups: they set no state attribute, and a running one usually has a task open.
FOLLOW_UPS_RUNNING = f"WorkflowType = '{ids.SAVE_FOLLOW_UP_WORKFLOW}' AND ExecutionStatus = 'Running'"
# How long a save's (or a follow-up's) status query may take: with no worker to answer, it
# would wait much longer.
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


def follow_up_task_json(st: FollowUpStatus, number: int, task: FollowUpTask) -> dict[str, Any]:
    """One open task of a save's follow-up as a row of `winback tasks --json`: the keys of a
    sequence's, with the task's place in the follow-up's list (1-based, as on its board) as
    `touch`, its id as `template` and how to report it as `text`."""
    due_utc = task.due_utc.isoformat()
    return {
        "account_id": st.account_id,
        "campaign_id": st.campaign_id,
        "owner": task.owner,
        "touch": number,
        "channel": save_followup_text.CHANNEL,
        "template": task.task_id,
        "due_utc": due_utc,
        # A worker older than the zone in the status: UTC rather than nothing.
        "due_local": save_followup_text.due_local(task.due_utc, st.timezone) if st.timezone else due_utc,
        "subject": save_followup_text.subject_for(st.account_id, task.title),
        "text": save_followup_text.report_back_for(st.account_id, task.task_id),
    }


async def _listed_status(client: Client, workflow_id: str, query: Any) -> Any | None:
    """A listed workflow's `status`, or None: ended meanwhile, or no answer in time (then a line
    on stderr says whose tasks are missing)."""
    try:
        return await client.get_workflow_handle(workflow_id).query(query, rpc_timeout=SAVE_QUERY_TIMEOUT)
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:  # not just gone: say whose tasks are missing
            click.echo(
                f"{workflow_id}: no answer to its status ({err.message}); its tasks are not listed", err=True
            )
        return None


def _owned_by(owner: str | None) -> Callable[[str], bool]:
    handle = None if owner is None else owner_handle(owner)
    return lambda task_owner: handle is None or task_owner == handle


async def save_tasks(client: Client, workflow_id: str, owner: str | None) -> list[dict[str, Any]]:
    """The open tasks of a running save (of one owner, or everyone's), from its `status` query."""
    st: SaveStatus | None = await _listed_status(client, workflow_id, SaveWorkflow.status)
    if st is None:
        return []
    mine = _owned_by(owner)
    return [save_task_json(st, t) for t in st.tasks if t.state == TASK_OPEN and mine(t.owner)]


async def follow_up_tasks(client: Client, workflow_id: str, owner: str | None) -> list[dict[str, Any]]:
    """The open tasks of a running follow-up (of one owner, or everyone's), from its `status`."""
    st: FollowUpStatus | None = await _listed_status(client, workflow_id, SaveFollowUpWorkflow.status)
    if st is None:
        return []
    mine = _owned_by(owner)
    return [
        follow_up_task_json(st, number, t)
        for number, t in enumerate(st.tasks, start=1)
        if t.state == OPEN and mine(t.owner)
    ]


async def open_tasks(client: Client, owner: str | None) -> list[dict[str, Any]]:
    """Every open task of sequences, saves and their follow-ups, soonest due first."""
    found: list[dict[str, Any]] = []
    async for wf in client.list_workflows(tasks_query(owner)):
        row = await listed_task(wf) or await queried_task(client, wf.id)
        if row is not None:
            found.append(row)
    async for wf in client.list_workflows(SAVES_WITH_WORK):
        found += await save_tasks(client, wf.id, owner)
    async for wf in client.list_workflows(FOLLOW_UPS_RUNNING):
        found += await follow_up_tasks(client, wf.id, owner)
    found.sort(key=lambda t: t["due_utc"])
    return found


def task_lines(tasks: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{t['account_id']:<14} {_which(t)} {t['channel']:<9} due {t['due_local']}  owner {t['owner']}"
        for t in tasks
    ]
    return [*lines, f"{len(tasks)} open tasks"]


def _which(row: dict[str, Any]) -> str:
    """A sequence's touch by number, a save's or a follow-up's task by its id."""
    if str(row["channel"]).startswith("save-"):
        return f"task {row['template']}"
    return f"touch {row['touch']}"


@click.command()
@click.option("--owner", default=None, help="The CSM's email (or handle).")
@click.option("--json", "as_json", is_flag=True)
def tasks(owner: str | None, as_json: bool) -> None:
    """Open manual tasks (LinkedIn, call, executive), save and save follow-up tasks, soonest due
    first."""

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


async def running_status(client: Client, workflow_id: str, query: Any) -> Any | None:
    """The `status` of the workflow running under this id, or None when none runs (never started,
    or ended: a closed run's status still lists tasks it can no longer close)."""
    try:
        return await client.get_workflow_handle(workflow_id).query(
            query, rpc_timeout=SAVE_QUERY_TIMEOUT, reject_condition=QueryRejectCondition.NOT_OPEN
        )
    except WorkflowQueryRejectedError:
        return None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        fail(f"{workflow_id}: no answer to its status ({err.message}); try again when its worker runs")


@dataclass(frozen=True)
class Holder:
    """A running save or follow-up of the account, with the ids of its open tasks."""

    what: str  # "save", "follow-up"
    workflow_id: str
    open_ids: tuple[str, ...]
    numbers: tuple[str, ...] = ()  # a save's open tasks also by number, as its reader takes them

    def has(self, task_id: str) -> bool:
        return task_id in self.open_ids or task_id in self.numbers


async def task_holders(client: Client, account_id: str) -> list[Holder]:
    """The account's running save and running follow-up, whichever run (save first)."""
    found: list[Holder] = []
    save_id, follow_up_id = ids.save_workflow_id(account_id), ids.save_follow_up_id(account_id)
    save: SaveStatus | None = await running_status(client, save_id, SaveWorkflow.status)
    if save is not None:
        opened = [t for t in save.tasks if t.state == TASK_OPEN]
        found.append(
            Holder("save", save_id, tuple(t.task_id for t in opened), tuple(str(t.number) for t in opened))
        )
    follow: FollowUpStatus | None = await running_status(client, follow_up_id, SaveFollowUpWorkflow.status)
    if follow is not None:
        found.append(
            Holder("follow-up", follow_up_id, tuple(t.task_id for t in follow.tasks if t.state == OPEN))
        )
    return found


def holder_for(account_id: str, task_id: str, holders: list[Holder]) -> Holder:
    """Which of the running save and follow-up has the task open; neither: one line, exit 2."""
    for holder in holders:
        if holder.has(task_id):
            return holder
    if not holders:
        fail(
            f"{ids.COMPLETE_TASK} refused: no save or follow-up of {account_id} is running; "
            "`winback tasks` lists the open tasks",
            EXIT_BAD_INPUT,
        )
    open_now = "; ".join(f"{h.what} {', '.join(h.open_ids)}" for h in holders if h.open_ids) or "none"
    fail(
        f"{ids.COMPLETE_TASK} refused: no open task {task_id} of {account_id}; open now: {open_now}",
        EXIT_BAD_INPUT,
    )


@task.command("done")
@click.argument("account_id")
@click.option(
    "--task",
    "task_id",
    default=None,
    metavar="ID",
    help="A save's or its follow-up's task by its id (`winback tasks` shows it, e.g. issue-1, "
    "health-3, renewal-check); without it, the sequence's open task.",
)
@click.option(
    "--outcome",
    type=click.Choice((*TASK_OUTCOMES, *RENEWAL_RESULTS)),
    default="done",
    show_default=True,
    help="A sequence's task: done, skipped or no_answer. A save's or follow-up's task: done or "
    "skipped (a save's no_answer: the call was made, so done); the renewal check: held or churned.",
)
@click.option("--note", default="")
@click.pass_context
def task_done(ctx: click.Context, account_id: str, task_id: str | None, outcome: str, note: str) -> None:
    """Report the account's open task (a sequence's, or with --task a save's or its follow-up's)
    as done, skipped, no answer, or the renewal check as held or churned."""
    if task_id is None:
        # A sequence's task takes what it always took: held or churned is refused as before.
        param = next(p for p in ctx.command.params if p.name == "outcome")
        click.Choice(TASK_OUTCOMES).convert(outcome, param, ctx)

    async def main() -> None:
        client = await client_or_fail()
        if task_id is not None:
            holder = holder_for(account_id, task_id, await task_holders(client, account_id))
            # Its Update, so its validator's refusal (a task closed meanwhile, an outcome the
            # task does not take) is one line here.
            handle = client.get_workflow_handle(holder.workflow_id)
            ended = f"the {holder.what} of {account_id} ended meanwhile; `winback tasks` lists the open tasks"
            payload = {"task": task_id, "outcome": outcome, "note": note}
            done = await update_workflow(handle, ids.COMPLETE_TASK, payload, ended=ended)
            # A save records a call nobody answered as done: say what it holds now (a
            # follow-up's details go on over lines: the first says how many are open).
            now = done.details.splitlines()[0] if done.details else done.state
            click.echo(
                f"task {task_id} of the {holder.what} of {account_id} reported; the {holder.what}: {now}"
            )
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
