from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.store.models import Contact
from support import Api, assert_error

DANA = {
    "first_name": "Dana",
    "last_name": "Whitfield",
    "email": "Dana@Whitfield.example",
    "phone": "+1 (555) 010-2030",
    "source": "referral",
}


def count_contacts(db: Session) -> int:
    db.rollback()  # end the read snapshot; see what the app committed
    return db.scalar(select(func.count(Contact.id))) or 0


def test_it_requires_authentication(client: TestClient) -> None:
    response = client.get("/api/v1/contacts")
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_it_refuses_an_unknown_token(client: TestClient) -> None:
    response = client.get("/api/v1/contacts", headers={"Authorization": "Bearer af_nope"})
    assert_error(response, 401)


def test_it_creates_a_contact(rita: Api) -> None:
    response = rita.post("/contacts", DANA)
    assert response.status_code == 201
    body = response.json()
    assert body["full_name"] == "Dana Whitfield"
    assert body["email"] == "dana@whitfield.example"
    assert body["source"] == "referral"
    assert rita.get(f"/contacts/{body['id']}").json() == body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "x" * 81}, "first_name"),
        ({"email": "not-an-email"}, "email"),
        ({"source": "carrier pigeon"}, "source"),
        ({"role": "boss"}, "role"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"account_id": "seven"}, "account_id"),
    ],
)
def test_it_rejects_bad_input_and_writes_nothing(
    rita: Api, db: Session, change: dict[str, object], field: str
) -> None:
    response = rita.post("/contacts", {**DANA, **change})
    assert_error(response, 422, field)
    assert count_contacts(db) == 0


def test_it_rejects_a_body_that_is_not_json_object(rita: Api) -> None:
    assert_error(rita.post("/contacts", ["Dana"]), 422)


def test_it_refuses_an_account_that_is_not_the_reps_own(rita: Api, ben: Api, db: Session) -> None:
    bens_account = ben.post("/accounts", {"name": "Ben's Bakery"}).json()
    response = rita.post("/contacts", {**DANA, "account_id": bens_account["id"]})
    assert_error(response, 422, "account_id")
    assert count_contacts(db) == 0


def test_it_searches_by_name_company_email_and_phone(rita: Api) -> None:
    account = rita.post("/accounts", {"name": "Harbor Dental"}).json()
    rita.post("/contacts", {**DANA, "account_id": account["id"]})
    rita.post("/contacts", {"first_name": "Omar", "email": "omar@elsewhere.example"})
    for query in ("whitfield", "harbor", "dana@whit", "5550102030", "555-010", "dana harbor"):
        names = [c["full_name"] for c in rita.get("/contacts", q=query).json()["items"]]
        assert names == ["Dana Whitfield"], query
    assert rita.get("/contacts", q="nobody").json()["total"] == 0
    assert rita.get("/contacts", q="100%_").json()["total"] == 0


def test_it_pages_through_the_book(rita: Api) -> None:
    for number in range(7):
        rita.post("/contacts", {"first_name": "Pat", "last_name": f"Number{number}"})
    first = rita.get("/contacts", per_page=3).json()
    last = rita.get("/contacts", per_page=3, page=3).json()
    assert (first["total"], first["pages"], len(first["items"])) == (7, 3, 3)
    assert [c["last_name"] for c in last["items"]] == ["Number6"]
    assert_error(rita.get("/contacts", per_page=0), 422, "query.per_page")


def test_it_updates_a_contact(rita: Api) -> None:
    contact = rita.post("/contacts", DANA).json()
    response = rita.put(
        f"/contacts/{contact['id']}", {**DANA, "title": "Owner", "role": "decision_maker"}
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Owner"
    assert response.json()["role"] == "decision_maker"


def test_archived_contacts_leave_the_list_until_asked_for(rita: Api) -> None:
    contact = rita.post("/contacts", DANA).json()
    assert rita.post(f"/contacts/{contact['id']}/archive").json()["archived_at"]
    assert rita.get("/contacts").json()["total"] == 0
    assert rita.get("/contacts", archived=True).json()["total"] == 1
    assert rita.post(f"/contacts/{contact['id']}/unarchive").json()["archived_at"] is None
    assert rita.get("/contacts").json()["total"] == 1


def test_an_unknown_contact_is_not_found(rita: Api) -> None:
    assert_error(rita.get("/contacts/999999"), 404)


def test_a_search_ignores_case_and_accents_and_follows_a_rename(rita: Api, ben: Api) -> None:
    jose = rita.post("/contacts", {"first_name": "José", "last_name": "GARCÍA-López"}).json()
    rita.post("/contacts", {"first_name": "Zoë", "last_name": "Müller"})
    ben.post("/contacts", {"first_name": "Jose", "last_name": "Garcia"})
    for query, name in (
        ("jose", "José GARCÍA-López"),
        ("García lopez", "José GARCÍA-López"),
        ("MULLER", "Zoë Müller"),
        ("zoe", "Zoë Müller"),
    ):
        names = [c["full_name"] for c in rita.get("/contacts", q=query).json()["items"]]
        assert names == [name], query
    hermanos = rita.post("/accounts", {"name": "Pérez Hermanos"}).json()
    rita.post("/contacts", {"first_name": "Ana", "account_id": hermanos["id"]})
    assert [c["full_name"] for c in rita.get("/contacts", q="perez").json()["items"]] == ["Ana"]
    rita.put(f"/contacts/{jose['id']}", {"first_name": "Josefina", "last_name": "Ruiz"})
    assert rita.get("/contacts", q="garcia").json()["total"] == 0
    assert [c["full_name"] for c in rita.get("/contacts", q="josefina").json()["items"]] == [
        "Josefina Ruiz"
    ]
