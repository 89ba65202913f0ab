"""A campaign before and at launch: `plan`, `launch`, `simulate`."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from activities import pipeline
from campaigns.accounts import AccountsFile, load_accounts
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.model import Campaign
from campaigns.plan import Plan, plan_json, plan_lines
from winback import settings as settings_mod
from winback.commands.common import (
    EXIT_BAD_INPUT,
    client_or_fail,
    fail,
    list_skipped,
    load_inputs,
    open_store,
    parse_moment,
    run,
)
from winback.commands.progress import follow_launch

# The most excluded accounts a launch names one by one; beyond that it counts them by reason.
EXCLUSIONS_LISTED = 50


def parse_as_of(text: str | None) -> date:
    """--as-of: YYYY-MM-DD (default today); anything else is one line and exit 2."""
    if text is None:
        return date.today()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    fail(f"--as-of: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01", EXIT_BAD_INPUT)


def parse_start(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """--start: a future ISO 8601 moment (no zone means UTC), or None for now."""
    if not text:
        return None
    start = parse_moment(
        text, f"--start: {text!r} is not an ISO 8601 moment; write e.g. 2027-03-22T08:00:00Z"
    )
    if start < (now or datetime.now(UTC)):
        fail(
            f"--start {start.isoformat()} is in the past; the simulator's clock starts now and only "
            "moves forward: give a future moment or leave --start out",
            EXIT_BAD_INPUT,
        )
    return start


@click.command()
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


@click.command()
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
        prepared = await asyncio.to_thread(
            pipeline.prepare,
            store,
            camp,
            chosen,
            imported_accounts=accounts_file.accounts,
            now=now,
            as_of=date.today(),
            skipped=accounts_file.invalid_rows,
        )
        imported, items = prepared.imported, prepared.items
        click.echo(
            f"imported {len(accounts_file.accounts)} accounts ({imported.inserted} new, "
            f"{imported.updated} updated, {imported.unchanged} unchanged)"
        )
        list_skipped(accounts_file)
        print_exclusions(prepared.plan)
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
            f"{progress.failed} failed, {len(prepared.plan.entries) - len(items)} not included"
        )
        for line in progress.failures:
            click.echo(f"  failed       {line}", err=True)
        return 1 if progress.failed else 0

    try:
        code = run(main)
    finally:
        store.close()
    sys.exit(code)


def exclusion_lines(the_plan: Plan) -> list[str]:
    """Who is left out and why: each account when there are few, counts when there are many."""
    excluded = [e for e in the_plan.entries if not e.included]
    if len(excluded) <= EXCLUSIONS_LISTED:
        return [f"  not started  {e.account_id}: {'; '.join(e.reasons)}" for e in excluded]
    totals = plan_json(the_plan)["totals"]["by_exclusion_reason"]
    lines = [
        f"  not started  {count} accounts: {code}"
        for code, count in sorted(totals.items(), key=lambda kv: -kv[1])
    ]
    return [*lines, "  (`winback plan` lists every account and why)"]


def print_exclusions(the_plan: Plan) -> None:
    for line in exclusion_lines(the_plan):
        click.echo(line)


@click.command()
@click.argument("campaign", type=click.Path(path_type=Path))
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option("--start", "start_text", default=None, help="ISO 8601 moment the sequences start.")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
def simulate(campaign: Path, accounts_path: Path, start_text: str | None, as_json: bool) -> None:
    """Run the campaign on the time-skipping server and print every touch's moment."""
    from winback.simulate import simulate as run_simulation

    start = parse_start(start_text)
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
    for line in timeline_lines(rows):
        click.echo(line)


def timeline_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The simulation as a person reads it: one line per touch and one per account's end."""
    lines: list[str] = []
    for row in rows:
        if "touch" in row:
            deferred = f"  (deferred: {'; '.join(row['deferred'])})" if row["deferred"] else ""
            lines.append(
                f"{row['account_id']:<14} touch {row['touch']}  {row['channel']:<9} "
                f"{row['at_local']}{deferred}"
            )
        else:
            lines.append(f"{row['account_id']:<14} -> {row['outcome']}: {row['reason']}")
    return lines


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


COMMANDS = (plan, launch, simulate)
