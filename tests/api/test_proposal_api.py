"""The proposal guard through the API: the follow-up meeting is asked for in the same step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.domain.interactions import local_today
from aimfire.store.models import Deal, Interaction
from health_support import NOW, deal
from support import Api, Personas, assert_error

SOON = (NOW + timedelta(days=3)).replace(hour=10, minute=0)


def meeting(**changes: object) -> dict[str, object]:
    return {"scheduled_at": SOON.isoformat(), "channel": "video", **changes}


def test_marking_a_proposal_sent_books_the_follow_up_meeting_and_moves_the_deal(
    rita: Api, personas: Personas, db: Session
) -> None:
    early = deal(db, personas.rita, stage_key="meeting_set", decision_maker=True)
    db.commit()
    response = rita.post(f"/deals/{early.id}/proposal", {"follow_up": meeting()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["deal"]["stage_name"] == "Proposal"
    assert body["deal"]["proposal_sent_on"] == local_today(datetime.now(UTC), "UTC").isoformat()
    assert "proposal_without_follow_up" not in [f["rule"] for f in body["flags"]]
    booked = db.get(Interaction, body["follow_up_interaction_id"])
    assert booked is not None
    assert (booked.channel, booked.reason, booked.status) == (
        "video",
        "proposal_follow_up",
        "planned",
    )
    assert booked.scheduled_at == SOON and booked.deal_id == early.id
    assert booked.contact_id == early.contact_id  # the decision maker, by default
    assert booked.objective.startswith("Learn what they need to decide")
    assert booked.objective_label == "learning"


def test_skipping_the_meeting_leaves_the_deal_flagged_until_one_is_booked(
    rita: Api, personas: Personas, db: Session
) -> None:
    later = deal(db, personas.rita, stage_key="decision")
    db.commit()
    body = rita.post(f"/deals/{later.id}/proposal", {"sent_on": "2026-01-05"}).json()
    assert body["follow_up_interaction_id"] is None
    assert body["deal"]["stage_name"] == "Decision"  # never moved backwards
    assert "proposal_without_follow_up" in [f["rule"] for f in body["flags"]]
    planned = rita.post(
        "/interactions",
        {"contact_id": later.contact_id, "deal_id": later.id, "channel": "meeting",
         "reason": "proposal_follow_up", "objective": "Learn what they need to decide",
         "scheduled_at": SOON.isoformat()},
    )  # fmt: skip
    assert planned.status_code == 201, planned.text
    flags = rita.get(f"/deals/{later.id}/health").json()["flags"]
    assert "proposal_without_follow_up" not in [f["rule"] for f in flags]


def test_a_bad_proposal_is_refused_and_nothing_is_written(
    rita: Api, personas: Personas, db: Session
) -> None:
    target = deal(db, personas.rita, stage_key="qualified")
    db.commit()
    tomorrow = (NOW + timedelta(days=2)).date().isoformat()
    cases = [
        ({"follow_up": meeting(scheduled_at=(NOW - timedelta(hours=1)).isoformat())},
         "follow_up.scheduled_at"),
        ({"follow_up": meeting(channel="phone")}, "follow_up.channel"),
        ({"follow_up": meeting(objective="")}, "follow_up.objective"),
        ({"follow_up": {"channel": "meeting"}}, "follow_up.scheduled_at"),
        ({"sent_on": tomorrow}, "sent_on"),
        ({"follow_up": meeting(contact_id=999_999)}, "follow_up.contact_id"),
        ({"sent_on": "soon"}, "sent_on"),
        ({"sent": "yesterday"}, "sent"),
    ]  # fmt: skip
    for body, field in cases:
        assert_error(rita.post(f"/deals/{target.id}/proposal", body), 422, field)
    db.expire_all()
    unchanged = db.get(Deal, target.id)
    assert unchanged is not None
    assert unchanged.proposal_sent_on is None and unchanged.stage.key == "qualified"
    assert db.scalar(select(func.count(Interaction.id))) == 0


def test_a_closed_deal_takes_no_proposal(rita: Api, personas: Personas, db: Session) -> None:
    won = deal(db, personas.rita, stage_key="won")
    db.commit()
    assert_error(rita.post(f"/deals/{won.id}/proposal", {}), 409)


def test_only_the_owner_marks_a_proposal_sent(
    ben: Api, cora: Api, personas: Personas, db: Session
) -> None:
    ritas = deal(db, personas.rita)
    db.commit()
    assert_error(ben.post(f"/deals/{ritas.id}/proposal", {}), 404)
    assert_error(cora.post(f"/deals/{ritas.id}/proposal", {}), 403)
    db.expire_all()
    assert db.get(Deal, ritas.id).proposal_sent_on is None  # type: ignore[union-attr]
