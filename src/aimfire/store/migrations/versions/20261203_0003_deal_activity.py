"""Deal activity: each deal's interactions summed up for deal health, kept on every write.

Filled here from the interactions already stored, with the app's own query
(``store.deal_activity``), so the migration and every later rebuild agree. Should a later
migration change the interactions columns that query reads, freeze a copy of it here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aimfire.store.types
from aimfire.store import deal_activity

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deal_activity",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("latest_meeting_at", aimfire.store.types.UTCDateTime(), nullable=True),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("last_conversation_at", aimfire.store.types.UTCDateTime(), nullable=True),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("first_unanswered_at", aimfire.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_activity_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_deal_activity")),
    )
    deal_activity.rebuild_all(op.get_bind())


def downgrade() -> None:
    op.drop_table("deal_activity")
