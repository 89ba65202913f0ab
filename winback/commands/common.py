"""What every command shares: exit codes, errors, the client, validated inputs, the store.

Exit codes: 0 done, 1 a runtime problem (Temporal unreachable, no such sequence),
2 bad input (a campaign, playbook or accounts file, a flag, or a setting such as the
unsubscribe secret) — and then nothing started.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn, TypeVar

import click
from temporalio.client import Client

from activities.store import Store, StoreError
from campaigns.accounts import AccountsFile, load_accounts
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.model import Campaign
from winback import connect
from winback import settings as settings_mod

T = TypeVar("T")
EXIT_RUNTIME = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_RUNTIME) -> NoReturn:
    """One line on stderr, then exit with `code`."""
    click.echo(message, err=True)
    sys.exit(code)


def run(coro: Callable[[], Awaitable[T]]) -> T:
    """Run a command's coroutine; Ctrl-C cancels it (a progress bar then only detaches), and
    anywhere else exits 130."""

    async def main() -> T:
        task = asyncio.current_task()
        assert task is not None
        # Through the event loop's wakeup fd, so Ctrl-C takes effect at once even when the
        # signal lands on one of the Temporal core's threads while the loop waits on a query
        # (and even when the shell started us with SIGINT ignored).
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, task.cancel)
        return await coro()

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)


async def client_or_fail() -> Client:
    try:
        return await connect.connect()
    except settings_mod.SettingsError as err:
        fail(str(err), EXIT_BAD_INPUT)  # the codec's keys: one line, never a key
    except Exception as err:
        fail(
            f"cannot reach Temporal at {connect.address()} ({type(err).__name__}); "
            "start the local stack with `winback up`, or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE"
        )


def open_store(settings: settings_mod.Settings | None = None) -> Store:
    """The store the settings name, migrated; a store problem is one line and exit 1."""
    try:
        return (settings or settings_mod.load()).open_store()
    except StoreError as err:
        fail(str(err))


def check_secret(settings: settings_mod.Settings) -> None:
    """For the commands that sign or check unsubscribe links, before they start anything: a
    missing-but-makeable secret is made now, a weak or unreadable one is one line and exit 2."""
    try:
        settings.unsubscribe_secret()
    except settings_mod.SettingsError as err:
        fail(str(err), EXIT_BAD_INPUT)


def check_reconcile_every(settings: settings_mod.Settings) -> timedelta:
    """WINBACK_RECONCILE_EVERY, for the commands that keep the reconciler's Schedule; a bad
    value is one line and exit 2, before anything starts."""
    try:
        return settings.reconcile_every()
    except settings_mod.SettingsError as err:
        fail(str(err), EXIT_BAD_INPUT)


def check_codec(settings: settings_mod.Settings, *, token: bool = False) -> None:
    """For the commands that run a worker or the codec endpoint, before they start anything:
    the codec's keys (and with `token`, the endpoint's token) are made now if missing; bad ones
    are one line and exit 2."""
    from winback import encryption

    try:
        encryption.load_keyring(settings)
        if token:
            settings.codec_token()
    except settings_mod.SettingsError as err:
        fail(str(err), EXIT_BAD_INPUT)


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
        # One line per problem and nothing else: scripts and people read these. One write:
        # a CRM export can have a problem in each of 100,000s of rows, and echo flushes.
        if lines:
            click.echo("\n".join(lines), err=True)
        sys.exit(EXIT_BAD_INPUT)
    return campaign, accounts


def parse_moment(text: str, problem: str) -> datetime:
    """An ISO 8601 date or moment ("Z" allowed; no zone means UTC). If `text` is not one,
    `problem` is printed as the one line and the exit is 2."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(problem, EXIT_BAD_INPUT)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def list_skipped(accounts_file: AccountsFile, err: bool = False) -> None:
    """The rows --skip-invalid left out, one line each."""
    if accounts_file.invalid_rows:
        lines = (f"  skipped      {where}: {problems}" for where, problems in accounts_file.invalid_rows)
        click.echo("\n".join(lines), err=err)
