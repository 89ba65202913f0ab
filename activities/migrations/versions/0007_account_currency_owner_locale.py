"""Accounts: the currency an account is billed in and its owner's language (the translations).

Revision ID: 0007
Revises: 0006
Create Date: 2027-03-01

Written out in full rather than imported from activities.store.schema: a migration must keep
creating what it created the day it shipped, whatever the models say later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "" is what the accounts file's empty column means (the country's currency; en), so rows
    # imported before this keep meaning what they meant.
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("currency", sa.String(3), nullable=False, server_default=""))
        batch.add_column(sa.Column("owner_locale", sa.String(35), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("owner_locale")
        batch.drop_column("currency")
