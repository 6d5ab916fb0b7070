"""Goals: a rep sets their own, an admin may set them for anyone, a coach reads; roll-ups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.store.models import Goal
from history_rows import History, utc
from support import Api, Personas, assert_error

Q2_2025 = {"kind": "revenue", "amount": "60000", "period": "quarter", "start_on": "2025-05-14"}


def goal_count(db: Session) -> int:
    db.rollback()  # a fresh snapshot: the app wrote in another session
    return db.scalar(select(func.count(Goal.id))) or 0


def test_a_rep_sets_a_quarter_goal_that_covers_the_whole_quarter(rita: Api) -> None:
    response = rita.post("/goals", Q2_2025)
    assert response.status_code == 201, response.text
    goal = response.json()
    assert (goal["start_on"], goal["end_on"]) == ("2025-04-01", "2025-06-30")
    assert goal["name"] == "Q2 2025 revenue goal"
    assert (goal["amount"], goal["achieved"], goal["won_deals"]) == ("60000.00", "0.00", 0)
    assert [g["id"] for g in rita.get("/goals").json()] == [goal["id"]]


def test_a_week_goal_follows_the_reps_own_first_day_of_the_week(rita: Api) -> None:
    assert rita.put("/me", {"name": "Rita", "time_zone": "UTC", "week_start": 6}).status_code == 200
    body = {"kind": "units", "amount": "12", "period": "week", "start_on": "2025-03-12"}
    goal = rita.post("/goals", body).json()
    assert (goal["start_on"], goal["end_on"]) == ("2025-03-09", "2025-03-15")  # Sun to Sat
    assert goal["amount"] == "12"


def test_a_month_goal_covers_the_calendar_month(rita: Api) -> None:
    body = {**Q2_2025, "period": "month", "start_on": "2024-02-10"}
    goal = rita.post("/goals", body).json()
    assert (goal["start_on"], goal["end_on"]) == ("2024-02-01", "2024-02-29")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "units", "amount": "12.5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"period": "year"}, "period"),
        ({"kind": "profit"}, "kind"),
        ({"start_on": "someday"}, "start_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_goal_is_refused_and_nothing_is_written(
    rita: Api, db: Session, change: dict[str, str], field: str
) -> None:
    assert_error(rita.post("/goals", {**Q2_2025, **change}), 422, field)
    assert goal_count(db) == 0


def test_a_second_goal_of_the_same_kind_for_the_same_period_conflicts(rita: Api) -> None:
    rita.post("/goals", Q2_2025)
    error = assert_error(rita.post("/goals", {**Q2_2025, "start_on": "2025-04-02"}), 409)
    assert "already has a Q2 2025 revenue goal" in str(error["message"])
    assert rita.post("/goals", {**Q2_2025, "kind": "units", "amount": "40"}).status_code == 201


def test_progress_counts_only_deals_won_inside_the_period(
    rita: Api, db: Session, personas: Personas
) -> None:
    goal = rita.post("/goals", Q2_2025).json()
    rows = History(db, personas.rita)
    rows.won(2_500, utc(2025, 4, 1, 0, 0))  # the first instant of the quarter
    rows.won(1_000, utc(2025, 6, 30, 23, 59))
    rows.won(9_000, utc(2025, 3, 31, 23, 59))  # the quarter before
    rows.deal(7_000, "lost", closed_at=utc(2025, 5, 1))
    db.commit()
    fetched = rita.get(f"/goals/{goal['id']}").json()
    assert (fetched["achieved"], fetched["won_deals"]) == ("3500.00", 2)


def test_a_rep_changes_and_removes_their_goal(rita: Api) -> None:
    goal = rita.post("/goals", Q2_2025).json()
    changed = rita.put(f"/goals/{goal['id']}", {**Q2_2025, "amount": "75000.50"}).json()
    assert changed["amount"] == "75000.50"
    assert rita.delete(f"/goals/{goal['id']}").status_code == 204
    assert_error(rita.get(f"/goals/{goal['id']}"), 404)


def test_another_rep_gets_404_on_every_goal_route(rita: Api, ben: Api, personas: Personas) -> None:
    goal = rita.post("/goals", Q2_2025).json()["id"]
    assert_error(ben.get(f"/goals/{goal}"), 404)
    assert_error(ben.put(f"/goals/{goal}", Q2_2025), 404)
    assert_error(ben.delete(f"/goals/{goal}"), 404)
    assert_error(ben.get("/goals", owner_id=personas.rita.id), 404)
    assert_error(ben.post("/goals", {**Q2_2025, "owner_id": personas.rita.id}), 404)
    assert ben.get("/goals").json() == []


def test_a_coach_reads_a_coached_reps_goals_but_cannot_set_or_change_them(
    rita: Api, cora: Api, ben: Api, personas: Personas
) -> None:
    goal = rita.post("/goals", Q2_2025).json()["id"]
    assert [g["id"] for g in cora.get("/goals", owner_id=personas.rita.id).json()] == [goal]
    assert cora.get(f"/goals/{goal}").status_code == 200
    assert_error(cora.put(f"/goals/{goal}", Q2_2025), 403)
    assert_error(cora.delete(f"/goals/{goal}"), 403)
    assert_error(cora.post("/goals", {**Q2_2025, "owner_id": personas.rita.id}), 403)
    bens = ben.post("/goals", Q2_2025).json()["id"]
    assert_error(cora.get(f"/goals/{bens}"), 404)
    assert_error(cora.get("/goals", owner_id=personas.ben.id), 404)


def test_an_admin_sets_a_goal_for_a_rep(ada: Api, rita: Api, personas: Personas) -> None:
    created = ada.post("/goals", {**Q2_2025, "owner_id": personas.rita.id})
    assert created.status_code == 201, created.text
    assert created.json()["owner_id"] == personas.rita.id
    assert [g["id"] for g in rita.get("/goals").json()] == [created.json()["id"]]
    assert_error(ada.post("/goals", {**Q2_2025, "owner_id": 99_999}), 404)


def test_team_goals_roll_up_for_the_coach_and_the_admin(
    rita: Api, ben: Api, cora: Api, ada: Api, db: Session, personas: Personas
) -> None:
    today = datetime.now(UTC).date()
    this_quarter = {**Q2_2025, "start_on": today.isoformat(), "amount": "40000"}
    rita.post("/goals", this_quarter)
    ben.post("/goals", {**this_quarter, "amount": "99000"})  # Ben is on no team
    History(db, personas.rita).won(1_500, datetime.now(UTC))  # inside this quarter, in the past
    db.commit()
    [east] = cora.get("/goals/rollup").json()
    assert (east["team_name"], east["reps"]) == ("East", 1)
    [line] = east["goals"]
    assert (line["amount"], line["reps_with_goal"]) == ("40000.00", 1)
    assert line["achieved"] == "1500.00"
    assert rita.get("/goals/rollup").json() == []
    assert [t["team_name"] for t in ada.get("/goals/rollup").json()] == ["East"]
