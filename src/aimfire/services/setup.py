"""Opening the database: migrate it to the latest schema and seed what every install needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aimfire.config import Settings
from aimfire.services.pipeline import ensure_default_stages
from aimfire.services.playbooks import ensure_builtin_playbooks
from aimfire.store import data_version
from aimfire.store.db import make_engine, make_session_factory, refresh_sqlite_statistics
from aimfire.store.migrate import upgrade


@dataclass(frozen=True, slots=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    engine = make_engine(settings.effective_database_url)
    if migrate:
        upgrade(engine)
        with engine.begin() as connection:
            refresh_sqlite_statistics(connection)
    data_version.track(engine)  # once the schema has the number to raise
    database = Database(engine, make_session_factory(engine))
    with database.sessions.begin() as db:
        ensure_default_stages(db)
        ensure_builtin_playbooks(db)
    return database
