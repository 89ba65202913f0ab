"""Cancel intents: the events a product reports through POST /webhooks/intent.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "intent_events",
        sa.Column("dedup_key", sa.String(255), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("occurred_at", _utc(), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("followed_until", sa.Date(), nullable=False),
        sa.Column("acted_at", _utc(), nullable=True),
        sa.Column("acted_how", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("dedup_key", name="pk_intent_events"),
    )
    op.create_index("ix_intent_events_account_id", "intent_events", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_intent_events_account_id", table_name="intent_events")
    op.drop_table("intent_events")
