"""Contacts, accounts and deals through the pages, the way a rep uses them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.services import choices
from aimfire.store.models import Contact, Deal
from support import Personas, log_in, post_form


def created_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text
    match = re.search(r"/(\d+)$", response.headers["location"])
    assert match
    return int(match.group(1))


def test_a_rep_adds_edits_and_archives_a_contact(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    contact = created_id(
        post_form(
            client,
            "/contacts",
            {"first_name": "Dana", "last_name": "Whitfield", "role": "", "account_id": ""},
            page="/contacts/new",
        )
    )
    page = client.get(f"/contacts/{contact}")
    assert "Dana Whitfield" in page.text and "Dana Whitfield added." in page.text
    edit = client.get(f"/contacts/{contact}/edit")
    assert 'value="Whitfield"' in edit.text
    post_form(
        client,
        f"/contacts/{contact}",
        {"first_name": "Dana", "last_name": "Whitfield-Ng", "title": "Owner"},
        page=f"/contacts/{contact}/edit",
    )
    assert "Whitfield-Ng" in client.get("/contacts?q=ng").text
    post_form(
        client, f"/contacts/{contact}/archive", {"archived": "1"}, page=f"/contacts/{contact}"
    )
    assert ">Dana Whitfield-Ng</a>" not in client.get("/contacts").text
    assert ">Dana Whitfield-Ng</a>" in client.get("/contacts?archived=true").text


def test_a_bad_contact_form_is_shown_again_with_the_reason_and_nothing_saved(
    client: TestClient, personas: Personas, db: Session
) -> None:
    log_in(client, personas.rita)
    response = post_form(
        client,
        "/contacts",
        {"first_name": "Dana", "email": "dana-at-example"},
        page="/contacts/new",
    )
    assert response.status_code == 422
    assert "valid email" in response.text and 'value="Dana"' in response.text
    assert db.scalar(select(func.count(Contact.id))) == 0


def test_a_rep_creates_a_deal_for_an_account_and_names_its_decision_maker(
    client: TestClient, personas: Personas, db: Session
) -> None:
    log_in(client, personas.rita)
    account = created_id(
        post_form(
            client,
            "/accounts",
            {"name": "Harbor Dental", "industry": "Healthcare"},
            page="/accounts/new",
        )
    )
    boss = created_id(
        post_form(
            client,
            "/contacts",
            {"first_name": "Hal", "account_id": str(account)},
            page="/contacts/new",
        )
    )
    deal = created_id(
        post_form(
            client,
            "/deals",
            {
                "title": "Staff night",
                "account_id": str(account),
                "value": "3300",
                "contact_id": "",
                "stage_id": "",
                "expected_close_on": "",
            },
            page="/deals/new",
        )
    )
    page = client.get(f"/deals/{deal}")
    assert "3,300 USD" in page.text and "not identified" in page.text
    post_form(
        client,
        f"/deals/{deal}/people",
        {"contact_id": str(boss), "role": "decision_maker"},
        page=f"/deals/{deal}",
    )
    page = client.get(f"/deals/{deal}")
    assert "not met yet" in page.text
    assert "Staff night" in client.get(f"/accounts/{account}").text


def test_a_deal_form_with_neither_contact_nor_account_says_so(
    client: TestClient, personas: Personas, db: Session
) -> None:
    log_in(client, personas.rita)
    response = post_form(client, "/deals", {"title": "Mystery", "value": "10"}, page="/deals/new")
    assert response.status_code == 422 and "needs a contact, an account or both" in response.text
    assert db.scalar(select(func.count(Deal.id))) == 0


def test_the_board_moves_a_deal_and_comes_back(
    client: TestClient, personas: Personas, db: Session
) -> None:
    log_in(client, personas.rita)
    contact = created_id(
        post_form(client, "/contacts", {"first_name": "Dana"}, page="/contacts/new")
    )
    deal = created_id(
        post_form(
            client, "/deals", {"title": "Suite", "contact_id": str(contact)}, page="/deals/new"
        )
    )
    qualified = db.scalar(select(Deal.stage_id).where(Deal.id == deal)) + 1  # type: ignore[operator]
    moved = post_form(
        client,
        f"/deals/{deal}/stage",
        {"stage_id": str(qualified), "back": "/deals/board"},
        page="/deals/board",
    )
    assert moved.headers["location"] == "/deals/board"
    board = client.get("/deals/board").text
    assert "moved to Qualified" in board
    # Without JavaScript a card's Move opens the deal's page at its own move form.
    assert f'href="/deals/{deal}#move"' in board
    assert 'id="move"' in client.get(f"/deals/{deal}").text
    evil = post_form(
        client,
        f"/deals/{deal}/stage",
        {"stage_id": str(qualified), "back": "//evil.example"},
        page="/deals/board",
    )
    assert evil.headers["location"] == f"/deals/{deal}"


def test_pages_render_for_every_persona(client: TestClient, personas: Personas) -> None:
    for user in (personas.rita, personas.cora, personas.ada):
        client.cookies.clear()
        log_in(client, user)
        for path in (
            "/contacts",
            "/contacts/new",
            "/accounts",
            "/accounts/new",
            "/deals",
            "/deals/new",
            "/deals/board",
            "/settings",
        ):
            assert client.get(path).status_code == 200, (user.name, path)


def test_admin_pages_are_for_admins(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    for path in ("/admin/users", "/admin/teams", "/admin/stages"):
        assert client.get(path).status_code == 403
    client.cookies.clear()
    log_in(client, personas.ada)
    for path in ("/admin/users", "/admin/teams", "/admin/stages"):
        assert client.get(path).status_code == 200


def test_settings_show_a_new_token_once(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    shown = post_form(client, "/settings/tokens", {"name": "laptop"}, page="/settings")
    secret = re.search(r"(af_[\w-]+)", shown.text)
    assert secret
    assert secret.group(1) not in client.get("/settings").text
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code
        == 200
    )


def test_settings_reject_an_unknown_time_zone(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    response = post_form(
        client,
        "/settings/profile",
        {"name": "Rita", "time_zone": "Mars/Base", "week_start": "0"},
        page="/settings",
    )
    assert response.status_code == 422 and "not a time zone" in response.text


def test_settings_save_selling_time(client: TestClient, personas: Personas, db: Session) -> None:
    from aimfire.store.models import User

    log_in(client, personas.rita)
    page = client.get("/settings").text
    assert 'name="phone" type="number" min="1" max="480" value="10"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {
        "phone": "8",
        "email": "4",
        "meeting": "45",
        "video": "25",
        "text": "2",
        "selling_hours_per_week": "18",
        "working_days": ["0", "2", "4"],
        "csrf_token": token,
    }
    assert (
        client.post("/settings/selling-time", data=form, follow_redirects=False).status_code == 303
    )
    db.rollback()
    rita = db.get(User, personas.rita.id)
    assert rita is not None and (rita.working_days, rita.channel_minutes["meeting"]) == ("024", 45)
    bad = client.post("/settings/selling-time", data={**form, "phone": "0"})
    assert bad.status_code == 422


def selected(page: str, name: str) -> str | None:
    """The value chosen in the page's <select> named ``name``, and None if none is."""
    field = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert field is not None, f"no select named {name}"
    chosen = re.search(r'<option value="([^"]*)"\s*selected', field.group(0))
    return chosen.group(1) if chosen else None


def test_a_form_keeps_the_records_it_is_about_beyond_its_first_choices(
    client: TestClient, personas: Personas, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(choices, "CHOICES", 2)  # a big book: only the first two by name
    monkeypatch.setattr(choices, "DEAL_CHOICES", 2)  # and the two latest deals
    ann, bo, zoe = (
        Contact(owner_id=personas.rita.id, first_name=first, last_name=last)
        for first, last in (("Ann", "Adams"), ("Bo", "Baker"), ("Zoe", "Zimmer"))
    )
    bens = Contact(owner_id=personas.ben.id, first_name="Aaron", last_name="Aaronson")
    db.add_all([ann, bo, zoe, bens])
    db.commit()
    log_in(client, personas.rita)
    deal = created_id(
        post_form(
            client,
            "/deals",
            {"title": "Zimmer seats", "contact_id": str(zoe.id), "value": "900"},
            page="/deals/new",
        )
    )
    for _ in range(2):  # two deals changed since: the first is no longer among the latest two
        post_form(client, "/deals", {"title": "Later", "contact_id": str(ann.id)}, "/deals/new")

    plan = client.get(f"/interactions/new?contact_id={zoe.id}&deal_id={deal}").text
    assert selected(plan, "contact_id") == str(zoe.id)
    assert selected(plan, "deal_id") == str(deal)
    assert selected(client.get(f"/deals/{deal}/edit").text, "contact_id") == str(zoe.id)
    assert selected(client.get(f"/deals/new?contact_id={zoe.id}").text, "contact_id") == str(zoe.id)
    others = client.get(f"/interactions/new?contact_id={bens.id}").text
    assert selected(others, "contact_id") is None and "Aaronson" not in others
    nobody = client.get("/interactions/new?contact_id=99999999999999999999&deal_id=-1")
    assert nobody.status_code == 200 and selected(nobody.text, "contact_id") is None
