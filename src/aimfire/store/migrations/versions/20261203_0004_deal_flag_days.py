"""Deal flag days: the first day each health rule flags each open deal, kept on every write;
and an index of promises by deal, by which health reads a page's deals' promises.

Filled here from the facts already stored, with the app's own code (``store.deal_flags``), so
the migration and every later rebuild agree. Should a later migration change the columns
those facts are read from, freeze a copy of it here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 17:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aimfire.store import deal_flags

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RULES = (  # domain.health.Rule, as it stood
    "stalled",
    "proposal_without_follow_up",
    "promise_overdue",
    "no_next_step",
    "decision_maker_unknown",
    "decision_maker_not_met",
    "too_long_in_stage",
)


def upgrade() -> None:
    op.create_table(
        "deal_flag_days",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        *(sa.Column(rule, sa.Date(), nullable=True) for rule in RULES),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_flag_days_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_deal_flag_days_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_deal_flag_days")),
    )
    op.create_index("ix_deal_flag_days_owner", "deal_flag_days", ["owner_id"])
    op.create_index("ix_commitments_deal", "commitments", ["deal_id"])
    deal_flags.rebuild_all(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_commitments_deal", table_name="commitments")
    op.drop_index("ix_deal_flag_days_owner", table_name="deal_flag_days")
    op.drop_table("deal_flag_days")
