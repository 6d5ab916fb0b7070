"""Many rows at once: inserting them fast (one compiled INSERT, the column types' own
conversions, and the driver's executemany, without building a statement context per row; on
PostgreSQL a COPY), and naming them by id a bounded number at a time (``one_of``).

For imports of hundreds of thousands of rows; values still go through each column's type
(so UTC instants and JSON are stored exactly as the ORM would store them). Python-side
column defaults are not applied: every row must give every column it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

IDS_PER_STATEMENT = 1000  # values asked for in one statement: bounds what each one reads


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
        return
    # SQLite binds by position, in the compiled statement's order of the columns.
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = [compiled.binds[bind].key for bind in compiled.positiontup or ()]
    stored = _stored(connection, table, {name: columns[name] for name in order})
    connection.exec_driver_sql(compiled.string, list(zip(*stored, strict=True)))


def _copy(connection: Connection, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """PostgreSQL's COPY: the rows stream to the server in one statement, which takes them
    several times faster than as many INSERTs (the rows' parameters each bound and sent)."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(map(quote, columns))
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    rows = zip(*_stored(connection, table, columns), strict=True)
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


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
    ends). SQLite's planner does not need statistics for these lookups; its statistics of the
    whole book are taken as the import ends (``store.db.refresh_sqlite_statistics``).
    """
    dialect = db.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    by_table: dict[str, list[str]] = {}
    for column in columns:
        by_table.setdefault(quote(column.table.name), []).append(quote(column.name))
    targets = ", ".join(f"{table} ({', '.join(names)})" for table, names in by_table.items())
    if dialect.name == "postgresql" and targets:  # no targets would analyse every table
        db.execute(text(f"ANALYZE (SKIP_LOCKED) {targets}"))


def _converted(column: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """Each value as the column's type stores it; a value that repeats (a batch's one 'now',
    the same date on many rows) is converted once. Unhashable values (JSON) each time."""
    try:
        stored = {value: processor(value) for value in dict.fromkeys(column)}
    except TypeError:
        return list(map(processor, column))
    return list(map(stored.__getitem__, column))
