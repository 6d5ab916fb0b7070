"""The coach's dashboard and typed notes: only coaches write, only the rep acknowledges."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.domain.teams import TeamRole
from aimfire.services.access import actor_for
from aimfire.services.coaching import dashboard
from aimfire.store.models import CoachNote, Goal, Team, TeamMember, User
from history_rows import History, utc
from support import Api, Personas, assert_error, counting, log_in

NOTE = {"kind": "hold_accountable", "body": "Book the follow-up before Friday."}


def note_count(db: Session) -> int:
    db.rollback()  # a fresh snapshot: the app wrote in another session
    return db.scalar(select(func.count(CoachNote.id))) or 0


def test_the_dashboard_shows_every_coached_rep_and_nobody_else(
    cora: Api, rita: Api, ben: Api, db: Session, personas: Personas
) -> None:
    rita.post("/goals", {"amount": "5000", "period": "week", "start_on": "2025-03-05"})
    History(db, personas.rita).won(6_000, utc(2025, 3, 4, 12))
    db.commit()
    [row] = cora.get("/coach/dashboard", week="2025-W10").json()
    assert (row["rep_id"], row["rep_name"]) == (personas.rita.id, "Rita")
    card = row["scorecard"]
    assert card["week"]["label"] == "2025-W10"
    assert card["lines"][0]["met"] is True  # 6,000 won of 5,000
    assert row["previous_week"]["week"]["label"] == "2025-W09"
    assert rita.get("/coach/dashboard").json() == []
    assert ben.get("/coach/dashboard").json() == []


def test_a_coach_writes_a_note_and_the_rep_acknowledges_it_once(
    cora: Api, rita: Api, personas: Personas
) -> None:
    created = cora.post("/coach/notes", {**NOTE, "rep_id": personas.rita.id, "week": "2025-W10"})
    assert created.status_code == 201, created.text
    note = created.json()
    assert (note["author_name"], note["week"], note["about"]) == (
        "Cora",
        "2025-W10",
        "the week 2025-W10",
    )
    assert note["acknowledged_at"] is None
    assert [n["id"] for n in rita.get("/coach/notes").json()] == [note["id"]]
    assert [n["id"] for n in rita.get("/coach/notes", week="2025-W10").json()] == [note["id"]]
    first = rita.post(f"/coach/notes/{note['id']}/acknowledge").json()["acknowledged_at"]
    assert first is not None
    again = rita.post(f"/coach/notes/{note['id']}/acknowledge").json()["acknowledged_at"]
    assert again == first
    listed = cora.get("/coach/notes", rep_id=personas.rita.id).json()
    assert listed[0]["acknowledged_at"] == first


def test_a_note_without_a_subject_is_on_the_reps_current_week(
    cora: Api, rita: Api, personas: Personas
) -> None:
    note = cora.post("/coach/notes", {**NOTE, "rep_id": personas.rita.id}).json()
    assert note["week"] == rita.get("/scorecard").json()["week"]["label"]


def test_a_note_can_be_on_one_of_the_reps_deals_or_interactions_only(
    cora: Api, db: Session, personas: Personas
) -> None:
    ritas = History(db, personas.rita)
    deal = ritas.deal(4_000, "proposal", title="Club seats")
    call = ritas.interaction(utc(2025, 3, 4, 10))
    bens_deal = History(db, personas.ben).deal(100)
    db.commit()
    rep = personas.rita.id
    on_deal = cora.post("/coach/notes", {**NOTE, "rep_id": rep, "deal_id": deal.id}).json()
    assert (on_deal["deal_id"], on_deal["week"], on_deal["about"]) == (
        deal.id,
        None,
        "the deal “Club seats”",
    )
    on_call = cora.post("/coach/notes", {**NOTE, "rep_id": rep, "interaction_id": call.id})
    assert on_call.json()["about"] == "the call with Dana Rita"
    assert_error(
        cora.post("/coach/notes", {**NOTE, "rep_id": rep, "deal_id": bens_deal.id}),
        422,
        "deal_id",
    )
    assert_error(
        cora.post("/coach/notes", {**NOTE, "rep_id": rep, "interaction_id": 99_999}),
        422,
        "interaction_id",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"kind": "scold"}, "kind"),
        ({"week": "2025-W99"}, "week"),
        ({"rep_id": "someone"}, "rep_id"),
    ],
)
def test_a_bad_note_is_refused_and_nothing_is_written(
    cora: Api, db: Session, personas: Personas, change: dict[str, str], field: str
) -> None:
    body = {**NOTE, "rep_id": personas.rita.id, **change}
    assert_error(cora.post("/coach/notes", body), 422, field)
    assert note_count(db) == 0


def test_only_a_coach_of_the_rep_writes_to_them(
    cora: Api, rita: Api, ben: Api, ada: Api, db: Session, personas: Personas
) -> None:
    assert_error(cora.post("/coach/notes", {**NOTE, "rep_id": personas.ben.id}), 404)
    assert_error(ben.post("/coach/notes", {**NOTE, "rep_id": personas.rita.id}), 404)
    assert_error(ada.post("/coach/notes", {**NOTE, "rep_id": personas.rita.id}), 404)
    assert_error(rita.post("/coach/notes", {**NOTE, "rep_id": personas.rita.id}), 403)
    assert note_count(db) == 0


def test_only_the_rep_acknowledges_and_others_cannot_even_see_the_note(
    cora: Api, ben: Api, ada: Api, personas: Personas
) -> None:
    note = cora.post("/coach/notes", {**NOTE, "rep_id": personas.rita.id}).json()["id"]
    assert_error(cora.post(f"/coach/notes/{note}/acknowledge"), 403)
    assert_error(ben.post(f"/coach/notes/{note}/acknowledge"), 404)
    assert_error(ada.post(f"/coach/notes/{note}/acknowledge"), 404)
    assert_error(ben.get("/coach/notes", rep_id=personas.rita.id), 404)
    assert ben.get("/coach/notes").json() == []


def test_the_coach_pages_are_not_found_for_reps_not_coached(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.cora)
    assert client.get(f"/coach/reps/{personas.rita.id}").status_code == 200
    assert client.get(f"/coach/reps/{personas.ben.id}").status_code == 404
    assert client.get(f"/coach/reps/{personas.cora.id}").status_code == 404
    page = client.get("/coach").text
    assert "Rita" in page and "Ben" not in page
    assert 'href="/coach"' in client.get("/scorecard").text


def test_a_rep_has_no_coach_pages_and_no_coach_link(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.ben)
    assert client.get(f"/coach/reps/{personas.rita.id}").status_code == 404
    assert "You do not coach anyone yet" in client.get("/coach").text
    assert 'href="/coach"' not in client.get("/scorecard").text


def test_the_dashboard_costs_the_same_queries_for_one_rep_or_many(
    db: Session, personas: Personas
) -> None:

    def give_goal_and_history(rep: User) -> None:
        db.add(
            Goal(
                owner_id=rep.id,
                kind="revenue",
                amount=500_000,
                period="month",
                start_on=date(2025, 3, 1),
                end_on=date(2025, 3, 31),
            )
        )
        rows = History(db, rep)
        rows.interaction(utc(2025, 3, 4, 10))
        rows.deal(2_000, "proposal")

    give_goal_and_history(personas.rita)
    db.commit()
    coach = actor_for(db, personas.cora)
    with counting(db) as one_rep:
        dashboard(db, coach, week="2025-W10")
    team = db.scalar(select(Team).where(Team.name == "East"))
    assert team is not None
    for name in ("Rae", "Rob", "Ria"):
        rep = User(email=f"{name}@example.com", name=name, password_hash="x")
        db.add(rep)
        db.flush()
        team.members.append(TeamMember(user_id=rep.id, role=TeamRole.REP))
        give_goal_and_history(rep)
    db.commit()
    coach = actor_for(db, personas.cora)
    with counting(db) as four_reps:
        rows = dashboard(db, coach, week="2025-W10")
    assert len(rows) == 4
    assert all(row.score.targets.conversations for row in rows)  # every rep was planned
    assert len(four_reps) == len(one_rep)
