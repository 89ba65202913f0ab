"""`winback reconcile`: the reconciler's pass, now, in this process. The Temporal Schedule that
`winback up` and `winback worker` keep runs the same pass every few minutes
(activities/reconcile.py, winback/reconciler.py); this is for an operator who terminated
sequences or saves by hand and wants the store to know at once, or a deployment without the
Schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

import click
from sqlalchemy.exc import SQLAlchemyError
from temporalio.service import RPCError

from activities.reconcile import Reconciler
from activities.reconcile_runs import TemporalRuns
from contracts.reconcile import DEFAULT_LOOK_BACK_HOURS, ReconcileResult
from winback import settings as settings_mod
from winback.commands.common import EXIT_BAD_INPUT, client_or_fail, fail, open_store, run

# Visibility keeps closed workflows for the namespace's retention, which is rarely longer.
MAX_DAYS: Final = 90


@click.command()
@click.option(
    "--days",
    default=str(DEFAULT_LOOK_BACK_HOURS // 24),
    show_default=True,
    metavar="N",
    help="Look at sequences and saves Temporal closed in this many past days.",
)
def reconcile(days: str) -> None:
    """Record the outcome of every sequence and save terminated, timed out or failed in Temporal
    that never recorded one (as `cancelled`), and say how many."""
    if not days.strip().isdigit() or not 1 <= int(days) <= MAX_DAYS:
        fail(f"--days: {days[:20]!r} is not a number of days from 1 to {MAX_DAYS}", EXIT_BAD_INPUT)
    look_back = timedelta(days=int(days))
    settings = settings_mod.load()

    async def main() -> ReconcileResult:
        client = await client_or_fail()
        store = open_store(settings)
        try:
            reconciler = Reconciler(TemporalRuns(client, settings.task_queue), store)
            return await reconciler.run(datetime.now(UTC) - look_back)
        except RPCError as err:
            fail(f"Temporal refused the reconciliation ({err.status.name}): {err.message}")
        except SQLAlchemyError as err:
            # By class only: SQLAlchemy's text carries the statement's parameters.
            fail(f"the store failed while recording outcomes ({type(err).__name__}); run it again")
        finally:
            store.close()

    result = run(main)
    sequences, saves = result.closed - result.saves_closed, result.saves_closed
    closed = f"{_count(sequences, 'sequence')} and {_count(saves, 'save')}"
    click.echo(
        f"{_count(result.recorded, 'outcome')} recorded: {closed} "
        f"terminated, timed out or failed in Temporal in the last {_count(int(days), 'day')}, "
        f"{result.already_recorded} already recorded, {result.continued} continued after a reset, "
        f"{result.failed} unreadable"
    )
    for workflow_id in result.recorded_ids:
        click.echo(f"  recorded   {workflow_id}: cancelled")
    for line in result.failures:
        click.echo(f"  unreadable {line}", err=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


COMMANDS = (reconcile,)
