"""Settings from the environment (never from files in the repo, never printed)."""

from __future__ import annotations

import os
import re
import secrets
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
# The Temporal UI's own address when `winback up` runs it: the one origin whose pages may call
# the codec endpoint from a browser (winback/codec_server.py).
DEFAULT_UI_ORIGIN: Final = "http://localhost:8233"
# The codec token travels in a URL path (winback/codec_server.py), so only characters that need
# no escaping there.
_URL_SAFE_TOKEN: Final = re.compile(r"[A-Za-z0-9._~-]+")


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

    @property
    def codec_key_file(self) -> Path:
        """The codec's keys when WINBACK_CODEC_KEYS is unset (winback/encryption.py)."""
        return self.data_dir / "codec.keys"

    @property
    def codec_token_file(self) -> Path:
        return self.data_dir / "codec.token"

    def ui_origin(self) -> str:
        """WINBACK_UI_ORIGIN: the scheme, host and port of the Temporal Web UI as the browser
        shows them; only pages from there may call the codec endpoint."""
        return os.environ.get("WINBACK_UI_ORIGIN", "").strip().rstrip("/") or DEFAULT_UI_ORIGIN

    def codec_token(self) -> bytes:
        """WINBACK_CODEC_TOKEN, or for local use a random one kept in the data folder: what a
        request to the codec endpoint must carry, as `Authorization: Bearer` or in its path.

        Shorter than MIN_SECRET_BYTES, with characters a URL path would have to escape, or an
        empty, cut-off or unreadable file raise SettingsError (one line that never shows it):
        whoever has the token can decrypt every workflow's data."""
        var = "WINBACK_CODEC_TOKEN"
        # Blank is unset, as for the other optional settings: docker-compose.yml passes it
        # through blank unless .env sets it.
        value = os.environ.get(var, "").strip() or None
        if value is not None:
            problem = _token_problem(value)
            if problem:
                raise SettingsError(
                    f"{var} is {problem}: it lets the Temporal UI and CLI decrypt workflow data and "
                    f"needs at least {MIN_SECRET_BYTES} letters, digits, '-', '_', '.' or '~'; set it to "
                    f"the output of `openssl rand -hex 32`, or unset it to use a token kept in "
                    f"{self.codec_token_file}"
                )
            return value.encode()
        path = self.codec_token_file
        token = read_or_create(
            path,
            lambda: secrets.token_hex(32) + "\n",
            what="codec token",
            instead=f"set {var} to the output of `openssl rand -hex 32`",
        ).strip()
        problem = _token_problem(token)
        if problem:
            # Never a token: an empty one would open the endpoint. Leave the file for its owner.
            raise SettingsError(
                f"{path} holds a codec token that is {problem} (it needs at least {MIN_SECRET_BYTES} "
                f"letters, digits, '-', '_', '.' or '~'); delete it to have Winback make a new one, "
                f"or write one with `openssl rand -hex 32 > {path}`"
            )
        return token.encode()

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

    def intent_secret(self) -> bytes | None:
        """WINBACK_INTENT_SECRET, the shared secret a product signs its cancel-intent posts with
        (winback/intent_webhook.py). Unset or blank: the webhook refuses every post (503). Shorter
        than MIN_SECRET_BYTES raises SettingsError (one line that never shows it): a guessable
        key lets anyone start interventions."""
        value = os.environ.get("WINBACK_INTENT_SECRET", "").strip()
        if not value:
            return None
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(
                "WINBACK_INTENT_SECRET is too short: it signs the product's cancel-intent posts and needs "
                f"at least {MIN_SECRET_BYTES} random bytes; set it to the output of `openssl rand -hex 32`"
            )
        return value.encode()

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


def _token_problem(token: str) -> str:
    """What is wrong with a codec token ("" when nothing is), in words that never quote it."""
    if not token:
        return "empty"
    if len(token) < MIN_SECRET_BYTES:
        return "too short"
    if not _URL_SAFE_TOKEN.fullmatch(token):
        return "not URL-safe"
    return ""


def read_or_create(path: Path, make: Callable[[], str], *, what: str, instead: str) -> str:
    """The text of the private file at `path`, made first with `make()` when there is none
    (atomically: processes starting together all read the same one). A file that cannot be
    read or made raises SettingsError naming `what` and the path, then offering `instead`."""
    try:
        try:
            return path.read_text()
        except FileNotFoundError:
            private.create_once(path, make())
            return path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or type(err).__name__
        raise SettingsError(
            f"cannot read or create the {what} {path} ({reason}); make {path.parent} a folder "
            f"Winback can write to, or {instead}"
        ) from None


def _create_secret(path: Path) -> None:
    """A new random secret at `path`, unless another process puts one there first (then every
    process reads that one): private.create_once."""
    private.create_once(path, secrets.token_hex(32))


def load() -> Settings:
    return Settings(
        data_dir=Path(os.environ.get("WINBACK_DATA_DIR", "data")).resolve(),
        task_queue=os.environ.get("WINBACK_TASK_QUEUE", TASK_QUEUE),
        public_url=os.environ.get("WINBACK_PUBLIC_URL", "http://localhost:8000"),
    )
