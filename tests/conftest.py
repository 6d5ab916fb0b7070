"""Fixtures: a fresh database per test on SQLite and on PostgreSQL, the app, and personas.

PostgreSQL: ``AIMFIRE_TEST_POSTGRES_URL`` (default: the local server's ``test`` database) is
used to create a throwaway database for the run. When it cannot be reached the PostgreSQL
half of the suite is skipped with the reason, unless ``AIMFIRE_REQUIRE_POSTGRES=1`` (as in
CI), which makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from aimfire.config import Settings
from aimfire.services.setup import Database, open_database
from aimfire.store.db import make_engine
from aimfire.store.migrate import upgrade
from aimfire.store.models import Base
from aimfire.web.app import create_app
from support import Personas, make_personas, skip_or_fail

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated throwaway PostgreSQL database for this test run."""
    admin_url = os.environ.get("AIMFIRE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"aimfire_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any connection failure means "no PostgreSQL here"
        admin.dispose()
        skip_or_fail(
            f"PostgreSQL not reachable at {make_url(admin_url).render_as_string()}: "
            f"{type(error).__name__}",
            "AIMFIRE_REQUIRE_POSTGRES",
        )
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close folds the WAL back into the file
    return path


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "aimfire.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key",
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = open_database(settings, migrate=False)
    yield database
    database.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[object]:
    with database.sessions() as session:
        yield session


@pytest.fixture
def personas(database: Database) -> Personas:
    with database.sessions.begin() as session:
        return make_personas(session)


@pytest.fixture
def app(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client
