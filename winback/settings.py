"""Settings from the environment (never from files in the repo, never printed)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.ids import TASK_QUEUE

if TYPE_CHECKING:
    from activities.store import Store


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

    def unsubscribe_secret(self) -> bytes:
        """WINBACK_UNSUBSCRIBE_SECRET, or for local use a random one kept in the data folder."""
        value = os.environ.get("WINBACK_UNSUBSCRIBE_SECRET")
        if value:
            return value.encode()
        path = self.data_dir / "unsubscribe.secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return path.read_text().strip().encode()

    def sendgrid_webhook_public_key(self) -> str | None:
        """SENDGRID_WEBHOOK_PUBLIC_KEY, the verification key of SendGrid's Signed Event Webhook
        (base64, as its settings page shows it). Unset: the webhook takes no events at all."""
        return os.environ.get("SENDGRID_WEBHOOK_PUBLIC_KEY", "").strip() or None


def load() -> Settings:
    return Settings(
        data_dir=Path(os.environ.get("WINBACK_DATA_DIR", "data")).resolve(),
        task_queue=os.environ.get("WINBACK_TASK_QUEUE", TASK_QUEUE),
        public_url=os.environ.get("WINBACK_PUBLIC_URL", "http://localhost:8000"),
    )
