"""The `winback` command.

Exit codes: 0 done, 1 a runtime problem (Temporal unreachable, no such sequence),
2 bad input (a campaign, playbook or accounts file, or a flag) — and then nothing started.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from campaigns.accounts import AccountsFile, load_accounts
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.model import Campaign
from winback import connect, launcher, stack
from winback import settings as settings_mod
from workflows import search_attributes as sa
from workflows.contracts import (
    STATE_TASK_OPEN,
    TASK_OUTCOMES,
    PauseRequest,
    ResumeRequest,
    SequenceStatus,
    TaskCompletion,
)
from workflows.sequence import SequenceWorkflow, workflow_id_for

T = TypeVar("T")
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def run(coro: Callable[[], Awaitable[T]]) -> T:
    try:
        return asyncio.run(coro())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        sys.exit(130)


async def client_or_fail() -> Client:
    try:
        return await connect.connect()
    except Exception as err:
        fail(
            f"cannot reach Temporal at {connect.address()} ({type(err).__name__}); "
            "start the local stack with `winback up`, or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE"
        )


def load_inputs(campaign_path: Path, accounts_path: Path) -> tuple[Campaign, AccountsFile]:
    """Both files, fully validated; any problem prints one line each and exits 2."""
    lines: list[str] = []
    campaign: Campaign | None = None
    accounts: AccountsFile | None = None
    try:
        campaign = load_campaign(campaign_path)
    except ConfigError as err:
        lines += err.lines
    try:
        accounts = load_accounts(accounts_path)
    except ConfigError as err:
        lines += err.lines
    if accounts is not None:
        lines += list(accounts.errors)
    if lines or campaign is None or accounts is None:
        # One line per problem and nothing else: scripts and people read these.
        for line in lines:
            click.echo(line, err=True)
        sys.exit(EXIT_BAD_INPUT)
    return campaign, accounts


def status_to_json(status: SequenceStatus) -> dict[str, Any]:
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


@click.group()
def cli() -> None:
    """Winback: durable win-back and save-the-renewal sequences on Temporal."""


# --- local stack -----------------------------------------------------------------------------


@cli.command()
@click.option("--detach", is_flag=True, help="Run in the background; `winback down` stops it.")
def up(detach: bool) -> None:
    """Start Temporal's dev server (with its Web UI on :8233) and a worker; Ctrl-C stops both."""
    settings = settings_mod.load()
    if detach:
        sys.exit(stack.detach(settings))
    sys.exit(run(lambda: stack.run_up(settings)))


@cli.command()
def down() -> None:
    """Stop a stack started with `winback up --detach`."""
    sys.exit(stack.down(settings_mod.load()))


@cli.command()
def worker() -> None:
    """Run the worker alone against the Temporal named by the environment configuration."""
    from winback.worker import build_worker

    settings = settings_mod.load()

    async def main() -> None:
        client = await client_or_fail()
        click.echo(f"worker on task queue {settings.task_queue} at {connect.address()}")
        await build_worker(client, settings).run()

    run(main)


# --- launching -----------------------------------------------------------------------------


@cli.command()
@click.argument("campaign", type=click.Path(path_type=Path))
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option("--only", multiple=True, metavar="ACCOUNT_ID", help="Launch only these accounts.")
def launch(campaign: Path, accounts_path: Path, only: Sequence[str]) -> None:
    """Start a sequence for every account with a tier, starting now."""
    settings = settings_mod.load()
    camp, accounts_file = load_inputs(campaign, accounts_path)
    chosen, missing = launcher.select(accounts_file.accounts, only)
    if missing:
        fail(
            f"{accounts_path}: --only names account ids not in the file: {', '.join(missing)}; "
            "check the account_id column",
            EXIT_BAD_INPUT,
        )
    decisions = [launcher.decide(a, camp) for a in chosen]
    inputs = [d.input for d in decisions if d.input is not None]

    async def main() -> launcher.LaunchReport:
        client = await client_or_fail()
        return await launcher.start_all(client, settings.task_queue, inputs)

    report = run(main)
    for d in decisions:
        if d.input is None:
            click.echo(f"  not started  {d.account_id}: {d.reason}")
    for account_id in report.already_running:
        click.echo(f"  running      {account_id}: a sequence is already running for it")
    for account_id, problem in report.failed:
        click.echo(f"  failed       {account_id}: {problem}", err=True)
    skipped = len(decisions) - len(inputs)
    click.echo(
        f"campaign {camp.id}: {len(report.started)} started, {len(report.already_running)} "
        f"already running, {skipped} not started, {len(report.failed)} failed"
    )
    if report.failed:
        sys.exit(1)


@cli.command()
@click.argument("campaign", type=click.Path(path_type=Path))
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option("--start", "start_text", default=None, help="ISO 8601 moment the sequences start.")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
def simulate(campaign: Path, accounts_path: Path, start_text: str | None, as_json: bool) -> None:
    """Run the campaign on the time-skipping server and print every touch's moment."""
    from winback.simulate import simulate as run_simulation

    start: datetime | None = None
    if start_text:
        try:
            start = datetime.fromisoformat(start_text.replace("Z", "+00:00"))
        except ValueError:
            fail(
                f"--start: {start_text!r} is not an ISO 8601 moment; write e.g. 2027-03-22T08:00:00Z",
                EXIT_BAD_INPUT,
            )
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        if start < datetime.now(UTC):
            fail(
                f"--start {start.isoformat()} is in the past; the simulator's clock starts now and only "
                "moves forward: give a future moment or leave --start out",
                EXIT_BAD_INPUT,
            )
    camp, accounts_file = load_simulation_inputs(campaign, accounts_path)
    try:
        rows = run(
            lambda: run_simulation(
                camp, accounts_file.accounts, start=start, invalid=accounts_file.invalid_rows
            )
        )
    except ValueError as err:
        fail(str(err), EXIT_BAD_INPUT)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        if "touch" in row:
            deferred = f"  (deferred: {'; '.join(row['deferred'])})" if row["deferred"] else ""
            click.echo(
                f"{row['account_id']:<14} touch {row['touch']}  {row['channel']:<9} "
                f"{row['at_local']}{deferred}"
            )
        else:
            click.echo(f"{row['account_id']:<14} -> {row['outcome']}: {row['reason']}")


def load_simulation_inputs(campaign_path: Path, accounts_path: Path) -> tuple[Campaign, AccountsFile]:
    """Like load_inputs, but bad account rows become not_started rows instead of an exit."""
    try:
        camp = load_campaign(campaign_path)
        accounts_file = load_accounts(accounts_path)
    except ConfigError as err:
        for line in err.lines:
            click.echo(line, err=True)
        sys.exit(EXIT_BAD_INPUT)
    return camp, accounts_file


# --- watching and steering -------------------------------------------------------------------


async def handle_for(client: Client, account_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(workflow_id_for(account_id))


async def query_status(client: Client, account_id: str) -> SequenceStatus:
    handle = await handle_for(client, account_id)
    try:
        return await handle.query(SequenceWorkflow.status)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            fail(f"no sequence for account {account_id}; `winback status` lists them")
        raise


def print_status(status: SequenceStatus) -> None:
    click.echo(f"account {status.account_id}  campaign {status.campaign_id}  playbook {status.playbook_id}")
    click.echo(f"tier {status.tier}  owner {status.owner_handle}  state {status.state}")
    click.echo(f"now: {status.details}")
    if status.next_action:
        na = status.next_action
        click.echo(f"next: {na.description} at {na.at_local} ({na.at_utc.isoformat()})")
        for d in na.deferred:
            click.echo(f"      deferred {d}")
    if status.open_task:
        task = status.open_task
        click.echo(f"open task: touch {task.touch} {task.channel}, due {task.due_local}")
    for t in status.touches:
        note = f" - {t.note}" if t.note else ""
        click.echo(f"  touch {t.number} {t.channel:<9} {t.status:<15} {t.at_local}{note}")
        for d in t.deferred:
            click.echo(f"      deferred {d}")
    if status.outcome:
        click.echo(f"outcome: {status.outcome} ({status.outcome_reason})")


@cli.command()
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
                print_status(st)
            return
        query = "WorkflowType = 'SequenceWorkflow'"
        if campaign_id:
            query += f" AND {sa.CAMPAIGN.name} = '{campaign_id}'"
        rows = []
        async for wf in client.list_workflows(query):
            attrs = wf.typed_search_attributes
            rows.append(
                {
                    "account_id": attrs.get(sa.ACCOUNT_ID),
                    "campaign": attrs.get(sa.CAMPAIGN),
                    "tier": attrs.get(sa.TIER),
                    "owner": attrs.get(sa.OWNER),
                    "churn_reason": attrs.get(sa.CHURN_REASON),
                    "state": attrs.get(sa.STATE),
                    "running": wf.status == WorkflowExecutionStatus.RUNNING,
                    "workflow_id": wf.id,
                }
            )
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


@cli.command()
@click.argument("account_id")
@click.option("--until", "until_text", default=None, help="ISO date or moment to resume by itself.")
@click.option("--reason", default="", help="Why (shown in the UI).")
def pause(account_id: str, until_text: str | None, reason: str) -> None:
    """Pause a sequence; the remaining touches shift by the pause."""
    until: datetime | None = None
    if until_text:
        try:
            until = datetime.fromisoformat(until_text.replace("Z", "+00:00"))
        except ValueError:
            fail(f"--until: {until_text!r} is not an ISO date or moment; write e.g. 2027-04-15", 2)
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)

    async def main() -> None:
        client = await client_or_fail()
        await query_status(client, account_id)
        handle = await handle_for(client, account_id)
        await handle.signal(SequenceWorkflow.pause, PauseRequest(until=until, reason=reason))
        click.echo(f"paused {account_id}" + (f" until {until.isoformat()}" if until else ""))

    run(main)


@cli.command()
@click.argument("account_id")
def resume(account_id: str) -> None:
    """Resume a paused sequence."""

    async def main() -> None:
        client = await client_or_fail()
        await query_status(client, account_id)
        handle = await handle_for(client, account_id)
        await handle.signal(SequenceWorkflow.resume, ResumeRequest())
        click.echo(f"resumed {account_id}")

    run(main)


@cli.command()
@click.argument("account_id")
def cancel(account_id: str) -> None:
    """Cancel a sequence; it ends gracefully with outcome `cancelled`."""

    async def main() -> None:
        client = await client_or_fail()
        await query_status(client, account_id)
        handle = await handle_for(client, account_id)
        await handle.cancel()
        click.echo(f"cancel requested for {account_id}")

    run(main)


@cli.command()
@click.option("--owner", default=None, help="The CSM's email (or handle).")
@click.option("--json", "as_json", is_flag=True)
def tasks(owner: str | None, as_json: bool) -> None:
    """Open manual tasks (LinkedIn, call, executive), soonest due first."""

    async def main() -> None:
        client = await client_or_fail()
        query = f"WorkflowType = 'SequenceWorkflow' AND {sa.STATE.name} = '{STATE_TASK_OPEN}'"
        if owner:
            query += f" AND {sa.OWNER.name} = '{owner.split('@', 1)[0]}'"
        open_tasks: list[dict[str, Any]] = []
        async for wf in client.list_workflows(query):
            handle = client.get_workflow_handle(wf.id)
            try:
                st: SequenceStatus = await handle.query(SequenceWorkflow.status)
            except RPCError:
                continue  # ended between the list and the query
            if st.open_task is None:
                continue
            task = st.open_task
            open_tasks.append(
                {
                    "account_id": st.account_id,
                    "campaign_id": st.campaign_id,
                    "owner": st.owner_handle,
                    "touch": task.touch,
                    "channel": task.channel,
                    "template": task.template,
                    "due_utc": task.due_utc.isoformat(),
                    "due_local": task.due_local,
                    "subject": task.subject,
                    "text": task.text,
                }
            )
        open_tasks.sort(key=lambda t: t["due_utc"])
        if as_json:
            click.echo(json.dumps(open_tasks, indent=2))
            return
        for t in open_tasks:
            click.echo(
                f"{t['account_id']:<14} touch {t['touch']} {t['channel']:<9} due {t['due_local']}  "
                f"owner {t['owner']}"
            )
        click.echo(f"{len(open_tasks)} open tasks")

    run(main)


@cli.group()
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
        handle = await handle_for(client, account_id)
        await handle.signal(
            SequenceWorkflow.complete_task,
            TaskCompletion(outcome=outcome, note=note, touch=st.open_task.touch),
        )
        click.echo(f"touch {st.open_task.touch} of {account_id}: {outcome}")

    run(main)


def main() -> None:
    # The simulator's test server warns about a capability it lacks on every run: noise to a user.
    connect.configure_runtime("ERROR" if "simulate" in sys.argv[1:2] else "WARN")
    try:
        cli(prog_name="winback")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    # Every command has finished its work and cleanup by now. Leaving through interpreter
    # finalisation while the SDK core's threads still run can abort the process (seen as
    # exit -6 after a clean error line), and scripts rely on our exit codes.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
