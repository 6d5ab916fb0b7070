"""The goals, plan and scorecard pages: forms, errors shown beside fields, nothing leaks."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.store.models import Goal, WeeklyTarget
from support import Personas, log_in, post_form


def test_a_rep_sets_and_removes_a_goal_through_the_form(
    client: TestClient, db: Session, personas: Personas
) -> None:
    log_in(client, personas.rita)
    form = {"kind": "revenue", "amount": "45000", "period": "quarter", "start_on": "2025-05-14"}
    response = post_form(client, "/goals", form, page="/goals")
    assert response.status_code == 303
    assert "Q2 2025 revenue goal" in client.get("/goals").text
    goal = db.scalar(select(Goal))
    assert goal is not None and goal.amount == 4_500_000
    assert post_form(client, f"/goals/{goal.id}/delete", {}, page="/goals").status_code == 303
    db.rollback()  # a fresh snapshot: the app wrote in another session
    assert db.scalar(select(func.count(Goal.id))) == 0


def test_a_bad_goal_form_is_shown_again_with_the_reason_and_writes_nothing(
    client: TestClient, db: Session, personas: Personas
) -> None:
    log_in(client, personas.rita)
    form = {"kind": "units", "amount": "2.5", "period": "quarter", "start_on": "2025-05-14"}
    response = post_form(client, "/goals", form, page="/goals")
    assert response.status_code == 422
    assert "A units goal is a whole number of units." in response.text
    assert 'value="2.5"' in response.text
    assert db.scalar(select(func.count(Goal.id))) == 0


def test_another_reps_goal_cannot_be_removed(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    form = {"kind": "revenue", "amount": "45000", "period": "quarter", "start_on": "2025-05-14"}
    post_form(client, "/goals", form, page="/goals")
    client.cookies.clear()
    log_in(client, personas.ben)
    assert client.get(f"/goals?owner_id={personas.rita.id}").status_code == 404
    response = post_form(client, "/goals/1/delete", {}, page="/goals")
    assert response.status_code == 404


def test_hand_targets_are_set_and_cleared_from_the_scorecard(
    client: TestClient, db: Session, personas: Personas
) -> None:
    log_in(client, personas.rita)
    page = "/scorecard?week=2025-W10"
    form = {"week": "2025-W10", "sales": "", "base_moves": "9", "conversations": ""}
    assert post_form(client, "/scorecard/targets", form, page=page).status_code == 303
    assert "The base moves target set by hand" in client.get(page).text
    bad = post_form(client, "/scorecard/targets", {**form, "base_moves": "-2"}, page=page)
    assert bad.status_code == 422 and "greater than or equal to 0" in bad.text
    cleared = {**form, "base_moves": ""}
    assert post_form(client, "/scorecard/targets", cleared, page=page).status_code == 303
    db.rollback()  # a fresh snapshot: the app wrote in another session
    assert db.scalar(select(func.count(WeeklyTarget.id))) == 0


def test_the_plan_page_says_what_to_do_without_a_goal(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    page = client.get("/plan").text
    assert "No goal is running" in page and 'href="/goals"' in page
    assert "Close rate 25%: you have logged no proposals in the last 180 days" in page
    assert client.get("/plan?window_days=5").status_code == 422


def test_the_coach_dashboard_links_each_reps_flagged_deals(
    client: TestClient, personas: Personas, db: Session
) -> None:
    from aimfire.store.models import Contact, Deal, PipelineStage

    stage = db.scalar(select(PipelineStage).where(PipelineStage.key == "qualified"))
    contact = Contact(owner_id=personas.rita.id, first_name="Dana")
    db.add(contact)
    db.flush()
    db.add(Deal(owner_id=personas.rita.id, title="Seats", contact_id=contact.id, stage_id=stage.id))  # type: ignore[union-attr]
    db.commit()
    log_in(client, personas.cora)
    page = client.get("/coach").text
    assert f'<a href="/health?owner_id={personas.rita.id}">1</a>' in page
