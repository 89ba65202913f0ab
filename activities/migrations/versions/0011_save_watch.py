"""Save watch: every row a saves launch read, with its approvers and settings, so a cancel intent
can start that account's save later (campaigns/save_watch.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "save_watch",
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("renewal_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_save_watch"),
    )


def downgrade() -> None:
    op.drop_table("save_watch")
