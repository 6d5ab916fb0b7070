"""A rep never sees another rep's book; a coach reads only the reps they coach."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from support import Api, Personas, assert_error, log_in


@pytest.fixture
def ritas_book(rita: Api) -> dict[str, int]:
    account = rita.post("/accounts", {"name": "Harbor Dental"}).json()
    contact = rita.post("/contacts", {"first_name": "Dana", "account_id": account["id"]}).json()
    deal = rita.post("/deals", {"title": "Suite", "contact_id": contact["id"]}).json()
    return {"accounts": account["id"], "contacts": contact["id"], "deals": deal["id"]}


KINDS = ("accounts", "contacts", "deals")
UPDATES = {
    "accounts": {"name": "Mine now"},
    "contacts": {"first_name": "Mine now"},
    "deals": {"title": "Mine now", "account_id": None},
}


@pytest.mark.parametrize("kind", KINDS)
def test_another_rep_gets_404_on_every_route(
    ben: Api, ritas_book: dict[str, int], kind: str
) -> None:
    record = ritas_book[kind]
    assert_error(ben.get(f"/{kind}/{record}"), 404)
    assert_error(ben.put(f"/{kind}/{record}", UPDATES[kind]), 404)
    if kind != "deals":
        assert_error(ben.post(f"/{kind}/{record}/archive"), 404)
    assert ben.get(f"/{kind}").json()["total"] == 0


def test_another_rep_cannot_move_or_staff_the_deal(ben: Api, ritas_book: dict[str, int]) -> None:
    deal = ritas_book["deals"]
    stage = ben.get("/pipeline/stages").json()[1]["id"]
    assert_error(ben.post(f"/deals/{deal}/stage", {"stage_id": stage}), 404)
    bens = ben.post("/contacts", {"first_name": "Bea"}).json()["id"]
    assert_error(ben.put(f"/deals/{deal}/people", {"contact_id": bens, "role": "user"}), 404)
    assert_error(ben.delete(f"/deals/{deal}/people/{ritas_book['contacts']}"), 404)


@pytest.mark.parametrize("kind", KINDS)
def test_a_coach_reads_a_coached_reps_records_but_cannot_change_them(
    cora: Api, ritas_book: dict[str, int], personas: Personas, kind: str
) -> None:
    record = ritas_book[kind]
    assert cora.get(f"/{kind}/{record}").status_code == 200
    assert cora.get(f"/{kind}", owner_id=personas.rita.id).json()["total"] == 1
    assert cora.get(f"/{kind}").json()["total"] == 0  # their own book is empty
    assert_error(cora.put(f"/{kind}/{record}", UPDATES[kind]), 403)


@pytest.mark.parametrize("kind", KINDS)
def test_a_coach_cannot_see_a_rep_they_do_not_coach(
    cora: Api, ben: Api, personas: Personas, kind: str
) -> None:
    bens_account = ben.post("/accounts", {"name": "Ben's Bakery"}).json()["id"]
    bens_contact = ben.post("/contacts", {"first_name": "Bea"}).json()["id"]
    bens_deal = ben.post("/deals", {"title": "Bread", "contact_id": bens_contact}).json()["id"]
    record = {"accounts": bens_account, "contacts": bens_contact, "deals": bens_deal}[kind]
    assert_error(cora.get(f"/{kind}/{record}"), 404)
    assert_error(cora.get(f"/{kind}", owner_id=personas.ben.id), 404)


def test_an_admin_does_not_see_other_peoples_books(ada: Api, ritas_book: dict[str, int]) -> None:
    for kind in KINDS:
        assert_error(ada.get(f"/{kind}/{ritas_book[kind]}"), 404)


def test_the_board_of_an_uncoached_rep_is_not_found(cora: Api, personas: Personas) -> None:
    assert cora.get("/pipeline/board", owner_id=personas.rita.id).status_code == 200
    assert_error(cora.get("/pipeline/board", owner_id=personas.ben.id), 404)


@pytest.mark.parametrize("kind", KINDS)
def test_pages_answer_404_for_another_reps_records(
    client: TestClient, personas: Personas, ritas_book: dict[str, int], kind: str
) -> None:
    log_in(client, personas.ben)
    for path in (f"/{kind}/{ritas_book[kind]}", f"/{kind}/{ritas_book[kind]}/edit"):
        response = client.get(path)
        assert response.status_code == 404
        assert "No such" in response.text
    assert client.get(f"/{kind}?owner_id={personas.rita.id}").status_code == 404


def test_a_coach_sees_a_coached_reps_contact_page_without_edit_buttons(
    client: TestClient, personas: Personas, ritas_book: dict[str, int]
) -> None:
    log_in(client, personas.cora)
    page = client.get(f"/contacts/{ritas_book['contacts']}")
    assert page.status_code == 200
    assert "Dana" in page.text and "/edit" not in page.text
