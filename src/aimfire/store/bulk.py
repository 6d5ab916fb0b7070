"""Many rows at once: inserting them fast (one compiled INSERT, the column types' own
conversions, and the driver's executemany, without building a statement context per row),
and naming them by id a bounded number at a time.

For imports of hundreds of thousands of rows; values still go through each column's type
(so UTC instants and JSON are stored exactly as the ORM would store them). Python-side
column defaults are not applied: every row must give every column it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

IDS_PER_STATEMENT = 1000  # ids in one IN list, well under SQLite's limit on bound values


def id_chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """``ids`` in slices short enough for one IN list each."""
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        yield ids[start : start + IDS_PER_STATEMENT]


def insert_many(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = db.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    convert = {
        name: _memoized(processor)
        for name in names
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    }
    if compiled.positional:
        order = [compiled.binds[bind].key for bind in compiled.positiontup or ()]
        # Every value picked in C, then only the few that need it converted: a generator over
        # every column of every row was a tenth of a large import's time.
        values_of = itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
        steps = [(i, convert[name]) for i, name in enumerate(order) if name in convert]
        params: list[Any] = []
        for row in rows:
            values = list(values_of(row))
            for i, step in steps:
                values[i] = step(values[i])
            params.append(tuple(values))  # the drivers take tuples, not lists
    else:
        params = [
            {
                n: value if (step := convert.get(n)) is None else step(value)
                for n, value in row.items()
            }
            for row in rows
        ]
    connection.exec_driver_sql(compiled.string, params)


def _memoized(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The processor, remembering its result for values that repeat (a batch's one 'now',
    the same date on many rows); unhashable values (JSON) are converted every time."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = processor(value)
            return result
        except TypeError:
            return processor(value)

    return convert
