"""An index of each owner's deals by when they last changed: the deals list (and the deals a
plan can be for) shows the most recently changed first, and without it every visit sorted all
of a rep's deals (20,000 in a large book: 33 ms on SQLite and 73 ms on PostgreSQL for a page
of 50, against 3.5 and 6.9 ms with it).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 02:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deals_owner_updated", "deals", ["owner_id", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_deals_owner_updated", table_name="deals")
