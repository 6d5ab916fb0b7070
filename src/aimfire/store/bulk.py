"""Many rows at once: inserting them fast (one compiled INSERT, the column types' own
conversions, and the driver's executemany, without building a statement context per row; on
PostgreSQL a COPY), and naming them by id a bounded number at a time (``one_of``).

For imports of hundreds of thousands of rows; values still go through each column's type
(so UTC instants and JSON are stored exactly as the ORM would store them). Python-side
column defaults are not applied: every row must give every column it needs. Within
``copies_kept_open``, PostgreSQL stores one batch while the caller prepares the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from operator import itemgetter
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    String,
    Table,
    any_,
    bindparam,
    event,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from aimfire.store import data_version

IDS_PER_STATEMENT = 1000  # values asked for in one statement: bounds what each one reads
IMPORT_STATISTICS_TARGET = 10  # PostgreSQL's default_statistics_target while an import runs


def id_chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """``ids`` in slices of at most ``IDS_PER_STATEMENT``, one statement each."""
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        yield ids[start : start + IDS_PER_STATEMENT]


class OneOf(ColumnElement[bool]):
    """``column IN (the values)``, the values bound by name, as one parameter, when the
    statement runs: an array on PostgreSQL (``column = ANY(:name)``), a JSON array read by
    ``json_each`` on SQLite. The statement's text is then the same for any number of values:
    nothing to render per value, and the driver and server prepare and plan it once, where an
    IN list is a new text, parsed and planned, for every count of values (as it stays on
    other databases).
    """

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition in itself: not compared with 1 on SQLite
    _traverse_internals: ClassVar[list[tuple[str, InternalTraversal]]] = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column, self.name = column, name


def one_of(column: Any, name: str = "ids") -> OneOf:
    """``column`` is one of the values bound as ``name``."""
    return OneOf(column, name)


@compiles(OneOf)
def _expanding(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(OneOf, "sqlite")
def _json_array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    values = compiler.process(bindparam(element.name, type_=JSON()), **kw)
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({values}))"


@compiles(OneOf, "postgresql")
def _array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    item = element.column.type
    if isinstance(item, String):  # a cast to VARCHAR(n) would cut a longer value short
        item = String()
    values = bindparam(element.name, type_=ARRAY(item))
    return compiler.process(element.column == any_(values), **kw)


def insert_many(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction."""
    if rows:
        insert_columns(db, table, {name: list(map(itemgetter(name), rows)) for name in rows[0]})


def insert_columns(db: Session, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """Insert rows given column by column (a list of values per column name, all as long)."""
    if not any(columns.values()):
        return
    connection = db.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        _copy(connection, table, columns)
        data_version.note_change(connection)  # the COPY is the driver's, unseen by SQLAlchemy
        return
    # SQLite binds by position, in the compiled statement's order of the columns.
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = [compiled.binds[bind].key for bind in compiled.positiontup or ()]
    stored = _stored(connection, table, {name: columns[name] for name in order})
    connection.exec_driver_sql(compiled.string, list(zip(*stored, strict=True)))


def _copy(connection: Connection, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """PostgreSQL's COPY: the rows stream to the server in one statement, which takes them
    several times faster than as many INSERTs (the rows' parameters each bound and sent)."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(map(quote, columns))
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)"
    # Binary: the driver writes each value as stored, in C, rather than as escaped text the
    # server parses (the import's own work for 100,000 contacts 1.17 -> 0.94 s); it needs to
    # be told each column's type.
    types = [table.c[name].type.compile(dialect=dialect).split("(")[0].lower() for name in columns]
    rows = zip(*_stored(connection, table, columns), strict=True)
    kept: _KeptCopy | None = connection.info.get(_KEPT_COPY)
    copy = _KeptCopy(connection) if kept is None else kept
    write_row = copy.into(statement, types).write_row
    for row in rows:
        write_row(row)
    if kept is None:
        copy.end()


_KEPT_COPY = "aimfire.kept_copy"  # the connection's open COPY, in its ``info``


class _KeptCopy:
    """One COPY at a time on a connection, left open after its rows until a statement that
    is not more rows for it: rows for the same table and columns go into it; any other
    statement the connection runs ends it first (``before_cursor_execute``)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._statement = ""
        self._open = ExitStack()
        self._copy: Any = None

    def into(self, statement: str, types: list[str]) -> Any:
        """The open COPY ``statement`` of columns of these types, begun if another (or none)
        is open."""
        if statement != self._statement:
            self.end()
            with self._wrapped_errors(statement):
                cursor = self._open.enter_context(self._connection.connection.cursor())
                self._copy = self._open.enter_context(cursor.copy(statement))
                self._copy.set_types(types)
            self._statement = statement
        return self._copy

    def end(self) -> None:
        """Wait for the server to have stored every row, and check that it took them."""
        statement, self._statement, self._copy = self._statement, "", None
        with self._wrapped_errors(statement):
            self._open.close()

    def abandon(self, error: BaseException) -> None:
        """Tell the server the rows are not coming (it discards the COPY), for ``error``."""
        self._statement, self._copy = "", None
        self._open.__exit__(type(error), error, error.__traceback__)

    def end_before(self, *_: Any) -> None:  # the before_cursor_execute event's signature
        self.end()

    @contextmanager
    def _wrapped_errors(self, statement: str) -> Iterator[None]:
        """The driver's errors raised as SQLAlchemy's, as the statements it runs are."""
        dbapi = self._connection.dialect.loaded_dbapi
        try:
            yield
        except dbapi.Error as error:
            raise DBAPIError.instance(statement, None, error, dbapi.Error) from error


@contextmanager
def copies_kept_open(db: Session) -> Iterator[None]:
    """Within, PostgreSQL stores each batch of rows while the caller prepares the next.

    The rows of ``insert_columns`` stream to the server as they are written, and the server
    stores them as they arrive; ending the COPY waits until it has stored the last. Left open,
    the COPY ends only when the connection runs another statement (or as this ends): rows
    the caller writes meanwhile, for the same table and columns, join the same COPY, and the
    server works through those already sent while the caller reads and checks more. On
    SQLite, where the rows are written by the caller's own process, nothing changes.
    """
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    kept = connection.info[_KEPT_COPY] = _KeptCopy(connection)
    event.listen(connection, "before_cursor_execute", kept.end_before)
    try:
        yield
    except BaseException as error:
        kept.abandon(error)
        raise
    else:
        kept.end()
    finally:
        event.remove(connection, "before_cursor_execute", kept.end_before)
        del connection.info[_KEPT_COPY]


def _stored(
    connection: Connection, table: Table, columns: Mapping[str, Sequence[Any]]
) -> list[Sequence[Any]]:
    """Each column's values as its type stores them. Converted column by column, so that runs
    in C (map over a dict's lookup), not in a Python loop over every value of every row."""
    dialect = connection.dialect
    stored = []
    for name, values in columns.items():
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        stored.append(values if processor is None else _converted(values, processor))
    return stored


def refresh_statistics(db: Session, columns: Iterable[Column[Any]]) -> None:
    """Bring PostgreSQL's statistics of ``columns`` (and of their tables' sizes) up to date
    inside the transaction.

    PostgreSQL plans a statement by what its statistics say of the tables, and a long import
    leaves them describing the tables as they were before it (an empty book, say): it then
    reads all of a book to look up a few thousand emails, batch after batch. ANALYZE inside
    the transaction counts the rows the transaction wrote; only the columns lookups filter on
    are sampled, a third of the time of all of them. SKIP_LOCKED: a table another import has
    refreshed is left as it is rather than waited for (the lock lasts until that import
    ends). The sample is a tenth of ANALYZE's usual (3,000 rows; a sixth of the time): enough
    to tell the planner a column of emails is nearly unique, and autovacuum takes the full
    statistics once the import has committed. SQLite's planner does not need statistics for
    these lookups; its statistics of the whole book are taken as the import ends
    (``store.db.refresh_sqlite_statistics``).
    """
    dialect = db.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    by_table: dict[str, list[str]] = {}
    for column in columns:
        by_table.setdefault(quote(column.table.name), []).append(quote(column.name))
    targets = ", ".join(f"{table} ({', '.join(names)})" for table, names in by_table.items())
    if dialect.name != "postgresql" or not targets:  # no targets would analyse every table
        return
    usual = db.scalar(text("SELECT current_setting('default_statistics_target')"))
    db.execute(text(f"SET LOCAL default_statistics_target = {IMPORT_STATISTICS_TARGET}"))
    db.execute(text(f"ANALYZE (SKIP_LOCKED) {targets}"))
    db.execute(
        text("SELECT set_config('default_statistics_target', :usual, true)"), {"usual": usual}
    )


def _converted(column: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """Each value as the column's type stores it; a value that repeats (a batch's one 'now',
    the same date on many rows) is converted once. Unhashable values (JSON) each time."""
    try:
        stored = {value: processor(value) for value in dict.fromkeys(column)}
    except TypeError:
        return list(map(processor, column))
    return list(map(stored.__getitem__, column))
