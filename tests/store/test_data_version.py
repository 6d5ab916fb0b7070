"""The data version: raised by every committed change to the data, on both databases, and by
nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from aimfire.services import auth
from aimfire.services.setup import Database
from aimfire.store import data_version
from aimfire.store.bulk import insert_columns
from aimfire.store.models import Contact, User
from support import Personas


def version(database: Database) -> int:
    with database.sessions() as db:
        return data_version.current(db)


def test_each_committed_change_raises_the_version_once(
    database: Database, personas: Personas
) -> None:
    before = version(database)
    with database.sessions.begin() as db:
        db.add(Contact(owner_id=personas.rita.id, first_name="Ana"))
        db.flush()
        db.add(Contact(owner_id=personas.rita.id, first_name="Ben"))  # the same transaction
    assert version(database) == before + 1
    with database.sessions.begin() as db:  # a statement of SQLAlchemy's Core, not the ORM
        db.execute(update(User).where(User.id == personas.rita.id).values(time_zone="Asia/Tokyo"))
    assert version(database) == before + 2
    with database.sessions.begin() as db:  # PostgreSQL: a COPY, which SQLAlchemy never sees
        now = [datetime.now(UTC)]
        insert_columns(
            db,
            Contact.__table__,
            {
                "owner_id": [personas.rita.id],
                "first_name": ["Cy"],
                **{name: [""] for name in ("last_name", "email", "phone", "phone_digits")},
                **{name: [""] for name in ("title", "notes", "search_text")},
                "source": ["other"],
                "custom_fields": [{}],
                "created_at": now,
                "updated_at": now,
            },
        )
    assert version(database) == before + 3


def test_reads_undone_changes_and_sign_ins_leave_the_version_alone(
    database: Database, personas: Personas
) -> None:
    before = version(database)
    with database.sessions.begin() as db:
        db.scalars(select(Contact)).all()
    with database.sessions() as db:
        db.add(Contact(owner_id=personas.rita.id, first_name="Ana"))
        db.flush()
        db.rollback()
    with database.sessions.begin() as db:
        user = db.get(User, personas.rita.id)
        assert user is not None
        auth.start_session(db, user, timedelta(hours=1))
    assert version(database) == before
