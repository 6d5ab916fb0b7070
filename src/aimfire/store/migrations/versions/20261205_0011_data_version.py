"""The data version: one number, raised by every transaction that changes the data, so a page
can be kept between changes and served again until the data it shows may differ
(``store.data_version``; Today's page at a large book took 9 to 12 ms of queries a visit).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )


def downgrade() -> None:
    op.drop_table("data_version")
