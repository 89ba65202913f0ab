"""The local stack and the pieces a real cluster runs: `up`, `down`, `worker`, `migrate`."""

from __future__ import annotations

import sys

import click

from winback import connect, reconciler, stack
from winback import settings as settings_mod
from winback.commands.common import (
    check_codec,
    check_reconcile_every,
    check_secret,
    client_or_fail,
    open_store,
    run,
)


@click.command()
@click.option("--detach", is_flag=True, help="Run in the background; `winback down` stops it.")
def up(detach: bool) -> None:
    """Start Temporal's dev server (Web UI on :8233), a worker and `winback web` (:8000); Ctrl-C stops all."""
    settings = settings_mod.load()
    # Here, not in the background process: a detached `up` could only report it as a log tail.
    check_secret(settings)
    check_reconcile_every(settings)
    check_codec(settings, token=True)
    if detach:
        sys.exit(stack.detach(settings))
    sys.exit(run(lambda: stack.run_up(settings)))


@click.command()
def down() -> None:
    """Stop a stack started with `winback up --detach`."""
    sys.exit(stack.down(settings_mod.load()))


@click.command()
def worker() -> None:
    """Run the worker alone against the Temporal named by the environment configuration."""
    from winback.worker import build_worker

    settings = settings_mod.load()
    check_secret(settings)
    every = check_reconcile_every(settings)
    check_codec(settings)
    store = open_store(settings)

    async def main() -> None:
        client = await client_or_fail()
        click.echo(
            f"worker on task queue {settings.task_queue} at {connect.address()}, "
            f"store {store.url_for_display}"
        )
        # Every worker writes it: whichever starts first creates it, the others keep it current.
        done, line = await reconciler.ensure(client, settings.task_queue, every)
        click.echo(line, err=not done)
        await build_worker(client, settings, store).run()

    run(main)


@click.command()
def migrate() -> None:
    """Bring the store's schema (DATABASE_URL, default a SQLite file in the data folder) up to date."""
    store = open_store(settings_mod.load())
    click.echo(f"store at {store.url_for_display}: schema up to date")
    store.close()


COMMANDS = (up, down, worker, migrate)
