"""The send ledger: one row per email handed to a provider that has no idempotency key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "send_ledger",
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("provider_message_id", sa.String(255), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_send_ledger"),
    )
    op.create_index("ix_send_ledger_workflow_id", "send_ledger", ["workflow_id"])


def downgrade() -> None:
    op.drop_index("ix_send_ledger_workflow_id", table_name="send_ledger")
    op.drop_table("send_ledger")
