"""Settings from the environment (never from files in the repo, never printed)."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from contracts.ids import TASK_QUEUE
from winback import private

if TYPE_CHECKING:
    from activities.store import Store

# HMAC-SHA256 keys shorter than its 32-byte output weaken it; `openssl rand -hex 32` gives 64.
MIN_SECRET_BYTES: Final = 32
# How often the reconciler looks for sequences Temporal ended before they recorded an outcome
# (winback/reconciler.py): every 5 minutes by default; at most daily, well inside its week of
# look-back, and no more than once a minute, since each pass lists a week of closed sequences.
RECONCILE_EVERY_DEFAULT: Final = 300
RECONCILE_EVERY_RANGE: Final = (60, 86_400)


class SettingsError(Exception):
    """A setting Winback cannot run with; the message is the one line to show (exit 2)."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    task_queue: str
    public_url: str

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def tasks_dir(self) -> Path:
        return self.data_dir / "tasks"

    @property
    def temporal_dir(self) -> Path:
        return self.data_dir / "temporal"

    def open_store(self) -> Store:
        """The store DATABASE_URL names (default: a SQLite file in the data folder), migrated.

        Problems raise a one-line StoreError with the URL's password masked.
        """
        from activities.store import Store, database_url  # SQLAlchemy and Alembic: only when used

        return Store.open(database_url(self.data_dir))

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "unsubscribe.secret"

    def sendgrid_webhook_public_key(self) -> str | None:
        """SENDGRID_WEBHOOK_PUBLIC_KEY, the verification key of SendGrid's Signed Event Webhook
        (base64, as its settings page shows it). Unset: the webhook takes no events at all."""
        return os.environ.get("SENDGRID_WEBHOOK_PUBLIC_KEY", "").strip() or None

    def sendgrid_api_key(self) -> str | None:
        """SENDGRID_API_KEY: set, emails go out through SendGrid; unset, into the outbox folder.
        Only ever handed to the transport, never printed."""
        return os.environ.get("SENDGRID_API_KEY", "").strip() or None

    def inbound_secret(self) -> bytes | None:
        """WINBACK_INBOUND_SECRET, the shared secret SendGrid's Inbound Parse URL carries (in its
        path, its query or as basic auth). Unset or blank: inbound replies are refused (503)."""
        value = os.environ.get("WINBACK_INBOUND_SECRET", "").strip()
        return value.encode() if value else None

    def inbound_domain(self) -> str:
        """WINBACK_INBOUND_DOMAIN: the domain whose mail SendGrid Inbound Parse posts to
        /webhooks/sendgrid/inbound; every email then carries a signed Reply-To there. Unset: no
        Reply-To, and replies are matched by their thread or their sender."""
        return os.environ.get("WINBACK_INBOUND_DOMAIN", "").strip().lower()

    def reconcile_every(self) -> timedelta:
        """WINBACK_RECONCILE_EVERY: seconds between the reconciler's passes (default 300). Not a
        whole number in RECONCILE_EVERY_RANGE raises SettingsError."""
        text = os.environ.get("WINBACK_RECONCILE_EVERY", "").strip()
        if not text:
            return timedelta(seconds=RECONCILE_EVERY_DEFAULT)
        low, high = RECONCILE_EVERY_RANGE
        if not text.isdigit() or not low <= int(text) <= high:
            raise SettingsError(
                f"WINBACK_RECONCILE_EVERY is {text[:20]!r}: give the seconds between the reconciler's "
                f"passes as a whole number from {low} to {high} (default {RECONCILE_EVERY_DEFAULT})"
            )
        return timedelta(seconds=int(text))

    def store_opener(self) -> Callable[[], Store]:
        """The store, opened (and migrated) at the first call, from whichever thread makes it;
        a web service starts and answers its health check even while the database is down."""
        lock = threading.Lock()
        opened: list[Store] = []

        def store() -> Store:
            with lock:
                if not opened:
                    opened.append(self.open_store())
                return opened[0]

        return store

    def unsubscribe_secret(self) -> bytes:
        """WINBACK_UNSUBSCRIBE_SECRET, or for local use a random one kept in the data folder.

        A secret shorter than MIN_SECRET_BYTES, a blank variable, and an empty, cut-off or
        unreadable file raise SettingsError (one line that never shows the secret): a weak key
        lets anyone forge unsubscribe links."""
        value = os.environ.get("WINBACK_UNSUBSCRIBE_SECRET")
        if value is not None:
            if len(value.strip().encode()) < MIN_SECRET_BYTES:
                problem = "too short" if value.strip() else "empty"
                raise SettingsError(
                    f"WINBACK_UNSUBSCRIBE_SECRET is {problem}: it signs unsubscribe links and needs at "
                    f"least {MIN_SECRET_BYTES} random bytes; set it to the output of `openssl rand -hex 32`, "
                    f"or unset it to use a key kept in {self.secret_file}"
                )
            return value.encode()
        path = self.secret_file
        try:
            try:
                key = path.read_bytes().strip()
            except FileNotFoundError:
                _create_secret(path)
                key = path.read_bytes().strip()
        except OSError as err:
            reason = err.strerror or type(err).__name__
            raise SettingsError(
                f"cannot read or create the unsubscribe secret {path} ({reason}); "
                f"make {self.data_dir} a folder Winback can write to, or set WINBACK_UNSUBSCRIBE_SECRET "
                "to the output of `openssl rand -hex 32`"
            ) from None
        if len(key) < MIN_SECRET_BYTES:
            # Never a key: an empty one would let anyone sign links. Leave the file for its owner.
            raise SettingsError(
                f"{path} holds {'no' if not key else 'too short an'} unsubscribe secret (it needs at least "
                f"{MIN_SECRET_BYTES} bytes); delete it to have Winback make a new one, or write one with "
                f"`openssl rand -hex 32 > {path}`"
            )
        return key


def _create_secret(path: Path) -> None:
    """A new random secret at `path`, unless another process puts one there first.

    Readers never see a partial file: the key is written and synced under a temporary name, then
    linked into place. link() refuses to replace a file, so the first process to get there wins
    and every other one reads that same key."""
    private.make_folder(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    # The new name itself must survive a crash, or the next start makes a different key.
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def load() -> Settings:
    return Settings(
        data_dir=Path(os.environ.get("WINBACK_DATA_DIR", "data")).resolve(),
        task_queue=os.environ.get("WINBACK_TASK_QUEUE", TASK_QUEUE),
        public_url=os.environ.get("WINBACK_PUBLIC_URL", "http://localhost:8000"),
    )
