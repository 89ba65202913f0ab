"""State outside Temporal: SQLite by default, PostgreSQL when DATABASE_URL says so.

store = Store.open(database_url(data_dir))
"""

from activities.store.database import (
    MIGRATIONS_DIR,
    alembic_config,
    database_url,
    masked,
    normalise_url,
)
from activities.store.intent import IntentFollowUp, IntentRecord
from activities.store.ledger import FAILED, SENDING, SENT, LedgerEntry
from activities.store.records import (
    ImportResult,
    InboundReplyFact,
    LaunchItem,
    LaunchItemResult,
    MessageLogEntry,
    ProviderEventRecord,
    ProviderEventsReceipt,
    SentMessage,
    StoreError,
)
from activities.store.schema import metadata
from activities.store.store import SUPPRESSION_KINDS, Store, implied_preference

__all__ = [
    "FAILED",
    "MIGRATIONS_DIR",
    "SENDING",
    "SENT",
    "SUPPRESSION_KINDS",
    "ImportResult",
    "InboundReplyFact",
    "IntentFollowUp",
    "IntentRecord",
    "LaunchItem",
    "LaunchItemResult",
    "LedgerEntry",
    "MessageLogEntry",
    "ProviderEventRecord",
    "ProviderEventsReceipt",
    "SentMessage",
    "Store",
    "StoreError",
    "alembic_config",
    "database_url",
    "implied_preference",
    "masked",
    "metadata",
    "normalise_url",
]
