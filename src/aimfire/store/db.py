"""Engine and session set-up for SQLite and PostgreSQL through one code path."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from aimfire.store import deal_summaries, rep_days, searchable

SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_MMAP_BYTES = 1 << 30  # address space only; the OS shares the pages between connections
WRITE_OPTION = "aimfire_write"
SQLITE_ANALYSIS_ROWS = 1000  # read of each index to estimate it: a large book in 0.1 s


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_on_sqlite)
    return engine


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin_immediate...).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Pages read through a memory map rather than a read() call each: the big aggregate
    # pages (Today, deal health) spent a third of their time in the kernel copying pages.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _begin_on_sqlite(connection: Any) -> None:
    # A deferred transaction that reads and then writes can fail with "database is locked"
    # at once, without waiting; so a transaction that will write takes the write lock up
    # front (BEGIN IMMEDIATE honours busy_timeout). Reads stay deferred and never block.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def refresh_sqlite_statistics(connection: Connection) -> None:
    """Tell SQLite's planner how big the tables are and how selective their indexes, in the
    connection's transaction: as the app opens the database, and as an import ends (SQLite
    keeps this in sqlite_stat1; PostgreSQL's autovacuum does the same on its own). Without
    it, the planner takes any index that gives a query's order for cheap: it read all 20,000
    of a rep's deals in the order of the deals list to find the four of one account (14.5 ms,
    0.1 ms with the statistics). Sampled, so as quick on a large book as on a small one."""
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_ROWS}")
    connection.exec_driver_sql("ANALYZE")


def begin_write(session: Session) -> None:
    """Start ``session``'s transaction as one that will write (a no-op on PostgreSQL)."""
    session.connection(execution_options={WRITE_OPTION: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    searchable.keep_in_step(factory)
    deal_summaries.keep_in_step(factory)
    rep_days.keep_in_step(factory)
    return factory
