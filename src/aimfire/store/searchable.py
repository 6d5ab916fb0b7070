"""What searches look through, folded once when written: each contact's names, email and
phone digits (``Contact.search_text``) and each account's name (``Account.search_text``).

A search looks for every word of the query ignoring case and accents. Folding the columns on
every search would mean reading every contact of the book; folded once when written, a
contact's text sits in the index that lists contacts by name, and a search over a hundred
thousand contacts reads that index alone.

Sessions fold the text of every contact and account they flush whose folded columns changed
(``keep_in_step``, installed on every session factory). Writers that bypass the ORM (imports,
the data generator) fold it with ``domain.contacts`` themselves; a restore and the migration
that added the columns call ``rebuild_all``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Table, bindparam, event, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from aimfire.domain.contacts import folded, search_text
from aimfire.store.models import Account, Contact

ROWS_PER_BATCH = 5_000
CONTACT_COLUMNS = ("first_name", "last_name", "email", "phone_digits")  # search_text's own


def contact_text(values: Mapping[str, str | None]) -> str:
    """The search text of a contact given by its columns (a row, or an object's attributes)."""
    return search_text(**{name: values[name] or "" for name in CONTACT_COLUMNS})


def keep_in_step(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _fold_flushed)


def _fold_flushed(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    for instance in chain(session.new, session.dirty):
        if isinstance(instance, Contact) and _changed(instance, CONTACT_COLUMNS):
            # Defaults are not filled in before the flush, so a new contact's may be None.
            instance.search_text = contact_text(
                {name: getattr(instance, name) for name in CONTACT_COLUMNS}
            )
        elif isinstance(instance, Account) and _changed(instance, ("name",)):
            instance.search_text = folded(instance.name)


def _changed(instance: Contact | Account, names: Sequence[str]) -> bool:
    state = inspect(instance)
    return state.pending or any(state.attrs[name].history.has_changes() for name in names)


def rebuild_all(connection: Connection) -> None:
    """Fold every contact's and account's search text afresh: after a restore or a migration."""
    _rebuild(connection, Contact.__table__, CONTACT_COLUMNS, contact_text)
    _rebuild(connection, Account.__table__, ("name",), lambda row: folded(row["name"]))


def _rebuild(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    fold: Callable[[Mapping[str, Any]], str],
) -> None:
    c = table.c
    statement = (
        update(table)
        .where(c.id == bindparam("row_id"))
        # Naming updated_at keeps it: the record itself has not changed.
        .values(search_text=bindparam("folded"), updated_at=c.updated_at)
    )
    after = 0
    while batch := connection.execute(
        select(c.id, *(c[name] for name in names))
        .where(c.id > after)
        .order_by(c.id)
        .limit(ROWS_PER_BATCH)
    ).all():
        connection.execute(
            statement, [{"row_id": row.id, "folded": fold(row._mapping)} for row in batch]
        )
        after = batch[-1].id
