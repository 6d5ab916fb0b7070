"""Each contact's search text (``Contact.search_text``), kept in step with the contact.

A search looks for every word of the query in the contact's names, email and phone digits,
ignoring case and accents. Folding those columns on every search would mean reading every
contact of the book; folded once when the contact is written, the text sits in the index
that lists contacts by name, and a search over a hundred thousand contacts reads that index
alone.

Sessions fold the text of every contact they flush (``keep_in_step``, installed on every
session factory). Writers that bypass the ORM (imports, the data generator) fold it with
``domain.contacts.search_text`` themselves; a restore and the migration that added the column
call ``rebuild_all``.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import Connection, bindparam, event, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from aimfire.domain.contacts import search_text
from aimfire.store.models import Contact

ROWS_PER_BATCH = 5_000
FOLDED = ("first_name", "last_name", "email", "phone_digits")
contacts = Contact.__table__


def keep_in_step(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _fold_flushed)


def _fold_flushed(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    for instance in chain(session.new, session.dirty):
        if isinstance(instance, Contact) and _folded_columns_changed(instance):
            # Defaults are not filled in before the flush, so a new contact's may be None.
            instance.search_text = search_text(
                instance.first_name,
                instance.last_name or "",
                instance.email or "",
                instance.phone_digits or "",
            )


def _folded_columns_changed(contact: Contact) -> bool:
    state = inspect(contact)
    return state.pending or any(state.attrs[name].history.has_changes() for name in FOLDED)


def rebuild_all(connection: Connection) -> None:
    """Fold the search text of every contact afresh: after a restore or a migration."""
    c = contacts.c
    statement = (
        update(contacts)
        .where(c.id == bindparam("contact_id"))
        # Naming updated_at keeps it: the contact itself has not changed.
        .values(search_text=bindparam("folded"), updated_at=c.updated_at)
    )
    after = 0
    while batch := connection.execute(
        select(c.id, c.first_name, c.last_name, c.email, c.phone_digits)
        .where(c.id > after)
        .order_by(c.id)
        .limit(ROWS_PER_BATCH)
    ).all():
        connection.execute(
            statement,
            [{"contact_id": row[0], "folded": search_text(*row[1:])} for row in batch],
        )
        after = batch[-1][0]
