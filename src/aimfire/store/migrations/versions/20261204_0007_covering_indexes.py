"""Covering indexes: the indexes by rep and time of stage moves, resolved promises and closed
deals also hold the columns a scorecard counts them by, the index of deals by rep and stage
holds their value, and the index of accounts by rep and name holds the folded name, so
scorecards, plans, the board's totals and a search's company match read the indexes alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (index, table, the columns it had, the columns it now also holds)
WIDENED = (
    (
        "ix_deal_stage_changes_owner_changed",
        "deal_stage_changes",
        ["owner_id", "changed_at"],
        ["from_stage_id", "to_stage_id"],
    ),
    (
        "ix_commitments_owner_resolved",
        "commitments",
        ["owner_id", "resolved_at"],
        ["party", "status"],
    ),
    (
        "ix_deals_owner_stage",
        "deals",
        ["owner_id", "stage_id"],
        ["stage_entered_at", "value_cents"],
    ),
    ("ix_deals_owner_closed", "deals", ["owner_id", "closed_at"], ["stage_id", "value_cents"]),
    ("ix_accounts_owner_name", "accounts", ["owner_id", "name"], ["search_text"]),
)


def upgrade() -> None:
    for name, table, keys, extra in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [*keys, *extra])


def downgrade() -> None:
    for name, table, keys, _ in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, keys)
