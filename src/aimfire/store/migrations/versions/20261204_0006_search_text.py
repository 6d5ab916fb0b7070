"""Search text: each contact's names, email and phone digits, and each account's name, folded
for searching (``store.searchable``); the contact's in an index that lists contacts by name,
so a search reads that index alone instead of every contact.

Filled here with the app's own code (``store.searchable``), so the migration and a restore
agree. Should a later migration change the columns it reads, freeze a copy of it here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aimfire.store import searchable

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SEARCH_INDEX_COLUMNS = [
    "owner_id",
    "last_name",
    "first_name",
    "id",
    "archived_at",
    "account_id",
    "search_text",
]


def upgrade() -> None:
    # The default fills the rows already stored; it stays, as SQLite cannot drop a column's
    # default without copying the table, which would cascade into every row referring to it.
    for table in ("contacts", "accounts"):
        op.add_column(table, sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    op.drop_index("ix_contacts_owner_last_name", table_name="contacts")
    searchable.rebuild_all(op.get_bind())
    op.create_index("ix_contacts_owner_name_search", "contacts", SEARCH_INDEX_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_contacts_owner_name_search", table_name="contacts")
    op.create_index(
        "ix_contacts_owner_last_name", "contacts", ["owner_id", "last_name", "first_name"]
    )
    for table in ("contacts", "accounts"):
        op.drop_column(table, "search_text")
