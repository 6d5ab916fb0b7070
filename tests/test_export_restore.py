"""Export -> restore -> export gives the same bytes, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.config import Settings
from aimfire.domain.teams import TeamRole
from aimfire.errors import Conflict, Invalid
from aimfire.services import contacts, export
from aimfire.services.access import actor_for
from aimfire.services.demo import DEMO_LOGINS, load_demo
from aimfire.services.pipeline import list_stages
from aimfire.services.setup import Database, open_database
from aimfire.store.models import (
    Account,
    ApiToken,
    Base,
    CoachNote,
    Commitment,
    Contact,
    Deal,
    DealActivity,
    DealContact,
    DealStageChange,
    Goal,
    Interaction,
    InteractionType,
    Playbook,
    PostMortem,
    Team,
    TeamMember,
    User,
    UserSession,
    WeeklyTarget,
    WorkSession,
)
from health_support import drift
from support import Personas, log_in

DAY = date(2026, 3, 2)
LONG = "Notes that go on. " * 6000 + "Ende ✓"


def dump(db: Session, email: str) -> str:
    user = db.scalar(select(User).where(User.email == email))
    assert user is not None
    out = io.StringIO()
    export.write_export(db, actor_for(db, user), out)
    return out.getvalue()


@pytest.fixture
def fresh_database(
    database_url: str, settings: Settings, database: Database, tmp_path: Path, request: Any
) -> Iterator[Callable[[], Database]]:
    """Makes an empty, migrated database to restore into (call it after exporting)."""
    opened: list[Database] = []

    def make() -> Database:
        if database_url.startswith("sqlite"):
            path = tmp_path / "restored.db"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        else:  # one PostgreSQL database per run: empty it, as a fresh one would be
            url = database_url
            database.dispose()
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with database.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        target = open_database(settings.model_copy(update={"database_url": url}), migrate=False)
        opened.append(target)
        return target

    yield make
    for target in opened:
        target.dispose()


def restored(database: Database, make: Callable[[], Database], email: str) -> Database:
    with database.sessions() as db:
        document = dump(db, email)
    target = make()
    with target.sessions.begin() as db:
        export.restore(db, io.StringIO(document))
    return target


def round_trip(database: Database, make: Callable[[], Database], email: str) -> tuple[str, str]:
    with database.sessions() as db:
        first = dump(db, email)
    with restored(database, make, email).sessions() as db:
        second = dump(db, email)
    return first, second


def test_the_demo_round_trips_byte_for_byte(
    database: Database, fresh_database: Callable[[], Database]
) -> None:
    with database.sessions.begin() as db:
        load_demo(db, today=DAY)
    admin = DEMO_LOGINS[3].email
    first, second = round_trip(database, fresh_database, admin)
    assert first == second
    document = json.loads(first)
    assert document["format"] == "aimfire-export" and document["version"] == 1
    assert document["scope"] == {"kind": "instance"}
    assert len(document["tables"]["users"]) == 4
    assert len(document["tables"]["deals"]) > 40


def test_restore_rebuilds_each_deals_activity(
    database: Database, fresh_database: Callable[[], Database]
) -> None:
    query = select(*DealActivity.__table__.c).order_by(DealActivity.deal_id)
    with database.sessions.begin() as db:
        load_demo(db, today=DAY)
        kept = db.execute(query).all()
    assert kept  # derived, so not in the export: rebuilt from the restored interactions
    with restored(database, fresh_database, DEMO_LOGINS[3].email).sessions() as db:
        assert db.execute(query).all() == kept


def test_restore_folds_each_search_text_again(
    database: Database, fresh_database: Callable[[], Database]
) -> None:
    with database.sessions.begin() as db:
        load_demo(db, today=DAY)
    # Derived, so not in the export: folded again from the restored names.
    with restored(database, fresh_database, DEMO_LOGINS[3].email).sessions() as db:
        assert drift(db.connection()) == (set(), set())
        texts = db.scalars(select(Contact.search_text).union(select(Account.search_text)))
        assert "" not in set(texts)


def test_a_reps_demo_book_round_trips_on_its_own(
    database: Database, fresh_database: Callable[[], Database]
) -> None:
    with database.sessions.begin() as db:
        load_demo(db, today=DAY)
    jordan = DEMO_LOGINS[0].email
    first, second = round_trip(database, fresh_database, jordan)
    assert first == second
    tables = json.loads(first)["tables"]
    assert [user["email"] for user in tables["users"]] == [jordan]
    assert "teams" not in tables and "team_members" not in tables
    owners = {row["owner_id"] for name in ("contacts", "deals", "accounts") for row in tables[name]}
    assert owners == {tables["users"][0]["id"]}


def generate(db: Session) -> None:
    """Every table, with Unicode, empty fields, long text, a cycle of references, big money."""
    stages = {stage.key: stage for stage in list_stages(db)}
    owner = User(
        email="zoë@example.com",
        name="Zoë Ñandú 🚀",
        password_hash="argon2-not-real",
        is_admin=True,
        time_zone="Asia/Kolkata",
        channel_minutes={"phone": 12, "meeting": 45},
        calendar_version=3,
    )
    coach = User(email="coach@example.com", name="שרה כהן", password_hash="x", is_active=False)
    db.add_all([owner, coach])
    db.flush()
    team = Team(name="Équipe Nord")
    team.members = [
        TeamMember(user_id=owner.id, role=TeamRole.REP),
        TeamMember(user_id=coach.id, role=TeamRole.COACH),
    ]
    db.add(team)
    playbook = Playbook(name="Team book «nord»", team_id=None, is_builtin=False)
    db.add(playbook)
    db.flush()
    playbook.team_id = team.id
    kind = InteractionType(
        playbook_id=playbook.id,
        name="Erstkontakt",
        default_channel="phone",
        default_objective="Verstehen, wer entscheidet",
        default_learning_questions="Wer?\nWann?",
    )
    db.add(kind)
    account = Account(owner_id=owner.id, name="株式会社テスト", notes=LONG, website="")
    db.add(account)
    db.flush()
    people = [
        Contact(
            owner_id=owner.id,
            account_id=account.id,
            first_name="Ølaf",
            last_name="",
            email="",
            title="",
            notes="",
            custom_fields={"Ünïcode key": "värde", "empty": "", "Record ID": "0035"},
            archived_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        ),
        Contact(
            owner_id=owner.id,
            first_name="مريم",
            last_name='O\'Brien "quoted"',
            email="maryam@example.com",
            phone="+971 50 123 4567",
            phone_digits="971501234567",
            role="decision_maker",
            notes="line one\nline two\ttabbed\\backslash",
        ),
    ]
    db.add_all(people)
    db.flush()
    deal = Deal(
        owner_id=owner.id,
        title="Größter Deal ∞",
        contact_id=people[1].id,
        account_id=account.id,
        value_cents=99_999_999_999_999,
        stage_id=stages["proposal"].id,
        proposal_sent_on=date(2026, 2, 28),
        custom_fields={},
    )
    db.add(deal)
    db.flush()
    db.add(DealContact(deal_id=deal.id, contact_id=people[1].id, role="decision_maker"))
    db.add(DealStageChange(deal_id=deal.id, owner_id=owner.id, to_stage_id=stages["new"].id))
    db.add(PostMortem(deal_id=deal.id, outcome="lost", reasons=["timing_budget"], lesson=LONG))
    when = datetime(2026, 3, 3, 4, 5, 6, 789, tzinfo=UTC)
    first = Interaction(
        owner_id=owner.id,
        contact_id=people[1].id,
        deal_id=deal.id,
        type_id=kind.id,
        channel="meeting",
        objective="Learn who signs 🖊",
        learning_questions="Who?\nWhen?",
        scheduled_at=when,
        status="done",
        answers=[{"question": "Who?", "answer": "Die Chefin"}],
        logged_at=when + timedelta(hours=1),
    )
    db.add(first)
    db.flush()
    promise = Commitment(
        owner_id=owner.id,
        contact_id=people[1].id,
        interaction_id=first.id,
        party="prospect",
        description="Talk to her partner",
        due_on=date(2026, 3, 6),
    )
    db.add(promise)
    db.flush()
    follow = Interaction(
        owner_id=owner.id,
        contact_id=people[1].id,
        scheduled_at=when + timedelta(days=4),
        follows_commitment_id=promise.id,
    )
    db.add(follow)
    db.flush()
    first.next_interaction_id = follow.id
    db.add_all(
        [
            WorkSession(owner_id=owner.id, attitude=4, planned_count=7),
            Goal(
                owner_id=owner.id,
                kind="revenue",
                amount=12_000_000,
                period="quarter",
                start_on=date(2026, 1, 1),
                end_on=date(2026, 3, 31),
            ),
            WeeklyTarget(owner_id=owner.id, week="2026-W10", sales=None, conversations=40),
            CoachNote(author_id=coach.id, rep_id=owner.id, kind="motivate", body="Weiter so!"),
            CoachNote(author_id=owner.id, rep_id=owner.id, kind="coach", body="", week="2026-W10"),
            ApiToken(user_id=owner.id, name="script", token_hash="0" * 64, prefix="af_000"),
            UserSession(token_hash="1" * 64, user_id=owner.id, expires_at=when + timedelta(days=1)),
        ]
    )
    db.flush()


def test_generated_data_in_every_table_round_trips_byte_for_byte(
    database: Database, fresh_database: Callable[[], Database]
) -> None:
    with database.sessions.begin() as db:
        generate(db)
    first, second = round_trip(database, fresh_database, "zoë@example.com")
    assert first == second
    tables = json.loads(first)["tables"]
    exported = set(tables)
    assert exported == {t.name for t in export.exported_tables()}
    assert "api_tokens" not in exported and "user_sessions" not in exported
    assert all(tables[name] for name in exported), "every table has a row"
    [maryam] = [c for c in tables["contacts"] if c["email"]]
    assert maryam["notes"] == "line one\nline two\ttabbed\\backslash"
    assert tables["accounts"][0]["notes"] == LONG
    assert tables["deals"][0]["value_cents"] == 99_999_999_999_999
    assert tables["contacts"][0]["archived_at"] == "2026-01-02T03:04:05.678901+00:00"
    assert "𝄞" not in first and "🚀" in first  # written as UTF-8, not escaped


def test_a_reps_own_export_round_trips_without_other_peoples_records(
    database: Database, fresh_database: Callable[[], Database]
) -> None:
    with database.sessions.begin() as db:
        generate(db)
        db.scalars(select(User)).first().is_admin = False  # type: ignore[union-attr]
    first, second = round_trip(database, fresh_database, "zoë@example.com")
    assert first == second
    tables = json.loads(first)["tables"]
    assert [u["email"] for u in tables["users"]] == ["zoë@example.com"]
    assert [note["body"] for note in tables["coach_notes"]] == [""]  # the coach's note stays
    assert tables["playbooks"][-1]["team_id"] is None  # a team playbook, without the team


def test_new_records_after_a_restore_get_fresh_ids(
    database: Database, fresh_database: Callable[[], Database]
) -> None:
    with database.sessions.begin() as db:
        generate(db)
    target = restored(database, fresh_database, "zoë@example.com")
    with target.sessions.begin() as db:
        highest = db.scalar(select(func.max(Contact.id)))
        owner = db.scalar(select(User).where(User.email == "zoë@example.com"))
        assert owner is not None and highest is not None
        new = contacts.create_contact(
            db, actor_for(db, owner), contacts.ContactInput(first_name="After")
        )
        assert new.id > highest


def test_restore_refuses_a_database_with_data(database: Database, personas: Personas) -> None:
    with database.sessions() as db:
        document = dump(db, personas.ada.email)
    with database.sessions() as db, pytest.raises(Conflict, match=r"not empty .*4 users"):
        export.restore(db, io.StringIO(document))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not JSON"),
        ('{"format": "other"}', "format"),
        ('{"format": "aimfire-export", "version": 99, "tables": {}}', "version 99"),
        ('{"format": "aimfire-export", "version": 1}', "no 'tables'"),
        ('{"format": "aimfire-export", "version": 1, "tables": {"spells": []}}', "spells"),
        (
            '{"format": "aimfire-export", "version": 1, "tables": {"users": [{"wand": 1}]}}',
            "wand",
        ),
        (
            '{"format": "aimfire-export", "version": 1, "tables": {"users": [{"id": 1}]}}',
            "does not fit",
        ),
    ],
)
def test_restore_explains_a_file_it_cannot_use(
    database: Database, document: str, message: str
) -> None:
    with database.sessions() as db, pytest.raises(Invalid, match=message):
        export.restore(db, io.StringIO(document))
    with database.sessions() as db:
        assert db.scalar(select(func.count(User.id))) == 0


def test_every_table_says_what_belongs_to_a_users_export() -> None:
    rules = export._filters(1)
    assert set(rules) == {t.name for t in export.exported_tables()}


def test_the_settings_page_offers_the_download(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    page = client.get("/settings")
    assert 'href="/settings/export"' in page.text
    download = client.get("/settings/export")
    assert download.status_code == 200
    assert download.json()["scope"]["kind"] == "user"
    client.cookies.clear()
    assert client.get("/settings/export", follow_redirects=False).status_code == 303
