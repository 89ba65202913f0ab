"""The `winback` command: the group and its entry point. The commands live in winback/commands/.

Exit codes: 0 done, 1 a runtime problem (Temporal unreachable, no such sequence),
2 bad input (a campaign, playbook or accounts file, a flag, or a setting such as the
unsubscribe secret) — and then nothing started.
"""

from __future__ import annotations

import os
import sys

import click

from winback import connect, private
from winback import settings as settings_mod
from winback.commands import (
    campaigns,
    reconcile,
    replies,
    saves,
    sequences,
    stack,
    tasks,
    templates,
    watch,
)

# Light to import: Starlette and uvicorn load only when `winback web` runs.
from winback.web import web_command


@click.group()
def cli() -> None:
    """Winback: durable win-back and save-the-renewal sequences on Temporal."""


for _command in (
    *stack.COMMANDS,
    *campaigns.COMMANDS,
    *sequences.COMMANDS,
    *tasks.COMMANDS,
    *replies.COMMANDS,
    *watch.COMMANDS,
    *reconcile.COMMANDS,
    *saves.COMMANDS,
    *templates.COMMANDS,
    web_command,
):
    cli.add_command(_command)


def main() -> None:
    # Everything Winback, SQLite and the Temporal dev server create in the data folder is
    # private (docs/ARCHITECTURE.md), and so is a data folder made before that rule.
    os.umask(private.UMASK)
    private.tighten(settings_mod.load().data_dir)
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
