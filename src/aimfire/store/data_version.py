"""The data version: a number every transaction that changes the data raises as it commits.

Something worked out from the data (Today's page) can be kept with the number it was made at
and served again while the number has not moved: nothing it was made from can have changed.
The number lives in the database, so every process agrees on it (the web workers, the CLI).

Changes are noticed on the connection, below the ORM, so no way of writing escapes: every
statement that is not a read marks its transaction, and a COPY (``store.bulk``) marks it
itself. Sign-ins and API token use are not the data and leave the number alone. As a marked
transaction commits, the number is raised in that same transaction, its last statement, so a
reader sees the new number and the new rows together, or neither; and as the last lock the
transaction takes, two writers cannot each wait for the other over it. A transaction that
rolls back leaves it alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session

from aimfire.store.models import DataVersion

_CHANGED = "aimfire_data_changed"  # connection.info key: the transaction wrote
_UNTRACKED = "aimfire_data_untracked"  # connection.info key: changes raise nothing
_READS = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "ANALYZE", "SET", "SHOW")
_NOT_DATA = re.compile(
    r'(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:user_sessions|api_tokens|data_version)\b',
    re.IGNORECASE,
)
_RAISE = (
    "INSERT INTO data_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = data_version.version + 1"
)


def track(engine: Engine) -> None:
    """Raise the number as each of ``engine``'s transactions that changed the data commits."""
    event.listen(engine, "before_cursor_execute", _note_statement)
    event.listen(engine, "commit", _raise_if_changed)
    event.listen(engine, "rollback", _forget)


def current(db: Session) -> int:
    """The number as the session's transaction sees it (0 before the first change)."""
    return db.scalar(select(DataVersion.version)) or 0


def note_change(connection: Connection) -> None:
    """Mark the connection's transaction as one that changed the data, for writes the
    driver makes without a statement of SQLAlchemy's (PostgreSQL's COPY)."""
    if _UNTRACKED not in connection.info:
        connection.info[_CHANGED] = True


@contextmanager
def untracked(connection: Connection) -> Iterator[None]:
    """Within, the connection's changes raise nothing: migrations, which run before any page
    is kept (and before there is a number to raise)."""
    connection.info[_UNTRACKED] = True
    try:
        yield
    finally:
        del connection.info[_UNTRACKED]
        connection.info.pop(_CHANGED, None)


def _note_statement(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
    if _UNTRACKED in connection.info:
        return
    text = statement.lstrip()
    if not text[:10].upper().startswith(_READS) and not _NOT_DATA.match(text):
        connection.info[_CHANGED] = True


def _raise_if_changed(connection: Connection) -> None:
    if connection.info.pop(_CHANGED, False):
        # Through the driver: SQLAlchemy is committing this connection's transaction.
        cursor = connection.connection.cursor()
        try:
            cursor.execute(_RAISE)
        finally:
            cursor.close()


def _forget(connection: Connection) -> None:
    connection.info.pop(_CHANGED, None)
