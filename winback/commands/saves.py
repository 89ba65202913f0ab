"""At-risk renewal saves: `saves plan`.

`saves plan --json` is a contract other tools read; its shape is documented in
campaigns/saves_plan.py. Planning reads only the file: no store, no Temporal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from campaigns.errors import ConfigError
from campaigns.renewals import RenewalsFile, load_renewals
from campaigns.saves_plan import build_saves_plan, saves_json, saves_lines
from winback.commands.campaigns import parse_as_of
from winback.commands.common import EXIT_BAD_INPUT


@click.group()
def saves() -> None:
    """Save at-risk renewals: which accounts, how hard, how fast."""


@saves.command("plan")
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option(
    "--as-of",
    "as_of_text",
    default=None,
    metavar="YYYY-MM-DD",
    help="The day the rules are evaluated for (default today).",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"accounts": [...], "totals": {...}}.')
def saves_plan(accounts_path: Path, as_of_text: str | None, as_json: bool) -> None:
    """Each renewal's risk, save probability, value, effort, mode and escalation, and why; starts nothing."""
    as_of = parse_as_of(as_of_text)
    plan = build_saves_plan(renewals_or_fail(accounts_path).renewals, as_of=as_of)
    if as_json:
        click.echo(json.dumps(saves_json(plan), indent=2))
        return
    click.echo("\n".join(saves_lines(plan)))


def renewals_or_fail(path: Path) -> RenewalsFile:
    """The saves file, fully valid; any problem prints one line each and exits 2."""
    try:
        renewals = load_renewals(path)
    except ConfigError as err:
        lines = err.lines
    else:
        if not renewals.errors:
            return renewals
        lines = list(renewals.errors)
    # One write: a CRM export can have a problem in each of 100,000s of rows, and echo flushes.
    click.echo("\n".join(lines), err=True)
    sys.exit(EXIT_BAD_INPUT)


COMMANDS = (saves,)
