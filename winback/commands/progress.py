"""A launch's progress as a person and a script see it: click's progress bar while it runs,
the same line in `winback status --campaign`, and its JSON."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError

from contracts.launch import LaunchProgress
from workflows.launch import LaunchWorkflow

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

BAR_WIDTH = 30
POLL_SECONDS = 0.5
# How long a launch may show no progress before we ask whether a worker runs.
QUIET_SECONDS = 10.0
# A query nobody answers is given up on after this and asked again.
QUERY_TIMEOUT = timedelta(seconds=2)


def facts(p: LaunchProgress | None) -> str | None:
    """What the bar says after the count: each way an account was handled."""
    if p is None:
        return None
    return f"started {p.started}, already running {p.already_running}, failed {p.failed}"


def launch_bar(planned: int, *, hidden: bool = False, show_eta: bool = False) -> ProgressBar[LaunchProgress]:
    """`[#####-----] handled/planned  started …, already running …, failed …`."""
    return click.progressbar(
        length=planned,
        width=BAR_WIDTH,
        fill_char="#",
        empty_char="-",
        bar_template="[%(bar)s] %(info)s",
        show_pos=True,
        show_percent=False,
        show_eta=show_eta,
        item_show_func=facts,
        hidden=hidden,
    )


def advance(bar: ProgressBar[LaunchProgress], p: LaunchProgress) -> None:
    """Move the bar to the launch's progress and redraw it (a tty only; a line repeats nothing)."""
    bar.update(p.handled - bar.pos, p)
    bar.render_progress()  # also when only the facts moved


def progress_line(p: LaunchProgress) -> str:
    """The bar as one line of text, for logs, pipes and `winback status --campaign`."""
    bar = launch_bar(p.planned, hidden=True)
    advance(bar, p)
    return bar.format_progress_line()


def launch_json(p: LaunchProgress) -> dict[str, Any]:
    """The launch in `winback status --campaign X --json`."""
    return {
        "planned": p.planned,
        "started": p.started,
        "already_running": p.already_running,
        "failed": p.failed,
        "done": p.done,
        "failures": list(p.failures),
    }


async def follow_launch(handle: WorkflowHandle[Any, Any], total: int) -> LaunchProgress | None:
    """A live progress bar until the launch finishes; Ctrl-C only detaches (returns None).

    On a terminal the bar redraws in place; elsewhere (a pipe, a log) it prints a line at
    every tenth of the way and at the end.
    """
    tty = sys.stdout.isatty()
    last_tenth = -1
    quiet = 0.0
    with launch_bar(total, hidden=not tty, show_eta=tty) as bar:
        try:
            while True:
                asked = time.monotonic()
                try:
                    progress: LaunchProgress = await handle.query(
                        LaunchWorkflow.progress, rpc_timeout=QUERY_TIMEOUT
                    )
                except RPCError:
                    # No worker answered in time (none runs, or it is busy). Ask again rather
                    # than wait out the server's 30 s: a Ctrl-C that reached another thread
                    # only takes effect once this loop runs again.
                    quiet += time.monotonic() - asked
                    quiet = _hint_if_quiet(quiet)
                    await asyncio.sleep(POLL_SECONDS)
                    continue
                advance(bar, progress)
                tenth = progress.handled * 10 // max(total, 1)
                if not tty and (tenth != last_tenth or progress.done):
                    last_tenth = tenth
                    click.echo(bar.format_progress_line())
                if progress.done:
                    return progress
                if progress.handled == 0:
                    quiet = _hint_if_quiet(quiet + POLL_SECONDS)
                await asyncio.sleep(POLL_SECONDS)
        except (KeyboardInterrupt, asyncio.CancelledError):
            return None


def _hint_if_quiet(quiet: float) -> float:
    """Ask once whether a worker runs when a launch has shown nothing for QUIET_SECONDS."""
    if quiet >= QUIET_SECONDS:
        click.echo(
            "\nno progress yet: is a worker running? (`winback up`, or `winback worker` "
            "for a real cluster)",
            err=True,
        )
        return float("-inf")  # once is enough
    return quiet
