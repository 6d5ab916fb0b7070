from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.store.models import Commitment, Interaction
from support import Api, Personas, assert_error, later_today


def soon() -> str:
    """Later today, worked out when a test runs, not when the module is collected."""
    return later_today().isoformat()


@pytest.fixture
def dana(rita: Api) -> int:
    contact: int = rita.post("/contacts", {"first_name": "Dana", "last_name": "Whitfield"}).json()[
        "id"
    ]
    return contact


def plan(api: Api, contact_id: int, **changes: object) -> dict:  # type: ignore[type-arg]
    body = {
        "contact_id": contact_id,
        "reason": "referral",
        "channel": "phone",
        "objective": "Learn who besides Dana signs off on the seats",
        "scheduled_at": soon(),
        **changes,
    }
    response = api.post("/interactions", body)
    assert response.status_code == 201, response.text
    result: dict = response.json()  # type: ignore[type-arg]
    return result


CONNECTED = {"reached": "connected", "objective_met": "yes", "result": "continuation"}
NO_NEXT = {"next_step": "none", "no_next_step_reason": "They moved abroad"}


def test_a_complete_plan_is_ready_and_its_objective_is_checked(rita: Api, dana: int) -> None:
    planned = plan(rita, dana)
    assert planned["ready"] is True and planned["missing"] == []
    assert planned["objective_label"] == "learning"
    assert planned["status"] == "planned"


def test_an_incomplete_plan_says_exactly_what_is_missing(rita: Api, dana: int) -> None:
    planned = plan(rita, dana, reason=None, objective="")
    assert planned["ready"] is False
    assert planned["missing"] == ["why: say the reason for contact", "what: write the objective"]


def test_choosing_a_type_fills_in_its_defaults(rita: Api, dana: int) -> None:
    types = {t["name"]: t for p in rita.get("/playbooks").json() for t in p["types"]}
    stalled = types["Stalled deal"]
    planned = plan(rita, dana, type_id=stalled["id"], channel=None, reason=None, objective="")
    assert planned["channel"] == stalled["default_channel"]
    assert planned["reason"] == "re_engage_stalled"
    assert planned["objective"] == stalled["default_objective"]
    assert planned["learning_questions"] == stalled["default_learning_questions"]


def test_both_builtin_playbooks_ship(rita: Api) -> None:
    names = {p["name"]: len(p["types"]) for p in rita.get("/playbooks").json()}
    assert names == {"Ticket sales": 5, "B2B": 5}


def test_a_naive_time_is_read_in_the_reps_time_zone(rita: Api, dana: int) -> None:
    rita.put("/me", {"name": "Rita", "time_zone": "America/New_York", "week_start": 0})
    planned = plan(rita, dana, scheduled_at="2026-07-01T09:00:00")
    assert planned["scheduled_at"].startswith("2026-07-01T13:00:00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_id": 999999}, "contact_id"),
        ({"channel": "carrier pigeon"}, "channel"),
        ({"scheduled_at": "tomorrow-ish"}, "scheduled_at"),
        ({"planned_minutes": 0}, "planned_minutes"),
        ({"type_id": 999999}, None),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_written(
    rita: Api, dana: int, db: Session, change: dict[str, object], field: str | None
) -> None:
    body = {"contact_id": dana, "scheduled_at": soon(), **change}
    response = rita.post("/interactions", body)
    assert response.status_code in (404, 422)
    if field:
        assert_error(response, 422, field)
    assert db.scalar(select(func.count(Interaction.id))) == 0


def test_an_outcome_without_a_next_step_is_refused(rita: Api, dana: int, db: Session) -> None:
    planned = plan(rita, dana)
    assert_error(rita.post(f"/interactions/{planned['id']}/outcome", CONNECTED), 422, "next_step")
    no_reason = {**CONNECTED, "next_step": "none"}
    assert_error(rita.post(f"/interactions/{planned['id']}/outcome", no_reason), 422, "next_step")
    no_time = {**CONNECTED, "next_step": "scheduled"}
    assert_error(rita.post(f"/interactions/{planned['id']}/outcome", no_time), 422, "next_step")
    db.rollback()  # end the read snapshot; see what the app committed
    assert db.get(Interaction, planned["id"]).status == "planned"  # type: ignore[union-attr]


def test_closing_a_deal_needs_a_deal(rita: Api, dana: int) -> None:
    planned = plan(rita, dana)
    won = {**CONNECTED, "next_step": "won"}
    assert_error(rita.post(f"/interactions/{planned['id']}/outcome", won), 422, "next_step")


def test_a_connected_call_needs_a_verdict(rita: Api, dana: int) -> None:
    planned = plan(rita, dana)
    body = {"reached": "connected", **NO_NEXT}
    assert_error(rita.post(f"/interactions/{planned['id']}/outcome", body), 422)


def test_an_advance_needs_a_step_the_prospect_agreed_to(rita: Api, dana: int) -> None:
    planned = plan(rita, dana)
    rep_only = {
        **CONNECTED,
        "result": "advance",
        **NO_NEXT,
        "commitments": [
            {"party": "rep", "description": "Send the seat map", "due_on": "2026-12-01"}
        ],
    }
    assert_error(rita.post(f"/interactions/{planned['id']}/outcome", rep_only), 422, "result")


def test_logging_an_outcome_records_promises_and_schedules_the_next_step(
    rita: Api, dana: int, db: Session
) -> None:
    planned = plan(rita, dana, learning_questions="Who else decides?\nWhich games matter?")
    body = {
        **CONNECTED,
        "result": "advance",
        "answers": ["Her partner Sam", ""],
        "learned": "Price is fine; the date is the worry.",
        "commitments": [
            {
                "party": "prospect",
                "description": "Talk to her partner about the seats",
                "due_on": "2026-12-04",
            },
            {"party": "rep", "description": "Send the seat map", "due_on": "2026-12-02"},
        ],
        "tonality": 4,
        "next_step": "scheduled",
        "next": {
            "scheduled_at": "2026-12-05T10:00:00",
            "channel": "meeting",
            "objective": "Meet Dana and Sam: learn what Sam needs to decide",
        },
    }
    logged = rita.post(f"/interactions/{planned['id']}/outcome", body)
    assert logged.status_code == 200, logged.text
    outcome = logged.json()
    assert (outcome["status"], outcome["result"], outcome["tonality"]) == ("done", "advance", 4)
    assert outcome["answers"] == [{"question": "Who else decides?", "answer": "Her partner Sam"}]
    following = rita.get(f"/interactions/{outcome['next_interaction_id']}").json()
    assert (following["status"], following["channel"], following["contact_id"]) == (
        "planned",
        "meeting",
        dana,
    )
    promises = rita.get("/commitments").json()["items"]
    assert sorted(p["party"] for p in promises) == ["prospect", "rep"]
    assert_error(rita.post(f"/interactions/{planned['id']}/outcome", body), 422)  # logged once


def test_a_missed_call_logs_no_result_and_no_ratings(rita: Api, dana: int) -> None:
    planned = plan(rita, dana)
    body = {"reached": "voicemail", "tonality": 5, "result": "advance", **NO_NEXT}
    outcome = rita.post(f"/interactions/{planned['id']}/outcome", body).json()
    assert (outcome["objective_met"], outcome["result"], outcome["tonality"]) == ("no", None, None)


def test_winning_from_an_outcome_closes_the_deal(rita: Api, dana: int) -> None:
    deal = rita.post("/deals", {"title": "Seats", "contact_id": dana}).json()
    planned = plan(rita, dana, deal_id=deal["id"])
    body = {**CONNECTED, "result": "order", "next_step": "won"}
    assert rita.post(f"/interactions/{planned['id']}/outcome", body).status_code == 200
    closed = rita.get(f"/deals/{deal['id']}").json()
    assert closed["stage_name"] == "Won" and closed["closed_at"]


def test_commitments_are_kept_or_broken_and_rates_follow(rita: Api, dana: int) -> None:
    for description in ("Call the box office", "Ask about parking"):
        planned = plan(rita, dana)
        body = {
            **CONNECTED,
            **NO_NEXT,
            "commitments": [
                {"party": "prospect", "description": description, "due_on": "2026-12-01"}
            ],
        }
        rita.post(f"/interactions/{planned['id']}/outcome", body)
    first, second = rita.get("/commitments").json()["items"]
    one_a_page = rita.get("/commitments", per_page=1, page=2).json()
    assert ([p["id"] for p in one_a_page["items"]], one_a_page["total"]) == ([second["id"]], 2)
    rita.post(f"/commitments/{first['id']}/resolve", {"status": "kept"})
    rita.post(f"/commitments/{second['id']}/resolve", {"status": "broken"})
    assert_error(
        rita.post(f"/commitments/{first['id']}/resolve", {"status": "open"}), 422, "status"
    )
    rates = {r["party"]: r for r in rita.get("/commitments/rates", contact_id=dana).json()}
    assert (rates["prospect"]["kept"], rates["prospect"]["broken"], rates["prospect"]["rate"]) == (
        1,
        1,
        0.5,
    )
    assert rates["rep"]["rate"] is None


def test_the_joint_meeting_hint_names_who_else_decides(rita: Api) -> None:
    hint = rita.post("/commitments/joint-meeting", {"text": "I'll talk to my wife tonight"}).json()
    assert hint["who"] == "wife" and "wife" in hint["objective"]
    assert (
        rita.post("/commitments/joint-meeting", {"text": "Will pay Friday"}).json()["who"] is None
    )


def test_bulk_planning_creates_one_plan_per_contact(rita: Api, dana: int) -> None:
    other = rita.post("/contacts", {"first_name": "Omar"}).json()["id"]
    types = [t for p in rita.get("/playbooks").json() for t in p["types"]]
    body = {
        "contact_ids": [dana, other, dana],
        "template": {"contact_id": 0, "type_id": types[0]["id"], "scheduled_at": soon()},
    }
    planned = rita.post("/interactions/bulk", body)
    assert planned.status_code == 201, planned.text
    assert sorted(p["contact_id"] for p in planned.json()) == sorted([dana, other])
    assert all(p["ready"] for p in planned.json())


def test_plans_are_private_and_coaches_only_read(
    rita: Api, ben: Api, cora: Api, dana: int, personas: Personas
) -> None:
    planned = plan(rita, dana)
    assert_error(ben.get(f"/interactions/{planned['id']}"), 404)
    assert_error(ben.post(f"/interactions/{planned['id']}/outcome", {**CONNECTED, **NO_NEXT}), 404)
    assert_error(
        ben.post("/interactions", {"contact_id": dana, "scheduled_at": soon()}), 422, "contact_id"
    )
    assert cora.get(f"/interactions/{planned['id']}").status_code == 200
    assert_error(
        cora.put(f"/interactions/{planned['id']}", {"contact_id": dana, "scheduled_at": soon()}),
        403,
    )
    assert cora.get("/interactions", owner_id=personas.rita.id).json()["total"] == 1
    assert_error(ben.get("/interactions", owner_id=personas.rita.id), 404)


def test_today_lists_due_plans_with_the_time_they_take_and_overdue_promises(
    rita: Api, dana: int, db: Session, personas: Personas
) -> None:
    plan(rita, dana, scheduled_at=(datetime.now(UTC) - timedelta(days=2)).isoformat())
    plan(rita, dana, channel="email")
    plan(rita, dana, scheduled_at=(datetime.now(UTC) + timedelta(days=3)).isoformat())
    db.add(
        Commitment(
            owner_id=personas.rita.id,
            contact_id=dana,
            party="prospect",
            description="Ask her boss",
            due_on=datetime.now(UTC).date() - timedelta(days=3),
        )
    )
    db.commit()
    queue = rita.get("/today").json()
    assert [row["overdue"] for row in queue["rows"]] == [True, False]
    assert queue["total_minutes"] == 10 + 5
    (suggestion,) = queue["suggestions"]
    assert (
        suggestion["reason"] == "commitment_follow_up" and "Ask her boss" in suggestion["objective"]
    )
    plan(
        rita, dana, reason="commitment_follow_up", follows_commitment_id=suggestion["commitment_id"]
    )
    assert rita.get("/today").json()["suggestions"] == []


def test_work_mode_starts_only_when_ready(rita: Api, dana: int) -> None:
    assert_error(rita.post("/work-sessions", {"attitude": 4}), 422)  # nothing planned
    incomplete = plan(rita, dana, objective="")
    refused = assert_error(rita.post("/work-sessions", {"attitude": 4}), 422)
    assert "what: write the objective" in str(refused["message"])
    rita.put(
        f"/interactions/{incomplete['id']}",
        {
            "contact_id": dana,
            "reason": "referral",
            "channel": "phone",
            "objective": "Get a yes or no on four seats by Friday",
            "scheduled_at": soon(),
        },
    )
    low = assert_error(rita.post("/work-sessions", {"attitude": 2}), 422)
    assert "regroup" in str(low["message"])
    assert_error(rita.post("/work-sessions", {"attitude": 9}), 422, "attitude")
    assert rita.post("/work-sessions", {"attitude": 4}).status_code == 201


def test_today_suggests_a_diagnosis_call_for_a_deal_with_no_next_step(rita: Api, dana: int) -> None:
    deal = rita.post("/deals", {"title": "Club seats", "contact_id": dana}).json()
    (suggestion,) = [
        s for s in rita.get("/today").json()["suggestions"] if s["kind"] == "diagnosis"
    ]
    assert suggestion["deal_id"] == deal["id"] and suggestion["contact_id"] == dana
    assert "learn" in suggestion["objective"].lower()
    plan(
        rita,
        dana,
        deal_id=deal["id"],
        scheduled_at=(datetime.now(UTC) + timedelta(days=2)).isoformat(),
    )
    assert [s for s in rita.get("/today").json()["suggestions"] if s["kind"] == "diagnosis"] == []
