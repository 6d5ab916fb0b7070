from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole
from aimfire.services.demo import DEMO_LOGINS, load_demo
from aimfire.services.setup import Database
from aimfire.store.models import Contact, Deal, DealContact, PipelineStage, User

DAY = date(2026, 3, 2)


def snapshot(db: Session) -> list[tuple[object, ...]]:
    rows = db.execute(
        select(
            Deal.title, Deal.value_cents, PipelineStage.key, Deal.stage_entered_at, Contact.email
        )
        .join(Deal.stage)
        .outerjoin(Deal.contact)
        .order_by(Deal.id)
    )
    return [tuple(row) for row in rows]


def test_the_demo_is_the_same_for_the_same_seed_and_day(database: Database) -> None:
    with database.sessions.begin() as db:
        load_demo(db, seed=3, today=DAY)
    with database.sessions() as db:
        first = snapshot(db)
    assert len(first) > 40
    with database.sessions.begin() as db:
        for table in (
            "deal_contacts",
            "deals",
            "contacts",
            "accounts",
            "team_members",
            "teams",
            "users",
        ):
            db.execute(text(f"DELETE FROM {table}"))
    with database.sessions.begin() as db:
        load_demo(db, seed=3, today=DAY)
    with database.sessions() as db:
        assert snapshot(db) == first


def test_the_demo_books_look_like_real_work(database: Database) -> None:
    with database.sessions.begin() as db:
        load_demo(db, today=DAY)
    with database.sessions() as db:
        emails = set(db.scalars(select(User.email)))
        assert {login.email for login in DEMO_LOGINS} <= emails
        jordan, sam = (
            db.scalar(select(User).where(User.email == DEMO_LOGINS[i].email)) for i in (0, 1)
        )
        for rep in (jordan, sam):
            assert rep is not None
            stages = set(
                db.scalars(
                    select(PipelineStage.key).join(Deal.stage).where(Deal.owner_id == rep.id)
                )
            )
            assert {"new", "proposal", "won", "lost"} <= stages
            assert db.scalar(select(func.count(Contact.id)).where(Contact.owner_id == rep.id)) > 20
        decision_makers = db.scalar(
            select(func.count(DealContact.id)).where(DealContact.role == ContactRole.DECISION_MAKER)
        )
        assert decision_makers and decision_makers > 10
