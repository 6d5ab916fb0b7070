from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from aimfire.config import Settings
from aimfire.services.demo import load_demo
from aimfire.services.setup import Database, open_database
from aimfire.store import data_version
from aimfire.store.db import make_engine
from aimfire.store.migrate import alembic_config, current_revision, head_revision, upgrade
from aimfire.store.models import Account, Base, Contact, Deal, DealActivity, User
from aimfire.store.types import utcnow
from health_support import drift


# SQLAlchemy cannot read an index on an expression back from SQLite (it warns and leaves it
# out); the next test checks that one is there.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_the_models_and_the_migrations_agree(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_index_of_account_names_in_lower_case_is_there(database: Database) -> None:
    definitions = {
        "sqlite": "SELECT sql FROM sqlite_master WHERE name = :name",
        "postgresql": "SELECT indexdef FROM pg_indexes WHERE indexname = :name",
    }
    with database.engine.connect() as connection:
        query = text(definitions[connection.dialect.name])
        index = {"name": "ix_accounts_owner_lower_name"}
        definition = connection.execute(query, index).scalar_one()
    assert re.search(r"owner_id, lower\(\(?name\)?", definition.replace('"', ""))


def test_the_database_is_at_the_head_revision(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()


def test_the_revision_chain_is_linear_and_files_sort_by_date() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert all(not isinstance(r.down_revision, tuple) for r in revisions)
    names = [Path(r.path).name for r in reversed(revisions)]
    assert names == sorted(names)


def test_upgrading_twice_changes_nothing(database: Database) -> None:
    upgrade(database.engine)
    assert current_revision(database.engine) == head_revision()


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000
    engine.dispose()


def test_opening_a_sqlite_book_tells_the_planner_its_tables_sizes(tmp_path: Path) -> None:
    """PostgreSQL's autovacuum keeps its statistics; SQLite's are taken as the app opens."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'book.db'}",
        secret_key="test-secret-key",
    )
    database = open_database(settings)
    with database.sessions.begin() as db:
        load_demo(db)
        deals = db.scalar(select(func.count()).select_from(Deal))
        contacts = db.scalar(select(func.count()).select_from(Contact))
    database.dispose()
    reopened = open_database(settings)
    with reopened.engine.connect() as connection:
        counted = dict(connection.execute(text("SELECT idx, stat FROM sqlite_stat1")).all())
    reopened.dispose()
    assert counted["ix_deals_owner_updated"].startswith(f"{deals} ")
    assert counted["ix_contacts_owner_email"].startswith(f"{contacts} ")


def test_instants_come_back_timezone_aware_and_naive_ones_are_refused(db: Session) -> None:
    user = User(email="t@example.com", name="T", password_hash="x")
    db.add(user)
    db.flush()
    db.refresh(user)
    assert user.created_at.tzinfo is not None
    assert abs((utcnow() - user.created_at).total_seconds()) < 60
    user.created_at = utcnow().replace(tzinfo=None)
    with pytest.raises(Exception, match="naive datetime"):
        db.flush()


def test_existing_rows_survive_every_migration(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(
                text(
                    f'DROP TABLE IF EXISTS "{table.name}" CASCADE'
                    if engine.dialect.name == "postgresql"
                    else f'DROP TABLE IF EXISTS "{table.name}"'
                )
            )
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, name, password_hash, is_admin, is_active, time_zone,"
                " week_start, created_at, updated_at) VALUES ('old@example.com', 'Old', 'x',"
                " false, true, 'UTC', 0, :now, :now)"
            ),
            {"now": utcnow().replace(tzinfo=None)},
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT working_days, selling_hours_per_week, calendar_version FROM users")
        ).one()
    assert tuple(row) == ("01234", 20, 1)
    engine.dispose()


def down_and_up_again(database: Database, revision: str) -> None:
    """Undo every migration after ``revision``, then apply them again to the rows kept."""
    config = alembic_config()
    with database.engine.begin() as connection, data_version.untracked(connection):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    upgrade(database.engine)


def test_the_deal_activity_migration_sums_up_the_interactions_already_stored(
    database: Database,
) -> None:
    with database.sessions.begin() as db:
        load_demo(db)
        kept = db.scalar(select(func.count()).select_from(DealActivity))
    assert kept
    down_and_up_again(database, "0002")
    with database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DealActivity)) == kept
        assert drift(connection) == (set(), set())


def test_the_search_text_migration_folds_what_is_already_stored(database: Database) -> None:
    with database.sessions.begin() as db:
        load_demo(db)
    down_and_up_again(database, "0005")
    with database.engine.connect() as connection:
        assert drift(connection) == (set(), set())  # each search text as folded afresh
        texts = connection.scalars(select(Contact.search_text).union(select(Account.search_text)))
        assert "" not in set(texts)
