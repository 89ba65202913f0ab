"""Save outcomes: how each at-risk renewal's save ended, and what it granted.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "save_outcomes",
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effort", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("root_cause", sa.String(40), nullable=False),
        sa.Column("renewal_on", sa.Date(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("ended_at", _utc(), nullable=False),
        sa.Column("tasks_done", sa.Integer(), nullable=False),
        sa.Column("tasks_total", sa.Integer(), nullable=False),
        sa.Column("concessions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", "run_id", name="pk_save_outcomes"),
    )
    op.create_index("ix_save_outcomes_account_id", "save_outcomes", ["account_id"])
    op.create_index("ix_save_outcomes_outcome", "save_outcomes", ["outcome"])


def downgrade() -> None:
    op.drop_index("ix_save_outcomes_outcome", table_name="save_outcomes")
    op.drop_index("ix_save_outcomes_account_id", table_name="save_outcomes")
    op.drop_table("save_outcomes")
