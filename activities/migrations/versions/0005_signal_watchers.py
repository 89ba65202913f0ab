"""Signal watchers: their sources, the stories they saw, and what each story started.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watch_sources",
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("company", sa.String(300), nullable=False),
        sa.Column("campaign_path", sa.Text(), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("etag", sa.String(512), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("last_polled_at", _utc(), nullable=True),
        sa.Column("last_success_at", _utc(), nullable=True),
        sa.Column("last_error_at", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("entries_seen", sa.Integer(), nullable=False),
        sa.Column("last_entries", sa.Integer(), nullable=False),
        sa.Column("last_new_at", _utc(), nullable=True),
        sa.Column("open_roles", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("source_id", name="pk_watch_sources"),
    )
    op.create_table(
        "signal_events",
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("story", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("company", sa.String(300), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published", sa.String(40), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("seen_at", _utc(), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=True),
        sa.Column("matched_by", sa.String(10), nullable=True),
        sa.Column("competitor", sa.String(300), nullable=False),
        sa.Column("acted_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("event_key", name="pk_signal_events"),
    )
    op.create_index("ix_signal_events_competitor", "signal_events", ["competitor"])
    op.create_index("ix_signal_events_source_id", "signal_events", ["source_id"])
    op.create_table(
        "signal_starts",
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(63), nullable=False),
        sa.Column("decided_at", _utc(), nullable=False),
        sa.Column("result", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_key", "account_id", name="pk_signal_starts"),
    )


def downgrade() -> None:
    op.drop_table("signal_starts")
    op.drop_index("ix_signal_events_source_id", table_name="signal_events")
    op.drop_index("ix_signal_events_competitor", table_name="signal_events")
    op.drop_table("signal_events")
    op.drop_table("watch_sources")
