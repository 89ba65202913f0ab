"""What the email provider told us about our messages: provider_events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "provider_events",
        sa.Column("dedup_key", sa.String(120), nullable=False),
        sa.Column("business_key", sa.String(120), nullable=False),
        sa.Column("effect_key", sa.String(120), nullable=True),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("sg_event_id", sa.String(255), nullable=True),
        sa.Column("sg_message_id", sa.String(255), nullable=True),
        sa.Column("workflow_id", sa.String(255), nullable=True),
        sa.Column("ledger_key", sa.String(512), nullable=True),
        sa.Column("occurred_at", _utc(), nullable=True),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("dedup_key", name="pk_provider_events"),
        sa.UniqueConstraint("effect_key", name="uq_provider_events_effect_key"),
    )
    op.create_index("ix_provider_events_business_key", "provider_events", ["business_key"])
    op.create_index("ix_provider_events_workflow_id", "provider_events", ["workflow_id"])
    op.create_index("ix_provider_events_sg_message_id", "provider_events", ["sg_message_id"])


def downgrade() -> None:
    op.drop_index("ix_provider_events_sg_message_id", table_name="provider_events")
    op.drop_index("ix_provider_events_workflow_id", table_name="provider_events")
    op.drop_index("ix_provider_events_business_key", table_name="provider_events")
    op.drop_table("provider_events")
