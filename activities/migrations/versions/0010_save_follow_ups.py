"""Save follow-ups: a saved account's renewal check, a lost one's win-back starts and refusals.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "save_follow_ups",
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("result", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", "run_id", "step", name="pk_save_follow_ups"),
    )
    op.create_index("ix_save_follow_ups_account_id", "save_follow_ups", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_save_follow_ups_account_id", table_name="save_follow_ups")
    op.drop_table("save_follow_ups")
