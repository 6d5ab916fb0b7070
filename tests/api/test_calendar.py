from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.domain.interactions import DEFAULT_CHANNEL_MINUTES
from aimfire.store.models import Account, Contact, Deal, Interaction, PipelineStage, User
from aimfire.store.types import utcnow
from support import Api, Personas, assert_error, log_in, post_form


def feed_path(api: Api) -> str:
    response = api.get("/me/calendar")
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    return urlparse(url).path


def parse(client: TestClient, path: str) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def plan(db: Session, owner: User, contact: Contact, **fields: object) -> Interaction:
    interaction = Interaction(owner_id=owner.id, contact_id=contact.id, **fields)
    db.add(interaction)
    db.flush()
    return interaction


def book(db: Session, personas: Personas) -> dict[str, Interaction]:
    """Rita's planned work, a done meeting, and things that do not belong in her calendar."""
    rita, ben = db.get(User, personas.rita.id), db.get(User, personas.ben.id)
    assert rita is not None and ben is not None
    rita.time_zone = "America/Chicago"
    rita.channel_minutes = {"email": 15}
    account = Account(owner_id=rita.id, name="Harbor Dental Group")
    dana = Contact(owner_id=rita.id, first_name="Dana", last_name="Whitfield", account=account)
    omar = Contact(owner_id=rita.id, first_name="Omar", last_name="Haddad")
    bens = Contact(owner_id=ben.id, first_name="Ben's", last_name="Contact")
    db.add_all([dana, omar, bens])
    db.flush()
    stage = db.scalar(select(PipelineStage.id).limit(1))
    deal = Deal(owner_id=rita.id, title="Staff night", contact_id=dana.id, stage_id=stage)
    db.add(deal)
    db.flush()
    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    interactions = {
        "call": plan(
            db,
            rita,
            dana,
            deal_id=deal.id,
            channel="phone",
            reason="proposal_follow_up",
            objective="Learn what is in the way of a decision on the staff night",
            learning_questions="Who else decides?\nWhat budget is left this quarter?",
            minimum_outcome="A date for the decision",
            scheduled_at=soon,
            planned_minutes=20,
        ),
        "email": plan(
            db, rita, omar, channel="email", objective="Get a yes or no", scheduled_at=soon
        ),
        "meeting": plan(
            db, rita, dana, channel="meeting", objective="Agree on seats", scheduled_at=soon
        ),
        "unplanned_channel": plan(
            db, rita, omar, scheduled_at=datetime(2036, 3, 9, 7, 30, tzinfo=UTC)
        ),
        "held_meeting": plan(
            db,
            rita,
            omar,
            channel="video",
            objective="Understand the rollout",
            scheduled_at=utcnow().replace(microsecond=0) - timedelta(days=3),
            status="done",
        ),
    }
    excluded = [
        plan(db, rita, omar, channel="phone", scheduled_at=soon, status="done"),
        plan(db, rita, omar, channel="meeting", scheduled_at=soon, status="cancelled"),
        plan(db, rita, omar, channel="meeting", scheduled_at=soon - timedelta(days=400)),
        plan(db, ben, bens, channel="phone", scheduled_at=soon),
    ]
    db.commit()
    assert len(excluded) == 4
    return interactions


def test_the_feed_lists_every_planned_interaction_and_booked_meeting_correctly(
    rita: Api, client: TestClient, db: Session, personas: Personas
) -> None:
    interactions = book(db, personas)
    calendar = parse(client, feed_path(rita))
    assert str(calendar["version"]) == "2.0"
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    expected = {f"interaction-{i.id}@aimfire": i for i in interactions.values()}
    assert set(events) == set(expected)
    minutes = {
        "call": 20,  # planned
        "email": 15,  # Rita's own setting
        "meeting": DEFAULT_CHANNEL_MINUTES["meeting"],
        "unplanned_channel": 30,
        "held_meeting": DEFAULT_CHANNEL_MINUTES["video"],
    }
    for name, interaction in interactions.items():
        event = events[f"interaction-{interaction.id}@aimfire"]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.utcoffset() == timedelta(0) and start == interaction.scheduled_at
        assert end - start == timedelta(minutes=minutes[name]), name
        summary = str(event["summary"])
        assert interaction.contact.full_name in summary
        channel = (interaction.channel or "Channel not chosen").capitalize()
        assert summary.endswith(channel), summary
        description = str(event["description"])
        assert description.startswith("Objective: ")
        assert (interaction.objective or "(not written yet)") in description
        for question in interaction.learning_questions.splitlines():
            assert f"- {question}" in description
        assert event.decoded("dtstamp") == interaction.updated_at.replace(microsecond=0)
    call = events[f"interaction-{interactions['call'].id}@aimfire"]
    assert str(call["summary"]) == "Dana Whitfield (Harbor Dental Group) · Phone"
    assert "Minimum acceptable outcome: A date for the decision" in str(call["description"])
    assert "Deal: Staff night" in str(call["description"])


def test_uids_stay_the_same_when_the_feed_is_fetched_again(
    rita: Api, client: TestClient, db: Session, personas: Personas
) -> None:
    book(db, personas)
    path = feed_path(rita)
    first = [str(e["uid"]) for e in parse(client, path).walk("VEVENT")]
    second = [str(e["uid"]) for e in parse(client, path).walk("VEVENT")]
    assert first == second and len(first) == 5


def test_rotating_the_feed_makes_the_old_address_stop_working_at_once(
    rita: Api, client: TestClient, db: Session, personas: Personas
) -> None:
    book(db, personas)
    old = feed_path(rita)
    response = rita.post("/me/calendar/rotate")
    assert response.status_code == 200
    new = urlparse(response.json()["url"]).path
    assert new != old and feed_path(rita) == new
    assert client.get(old).status_code == 404
    assert len(list(parse(client, new).walk("VEVENT"))) == 5


def test_an_unknown_or_forged_address_is_not_found(
    rita: Api, ben: Api, client: TestClient, db: Session, personas: Personas
) -> None:
    rita_path = feed_path(rita)
    ben_path = feed_path(ben)
    forged = rita_path.replace(f"/calendar/{personas.rita.id}-", f"/calendar/{personas.ben.id}-")
    for path in (
        forged,
        "/calendar/nothing.ics",
        "/calendar/1-abc.ics",
        "/calendar/99999999999999999-" + "a" * 32 + ".ics",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(ben_path).status_code == 200
    db.merge(personas.ben).is_active = False
    db.commit()
    assert client.get(ben_path).status_code == 404


def test_the_calendar_api_requires_authentication(client: TestClient) -> None:
    assert_error(client.get("/api/v1/me/calendar"), 401)
    assert_error(client.post("/api/v1/me/calendar/rotate"), 401)


def test_settings_show_the_feed_address_and_rotate_it(
    client: TestClient, rita: Api, personas: Personas
) -> None:
    log_in(client, personas.rita)
    path = feed_path(rita)
    page = client.get("/settings")
    assert f"http://testserver{path}" in page.text
    response = post_form(client, "/settings/calendar/rotate", {}, page="/settings")
    assert response.status_code == 303
    page = client.get("/settings")
    assert "old one stopped working" in page.text
    assert path not in page.text and client.get(path).status_code == 404
