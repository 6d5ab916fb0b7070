"""An index of each owner's accounts by their name in lower case: a contacts import matches
the companies its rows name in any case, and without it each batch read all of the owner's
accounts to find them (3.2 s of a million-row import that names 50,000 companies). With the
name itself, the lookup reads the index alone, and SQLite chooses it without statistics.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_accounts_owner_lower_name",
        "accounts",
        ["owner_id", sa.text("lower(name)"), "name"],
    )


def downgrade() -> None:
    op.drop_index("ix_accounts_owner_lower_name", table_name="accounts")
