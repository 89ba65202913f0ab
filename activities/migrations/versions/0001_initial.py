"""The store's first schema: accounts, contacts, preferences, enrolments, messages, launches.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("arr", sa.Float(), nullable=False),
        sa.Column("churned_on", sa.Date(), nullable=True),
        sa.Column("churn_reason", sa.String(40), nullable=False),
        sa.Column("churn_detail", sa.Text(), nullable=False),
        sa.Column("competitor", sa.Text(), nullable=False),
        sa.Column("departure", sa.String(20), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("first_imported_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"),
    )
    op.create_table(
        "contacts",
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("linkedin_url", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
            name="fk_contacts_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "role", name="pk_contacts"),
    )
    op.create_index("ix_contacts_email", "contacts", ["email"])

    op.create_table(
        "preferences",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("email", "kind", name="pk_preferences"),
    )
    op.create_index("ix_preferences_until", "preferences", ["until"])

    op.create_table(
        "enrolments",
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("playbook_id", sa.String(200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("touches_done", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("workflow_id", "run_id", name="pk_enrolments"),
    )
    op.create_index("ix_enrolments_account_id", "enrolments", ["account_id"])
    op.create_index("ix_enrolments_campaign_id", "enrolments", ["campaign_id"])
    op.create_index("ix_enrolments_ended_on", "enrolments", ["ended_on"])

    op.create_table(
        "messages",
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("touch", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("to_email", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=False),
        sa.Column("transport", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_messages"),
    )
    op.create_index("ix_messages_account_id", "messages", ["account_id"])

    op.create_table(
        "launches",
        sa.Column("launch_id", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(200), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("launch_id", name="pk_launches"),
    )
    op.create_table(
        "launch_items",
        sa.Column("launch_id", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("start_at", _utc(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["launch_id"],
            ["launches.launch_id"],
            name="fk_launch_items_launch_id_launches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("launch_id", "position", name="pk_launch_items"),
    )


def downgrade() -> None:
    op.drop_table("launch_items")
    op.drop_table("launches")
    op.drop_index("ix_messages_account_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_enrolments_ended_on", table_name="enrolments")
    op.drop_index("ix_enrolments_campaign_id", table_name="enrolments")
    op.drop_index("ix_enrolments_account_id", table_name="enrolments")
    op.drop_table("enrolments")
    op.drop_index("ix_preferences_until", table_name="preferences")
    op.drop_table("preferences")
    op.drop_index("ix_contacts_email", table_name="contacts")
    op.drop_table("contacts")
    op.drop_table("accounts")
