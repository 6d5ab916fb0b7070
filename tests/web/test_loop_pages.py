"""Planning, logging and Today through the pages, as a rep uses them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.services import commitments
from aimfire.store.models import Commitment, Contact, Interaction
from support import Personas, later_today, log_in, post_form


def dana(db: Session, personas: Personas) -> int:
    contact = Contact(owner_id=personas.rita.id, first_name="Dana", last_name="Whitfield")
    db.add(contact)
    db.commit()
    return contact.id


def soon() -> str:
    return later_today().strftime("%Y-%m-%dT%H:%M")


def plan_form(contact_id: int, **changes: str) -> dict[str, str]:
    return {
        "contact_id": str(contact_id), "reason": "referral", "channel": "phone",
        "objective": "Learn who signs off on the seats", "scheduled_at": soon(),
        "type_id": "", "deal_id": "", "planned_minutes": "", **changes,
    }  # fmt: skip


def test_a_plan_without_an_objective_is_saved_but_not_ready(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = dana(db, personas)
    log_in(client, personas.rita)
    saved = post_form(
        client, "/interactions", plan_form(contact, objective=""), page="/interactions/new"
    )
    page = client.get(saved.headers["location"]).text
    assert "Not ready." in page and "what: write the objective" in page
    today = client.get("/today").text
    assert "Missing: what: write the objective" in today
    refused = post_form(client, "/today/start", {"attitude": "4"}, page="/today")
    assert refused.status_code == 422 and "Not ready." in refused.text


def test_the_planning_form_explains_a_tell_objective(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = dana(db, personas)
    log_in(client, personas.rita)
    page = client.get(f"/interactions/new?contact_id={contact}&objective=Convince+Dana+to+renew")
    assert "Tell objective" in page.text and "Use this rewrite" in page.text


def test_a_low_attitude_stops_the_block(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = dana(db, personas)
    log_in(client, personas.rita)
    post_form(client, "/interactions", plan_form(contact), page="/interactions/new")
    refused = post_form(client, "/today/start", {"attitude": "2"}, page="/today")
    assert refused.status_code == 422 and "regroup" in refused.text
    started = post_form(client, "/today/start", {"attitude": "4"}, page="/today")
    assert started.headers["location"] == "/work"
    work = client.get("/work").text
    assert "Work mode · 1 of 1" in work and "Dana Whitfield" in work


def test_logging_from_work_mode_requires_a_next_step_and_moves_on(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = dana(db, personas)
    log_in(client, personas.rita)
    post_form(client, "/interactions", plan_form(contact), page="/interactions/new")
    post_form(client, "/today/start", {"attitude": "5"}, page="/today")
    interaction = db.scalar(select(Interaction.id))
    outcome = {
        "back": "/work", "reached": "connected", "objective_met": "yes", "result": "advance",
        "c0_party": "prospect", "c0_description": "Talk to her partner about the seats",
        "c0_due_on": f"{datetime.now(UTC).date() + timedelta(days=1)}", "answers": "",
    }  # fmt: skip
    refused = post_form(client, f"/interactions/{interaction}/log", outcome, page="/work")
    assert refused.status_code == 422 and "Choose the next step" in refused.text
    assert "Meet together with their partner" in refused.text  # the joint-meeting suggestion
    outcome |= {
        "next_step": "scheduled",
        # Not today, or the block would not be done: it would hold the follow-up.
        "next_scheduled_at": (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT10:00"),
        "next_channel": "meeting",
        "next_objective": "Meet Dana and her partner: learn what he needs to decide",
    }
    logged = post_form(client, f"/interactions/{interaction}/log", outcome, page="/work")
    assert logged.headers["location"] == "/work"
    db.rollback()  # end the read snapshot; see what the app committed
    promise = db.scalar(select(Commitment))
    assert promise is not None and promise.party == "prospect"
    follow_up = db.scalar(select(Interaction).where(Interaction.status == "planned"))
    assert follow_up is not None and follow_up.channel == "meeting"
    assert "Block done" in client.get("/work").text


def test_a_calling_block_is_planned_from_a_search(
    client: TestClient, personas: Personas, db: Session
) -> None:
    first = dana(db, personas)
    db.add(Contact(owner_id=personas.rita.id, first_name="Omar"))
    db.commit()
    log_in(client, personas.rita)
    page = client.get("/plan-block")
    type_id = re.search(r'name="type_id" required><option value="(\d+)"', page.text)
    assert type_id
    ids = [str(i) for i in db.scalars(select(Contact.id))]
    response = client.post(
        "/plan-block",
        data={"contact_ids": ids, "type_id": type_id.group(1), "scheduled_at": soon(),
              "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)},  # type: ignore[union-attr]
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    today = client.get("/today").text
    assert "2 interactions planned" in today and "Dana Whitfield" in today and first


def test_the_contact_page_shows_plans_against_outcomes_and_promise_keeping(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = dana(db, personas)
    log_in(client, personas.rita)
    post_form(client, "/interactions", plan_form(contact), page="/interactions/new")
    page = client.get(f"/contacts/{contact}").text
    assert "Plans and outcomes" in page and "Learn who signs off on the seats" in page
    assert "no promises decided yet" in page


def test_another_rep_cannot_open_a_plan(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = dana(db, personas)
    log_in(client, personas.rita)
    saved = post_form(client, "/interactions", plan_form(contact), page="/interactions/new")
    client.cookies.clear()
    log_in(client, personas.ben)
    for suffix in ("", "/edit", "/log"):
        assert client.get(saved.headers["location"] + suffix).status_code == 404


def test_an_admin_gives_a_team_its_own_playbook_and_edits_it(
    client: TestClient, personas: Personas, db: Session
) -> None:
    from aimfire.store.models import InteractionType, Playbook, Team

    log_in(client, personas.ada)
    team = db.scalar(select(Team.id))
    b2b = db.scalar(select(Playbook.id).where(Playbook.name == "B2B"))
    copied = post_form(
        client,
        "/admin/playbooks",
        {"team_id": str(team), "source_playbook_id": str(b2b)},
        page="/admin/playbooks",
    )
    assert copied.status_code == 303
    db.rollback()
    own = db.scalar(select(Playbook).where(Playbook.team_id == team))
    assert own is not None and len(own.types) == 5
    first = own.types[0]
    fields = {
        "name": "First call",
        "default_channel": "phone",
        "default_reason": "",
        "for_stages": "new",
        "default_objective": "Get a meeting on a set date",
        "default_learning_questions": "Who decides?",
    }
    post_form(
        client, f"/admin/playbooks/{own.id}/types/{first.id}", fields, page="/admin/playbooks"
    )
    db.rollback()
    assert db.get(InteractionType, first.id).name == "First call"  # type: ignore[union-attr]
    builtin_type = db.scalar(select(InteractionType.id).where(InteractionType.playbook_id == b2b))
    refused = post_form(
        client, f"/admin/playbooks/{b2b}/types/{builtin_type}", fields, page="/admin/playbooks"
    )
    assert refused.status_code == 409
    client.cookies.clear()
    log_in(client, personas.rita)  # Rita is on that team: she now plans from its playbook
    assert "First call" in client.get("/interactions/new").text
    assert client.get("/admin/playbooks").status_code == 403


def test_the_promises_page_shows_every_promise_a_page_at_a_time(
    client: TestClient, personas: Personas, db: Session
) -> None:
    contact = dana(db, personas)
    first = date(2026, 12, 1)
    count = commitments.PROMISES_PER_PAGE + 1
    for n in range(count):
        db.add(
            Commitment(
                owner_id=personas.rita.id,
                contact_id=contact,
                party="prospect",
                description=f"Send the signed order #{n:03d}",
                due_on=first + timedelta(days=n),
            )
        )
    db.commit()
    log_in(client, personas.rita)
    page = client.get("/commitments").text
    assert "order #000" in page and f"order #{count - 2:03d}" in page
    assert f"order #{count - 1:03d}" not in page and "Page 1 of 2" in page
    last = client.get("/commitments?page=2").text
    assert f"order #{count - 1:03d}" in last and "order #000" not in last
    assert f"(0 kept, 0 broken, {count} open)" in last  # the rates count them all
