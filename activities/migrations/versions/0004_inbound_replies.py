"""Replies that came back through SendGrid Inbound Parse: inbound_replies.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
# Another branch adds 0003 at the same time; this is re-chained onto it when both are merged.
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbound_replies",
        sa.Column("dedup_key", sa.String(120), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("workflow_id", sa.String(255), nullable=True),
        sa.Column("account_id", sa.String(200), nullable=True),
        sa.Column("matched_by", sa.String(20), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("return_date", sa.Date(), nullable=True),
        sa.Column("resume_on", sa.Date(), nullable=True),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("acted_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("dedup_key", name="pk_inbound_replies"),
    )
    op.create_index("ix_inbound_replies_workflow_id", "inbound_replies", ["workflow_id"])


def downgrade() -> None:
    op.drop_index("ix_inbound_replies_workflow_id", table_name="inbound_replies")
    op.drop_table("inbound_replies")
