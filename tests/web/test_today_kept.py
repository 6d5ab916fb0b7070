"""Today's page is kept between changes to the data, and never shown stale or to another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.config import Settings
from aimfire.services.setup import open_database
from aimfire.store.models import Contact, Interaction
from aimfire.store.types import utcnow
from aimfire.web.pages import today as today_page
from support import Personas, counting, later_today, log_in


def _contact(db: Session, owner_id: int, first_name: str) -> int:
    contact = Contact(owner_id=owner_id, first_name=first_name, last_name="Whitfield")
    db.add(contact)
    db.commit()
    return contact.id


def _planned(owner_id: int, contact_id: int, objective: str) -> Interaction:
    return Interaction(
        owner_id=owner_id,
        contact_id=contact_id,
        channel="phone",
        reason="other",
        objective=objective,
        scheduled_at=later_today(),
        status="planned",
    )


def test_a_second_visit_asks_nothing_of_the_book(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = _contact(db, personas.rita.id, "Dana")
    db.add(_planned(personas.rita.id, contact, "Learn who signs off on the seats"))
    db.commit()
    log_in(client, personas.rita)
    first = client.get("/today").text
    with counting(db) as statements:
        again = client.get("/today").text
    assert again == first and "Learn who signs off on the seats" in again
    asked = " ".join(statements)
    assert "interactions" not in asked and "commitments" not in asked and "deals" not in asked


def test_a_change_made_anywhere_shows_on_the_next_visit(
    client: TestClient, personas: Personas, db: Session, settings: Settings
) -> None:
    contact = _contact(db, personas.rita.id, "Dana")
    log_in(client, personas.rita)
    assert "Learn who signs off" not in client.get("/today").text
    # Another process on the same database (the CLI, another web worker) plans a call.
    elsewhere = open_database(settings, migrate=False)
    with elsewhere.sessions.begin() as other:
        other.add(_planned(personas.rita.id, contact, "Learn who signs off on the seats"))
    elsewhere.dispose()
    assert "Learn who signs off on the seats" in client.get("/today").text
    # And this app: the plan is done from work mode's log form, or here, renamed.
    db.get(Contact, contact).first_name = "Dara"  # type: ignore[union-attr]
    db.commit()
    assert "Dara Whitfield" in client.get("/today").text


def test_each_viewer_gets_their_own_page_and_a_message_is_shown_once(
    client: TestClient, personas: Personas, db: Session
) -> None:
    db.add(_planned(personas.rita.id, _contact(db, personas.rita.id, "Dana"), "Call for Rita"))
    db.add(_planned(personas.ben.id, _contact(db, personas.ben.id, "Bo"), "Call for Ben"))
    db.commit()
    log_in(client, personas.rita)
    assert "Call for Rita" in client.get("/today").text
    log_in(client, personas.ben)  # in the same browser
    page = client.get("/today").text
    assert "Call for Ben" in page and "Call for Rita" not in page
    told = client.get("/work").text  # no block started: back to Today, with a message
    assert "Start a block from Today first." in told and "Call for Ben" in told
    assert "Start a block from Today first." not in client.get("/today").text


def test_a_new_day_is_worked_out_afresh(
    client: TestClient, personas: Personas, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact = _contact(db, personas.rita.id, "Dana")
    db.add(_planned(personas.rita.id, contact, "Learn who signs off on the seats"))
    db.commit()
    log_in(client, personas.rita)
    assert "overdue" not in client.get("/today").text
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(today_page, "utcnow", lambda: tomorrow)
    assert "overdue" in client.get("/today").text  # yesterday's plan, not yesterday's page
