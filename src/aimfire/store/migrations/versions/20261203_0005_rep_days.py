"""Rep days: each rep's logged interactions counted per day of their calendar, kept on every
write, for scorecards and behaviour plans; and indexes for the other events they count (deals
won and proposals sent, promises resolved) by rep and time.

Filled here from the interactions already stored, with the app's own code
(``store.rep_days``), so the migration and every later rebuild agree. Should a later
migration change the columns it reads, freeze a copy of it here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aimfire.store import rep_days

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COUNTS = (
    "attempts",
    "conversations",
    "meetings",
    "advances",
    "objectives_met",
    "objectives_partly_met",
    "objectives_missed",
)

INDEXES = (
    ("ix_deals_owner_closed", "deals", ["owner_id", "closed_at"]),
    ("ix_deals_owner_proposal_sent", "deals", ["owner_id", "proposal_sent_on"]),
    ("ix_commitments_owner_resolved", "commitments", ["owner_id", "resolved_at"]),
)


def upgrade() -> None:
    op.create_table(
        "rep_days",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column("by_channel", sa.JSON(), nullable=False),
        sa.Column("quality", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_rep_days_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner_id", "day", name=op.f("pk_rep_days")),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    rep_days.rebuild_all(op.get_bind())


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("rep_days")
