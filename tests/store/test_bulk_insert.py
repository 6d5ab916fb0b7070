"""Inserting many rows at once (``store.bulk.insert_columns``; a COPY on PostgreSQL) stores
exactly what the ORM stores, on both databases; and the statistics a long import refreshes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aimfire.store.bulk import copies_kept_open, insert_columns, refresh_statistics
from aimfire.store.models import Contact
from support import Personas, counting

# Text that a COPY's own format would garble if it were written unescaped.
AWKWARD = ["tab\there", "two\nlines", "back\\slash", "\\N", "", "Zoë “quoted” Müller", "🙂"]


def _named(owner_id: int, first_names: list[str]) -> dict[str, list[Any]]:
    """The columns of new contacts with these first names and nothing else."""
    size = len(first_names)
    return {
        "owner_id": [owner_id] * size,
        "first_name": first_names,
        **{name: [""] * size for name in ("last_name", "email", "phone", "phone_digits")},
        **{name: [""] * size for name in ("title", "notes", "search_text")},
        "source": ["other"] * size,
        "custom_fields": [{}] * size,
        **{name: [datetime.now(UTC)] * size for name in ("created_at", "updated_at")},
    }


def _count(db: Session, owner_id: int) -> int:
    return db.scalar(select(func.count(Contact.id)).where(Contact.owner_id == owner_id)) or 0


def _stored(db: Session, ids: list[int]) -> list[dict[str, Any]]:
    fields = ("first_name", "last_name", "notes", "role", "custom_fields", "created_at")
    rows = db.scalars(select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id))
    return [{name: getattr(row, name) for name in fields} for row in rows]


def test_rows_inserted_by_column_read_back_as_the_orms_do(db: Session, personas: Personas) -> None:
    summer = datetime(2026, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=-4)))
    values = [
        {
            "first_name": f"Ana {n}",
            "last_name": awkward,
            "notes": awkward * 3,
            "role": None if n % 2 else "champion",
            "custom_fields": {"Record ID": f"{n:04d}", "Ünïcode": awkward, "quote": '"'},
            "created_at": summer + timedelta(days=n),
        }
        for n, awkward in enumerate(AWKWARD)
    ]
    by_orm = [Contact(owner_id=personas.rita.id, **row) for row in values]
    db.add_all(by_orm)
    db.flush()
    now = datetime.now(UTC)
    columns = {name: [row[name] for row in values] for name in values[0]}
    columns |= {
        "owner_id": [personas.rita.id] * len(values),
        "email": [""] * len(values),
        "phone": [""] * len(values),
        "phone_digits": [""] * len(values),
        "title": [""] * len(values),
        "source": ["other"] * len(values),
        "search_text": [""] * len(values),
        "updated_at": [now] * len(values),
    }
    insert_columns(db, Contact.__table__, columns)
    db.expire_all()

    by_column = db.scalars(
        select(Contact.id).where(Contact.id.not_in([c.id for c in by_orm])).order_by(Contact.id)
    ).all()
    assert len(by_column) == len(values)
    expected = _stored(db, [c.id for c in by_orm])
    assert _stored(db, list(by_column)) == expected
    assert expected[0]["created_at"] == summer.astimezone(UTC)


def test_refreshed_statistics_count_the_rows_the_transaction_wrote(
    db: Session, personas: Personas
) -> None:
    size = 300
    insert_columns(
        db, Contact.__table__, _named(personas.rita.id, [f"Ana {n}" for n in range(size)])
    )
    postgresql = db.get_bind().dialect.name == "postgresql"
    usual = text("SELECT current_setting('default_statistics_target')")
    before = db.scalar(usual) if postgresql else None
    with counting(db) as statements:
        refresh_statistics(db, [])  # no columns is no statement, not an ANALYZE of every table
        refresh_statistics(db, [Contact.__table__.c.owner_id, Contact.__table__.c.email])
    if not postgresql:
        assert statements == []  # SQLite's plans are left as they are
        return
    assert statements[1:3] == [
        "SET LOCAL default_statistics_target = 10",  # a sample of 3,000 rows
        "ANALYZE (SKIP_LOCKED) contacts (owner_id, email)",
    ]
    assert db.scalar(usual) == before  # set back for whatever the transaction does next
    counted = db.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'contacts'"))
    assert counted == size  # not yet committed, and counted


def test_rows_in_a_copy_kept_open_are_there_for_the_next_statement_and_at_the_end(
    db: Session, personas: Personas
) -> None:
    rita = personas.rita.id
    before = _count(db, rita)
    with copies_kept_open(db):
        insert_columns(db, Contact.__table__, _named(rita, ["Ana", "Ben"]))
        insert_columns(db, Contact.__table__, _named(rita, ["Cy"]))  # the same COPY
        assert _count(db, rita) == before + 3  # the query ended the COPY first
        insert_columns(db, Contact.__table__, _named(rita, ["Dee"]))
    assert _count(db, rita) == before + 4


def test_a_failure_while_a_copy_is_open_abandons_it_and_leaves_the_session_usable(
    db: Session, personas: Personas
) -> None:
    rita = personas.rita.id
    before = _count(db, rita)
    savepoint = db.begin_nested()
    with pytest.raises(OSError, match="unreadable"), copies_kept_open(db):
        insert_columns(db, Contact.__table__, _named(rita, ["Ana"]))
        raise OSError("the file became unreadable")
    savepoint.rollback()
    assert _count(db, rita) == before


@pytest.mark.parametrize("then_a_query", [True, False], ids=["then a query", "then the end"])
def test_a_row_the_database_refuses_in_an_open_copy_raises_its_error_as_sqlalchemys(
    db: Session, personas: Personas, then_a_query: bool
) -> None:
    before = _count(db, personas.rita.id)
    savepoint = db.begin_nested()
    with pytest.raises(IntegrityError), copies_kept_open(db):
        insert_columns(db, Contact.__table__, _named(personas.rita.id, ["Ana"]))
        insert_columns(db, Contact.__table__, _named(10**6, ["Nobody's"]))  # no such user
        if then_a_query:  # on PostgreSQL the COPY ends, and tells, here; or as the block ends
            db.execute(text("SELECT 1"))
    savepoint.rollback()
    assert _count(db, personas.rita.id) == before
