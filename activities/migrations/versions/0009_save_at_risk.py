"""Save at risk: the accounts each saves launch found at risk, their ARR and whether their save
started (the saves report's attempt rate and saved ARR).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "save_at_risk",
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("arr", sa.Float(), nullable=False),
        sa.Column("started", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "account_id", name="pk_save_at_risk"),
    )


def downgrade() -> None:
    op.drop_table("save_at_risk")
