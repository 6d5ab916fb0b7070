"""An index of the interactions that follow up a promise: Today leaves out the overdue
promises that already have a follow-up planned, and without it finding those meant reading
every plan of the rep (a thousand in a large book) on every visit. Only the few interactions
that follow up a promise are in it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FOLLOWING_UP = sa.text("follows_commitment_id IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_interactions_follows_commitment",
        "interactions",
        ["follows_commitment_id", "status"],
        postgresql_where=FOLLOWING_UP,
        sqlite_where=FOLLOWING_UP,
    )


def downgrade() -> None:
    op.drop_index("ix_interactions_follows_commitment", table_name="interactions")
