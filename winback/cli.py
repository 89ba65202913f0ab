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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from activities import pipeline
from activities.store import Store, StoreError
from campaigns.accounts import AccountsFile, load_accounts
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.model import Campaign
from campaigns.plan import Plan, plan_json, plan_lines
from contracts import search_attributes as sa
from contracts.ids import launch_workflow_id, workflow_id_for
from contracts.launch import LaunchProgress
from contracts.sequence import (
    STATE_TASK_OPEN,
    TASK_OUTCOMES,
    PauseRequest,
    ResumeRequest,
    SequenceStatus,
    TaskCompletion,
)
from winback import connect, stack
from winback import settings as settings_mod
from workflows.launch import LaunchWorkflow
from workflows.sequence import SequenceWorkflow

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


def load_inputs(
    campaign_path: Path, accounts_path: Path, *, skip_invalid: bool = False
) -> tuple[Campaign, AccountsFile]:
    """Both files, fully validated; any problem prints one line each and exits 2. With
    skip_invalid, bad account rows are left out (the caller lists them) instead."""
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
    if accounts is not None and not skip_invalid:
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

    store = open_store(settings)

    async def main() -> None:
        client = await client_or_fail()
        click.echo(
            f"worker on task queue {settings.task_queue} at {connect.address()}, "
            f"store {store.url_for_display}"
        )
        await build_worker(client, settings, store).run()

    run(main)


# --- launching -----------------------------------------------------------------------------


def open_store(settings: settings_mod.Settings) -> Store:
    try:
        return settings.open_store()
    except StoreError as err:
        fail(str(err))


def parse_as_of(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    fail(f"--as-of: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01", EXIT_BAD_INPUT)


def list_skipped(accounts_file: AccountsFile, err: bool = False) -> None:
    for where, problems in accounts_file.invalid_rows:
        click.echo(f"  skipped      {where}: {problems}", err=err)


@cli.command()
@click.argument("campaign", type=click.Path(path_type=Path))
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option(
    "--as-of",
    "as_of_text",
    default=None,
    metavar="YYYY-MM-DD",
    help="The day the rules are evaluated for (default today).",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"accounts": [...], "totals": {...}}.')
@click.option("--skip-invalid", is_flag=True, help="Leave out bad rows (listed) instead of stopping.")
def plan(
    campaign: Path, accounts_path: Path, as_of_text: str | None, as_json: bool, skip_invalid: bool
) -> None:
    """Who gets which playbook and why, and who is left out and why; starts nothing."""
    as_of = parse_as_of(as_of_text)
    camp, accounts_file = load_inputs(campaign, accounts_path, skip_invalid=skip_invalid)
    store = open_store(settings_mod.load())
    try:
        the_plan = pipeline.plan(
            camp,
            accounts_file.accounts,
            pipeline.recall(store, camp.id, as_of=as_of),
            as_of=as_of,
            skipped=accounts_file.invalid_rows,
        )
    finally:
        store.close()
    if as_json:
        # Skipped rows go to stderr so stdout stays one JSON document.
        list_skipped(accounts_file, err=True)
        click.echo(json.dumps(plan_json(the_plan), indent=2))
        return
    click.echo("\n".join(plan_lines(the_plan)))


@cli.command()
@click.argument("campaign", type=click.Path(path_type=Path))
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option("--only", multiple=True, metavar="ACCOUNT_ID", help="Launch only these accounts.")
@click.option("--skip-invalid", is_flag=True, help="Leave out bad rows (listed) instead of stopping.")
@click.option("--detach", is_flag=True, help="Return once the launch has started; it goes on by itself.")
def launch(
    campaign: Path, accounts_path: Path, only: Sequence[str], skip_invalid: bool, detach: bool
) -> None:
    """Import the accounts and start the campaign's included sequences, staggered, durably."""
    settings = settings_mod.load()
    camp, accounts_file = load_inputs(campaign, accounts_path, skip_invalid=skip_invalid)
    chosen, missing = pipeline.select(accounts_file.accounts, only)
    if missing:
        fail(
            f"{accounts_path}: --only names account ids not in the file: {', '.join(missing)}; "
            "check the account_id column",
            EXIT_BAD_INPUT,
        )
    store = open_store(settings)

    async def main() -> int:
        client = await client_or_fail()
        now = datetime.now(UTC)
        today = date.today()
        prepared = await asyncio.to_thread(
            pipeline.prepare,
            store,
            camp,
            chosen,
            imported_accounts=accounts_file.accounts,
            now=now,
            as_of=today,
            skipped=accounts_file.invalid_rows,
        )
        the_plan, items, imported = prepared.plan, prepared.items, prepared.imported
        click.echo(
            f"imported {len(accounts_file.accounts)} accounts ({imported.inserted} new, "
            f"{imported.updated} updated, {imported.unchanged} unchanged)"
        )
        list_skipped(accounts_file)
        print_exclusions(the_plan)
        if not items:
            click.echo(f"campaign {camp.id}: nothing new to start, 0 sequences started")
            return 0
        try:
            started = await pipeline.start(client, settings.task_queue, store, camp.id, items, now=now)
        except pipeline.LaunchRunning:
            fail(
                f"a launch of campaign {camp.id} is still running; `winback status --campaign {camp.id}` "
                "shows its progress, run this again once it has finished"
            )
        handle = started.handle
        click.echo(f"launching {len(items)} sequences for campaign {camp.id} ({handle.id})")
        if detach:
            click.echo(f"detached: `winback status --campaign {camp.id}` shows the progress")
            return 0
        progress = await follow_launch(handle, len(items))
        if progress is None:
            click.echo(f"\ndetached; the launch goes on. `winback status --campaign {camp.id}` shows it.")
            return 0
        click.echo(
            f"campaign {camp.id}: {progress.started} started, {progress.already_running} already running, "
            f"{progress.failed} failed, {len(the_plan.entries) - len(items)} not included"
        )
        for line in progress.failures:
            click.echo(f"  failed       {line}", err=True)
        return 1 if progress.failed else 0

    try:
        code = run(main)
    finally:
        store.close()
    sys.exit(code)


def print_exclusions(the_plan: Plan) -> None:
    """Who is left out and why: each account when there are few, counts when there are many."""
    excluded = [e for e in the_plan.entries if not e.included]
    if len(excluded) <= 50:
        for e in excluded:
            click.echo(f"  not started  {e.account_id}: {'; '.join(e.reasons)}")
        return
    totals = plan_json(the_plan)["totals"]["by_exclusion_reason"]
    for code, count in sorted(totals.items(), key=lambda kv: -kv[1]):
        click.echo(f"  not started  {count} accounts: {code}")
    click.echo("  (`winback plan` lists every account and why)")


async def follow_launch(handle: WorkflowHandle[Any, Any], total: int) -> LaunchProgress | None:
    """A live progress bar until the launch finishes; Ctrl-C only detaches (returns None)."""
    tty = sys.stdout.isatty()
    last_shown = -1
    waited = 0.0
    try:
        while True:
            progress: LaunchProgress = await handle.query(LaunchWorkflow.progress)
            handled = progress.handled
            if tty:
                click.echo("\r" + progress_bar(progress), nl=False)
            elif handled * 10 // max(total, 1) != last_shown or progress.done:
                last_shown = handled * 10 // max(total, 1)
                click.echo(progress_bar(progress))
            if progress.done:
                if tty:
                    click.echo()
                return progress
            if handled == 0:
                waited += 0.5
                if waited == 10:
                    click.echo(
                        "\nno progress yet: is a worker running? (`winback up`, or `winback worker` "
                        "for a real cluster)",
                        err=True,
                    )
            await asyncio.sleep(0.5)
    except (KeyboardInterrupt, asyncio.CancelledError):
        return None


def progress_bar(p: LaunchProgress, width: int = 30) -> str:
    filled = width * p.handled // max(p.planned, 1)
    return (
        f"[{'#' * filled}{'-' * (width - filled)}] {p.handled}/{p.planned}  "
        f"started {p.started}, already running {p.already_running}, failed {p.failed}"
    )


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
    # Read only: who declined, rests or is already in a sequence is left out as a launch would.
    store = open_store(settings_mod.load())
    as_of = (start or datetime.now(UTC)).date()
    memory = pipeline.recall(store, camp.id, as_of=as_of)
    store.close()
    try:
        rows = run(
            lambda: run_simulation(
                camp,
                accounts_file.accounts,
                start=start,
                invalid=accounts_file.invalid_rows,
                memory=memory,
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
        click.echo(
            json.dumps(
                {
                    "campaign": campaign_id,
                    "launch": None if launch is None else launch_json(launch),
                    "outcomes": outcomes,
                    "sequences": rows,
                },
                indent=2,
            )
        )
        return
    click.echo(f"campaign {campaign_id}")
    if launch is None:
        click.echo("launch: none found")
    else:
        click.echo(f"launch: {'finished' if launch.done else 'running'}  {progress_bar(launch)}")
        for line in launch.failures:
            click.echo(f"  failed {line}")
    click.echo("outcomes: " + ", ".join(f"{name} {count}" for name, count in outcomes.items()))
    for r in rows:
        click.echo(
            f"  {r['account_id'] or '?':<14} {r['tier'] or '':<3} {r['owner'] or '':<16} {r['state'] or ''}"
        )
    click.echo(f"{len(rows)} sequences")


def launch_json(p: LaunchProgress) -> dict[str, Any]:
    return {
        "planned": p.planned,
        "started": p.started,
        "already_running": p.already_running,
        "failed": p.failed,
        "done": p.done,
        "failures": list(p.failures),
    }


@cli.command()
def migrate() -> None:
    """Bring the store's schema (DATABASE_URL, default a SQLite file in the data folder) up to date."""
    store = open_store(settings_mod.load())
    click.echo(f"store at {store.url_for_display}: schema up to date")
    store.close()


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


# --- web service -----------------------------------------------------------------------------

# Light to import: Starlette and uvicorn load only when `winback web` runs.
from winback.web import web_command  # noqa: E402

cli.add_command(web_command)


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
