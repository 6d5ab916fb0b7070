"""Alembic environment: always run with a connection handed in by aimfire.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from aimfire.store.models import Base

# Any number fits; it only has to be the same in every worker that starts at once.
POSTGRES_MIGRATION_LOCK = 74_061_215


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    if connection.dialect.name == "postgresql":
        # Several workers may start together; only one may migrate at a time.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_MIGRATION_LOCK}
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()


run_migrations()
