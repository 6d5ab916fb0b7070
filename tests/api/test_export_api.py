from __future__ import annotations

from starlette.testclient import TestClient

from support import Api, Personas, assert_error


def test_exporting_requires_authentication(client: TestClient) -> None:
    assert_error(client.get("/api/v1/export"), 401)


def test_the_api_exports_a_reps_book_and_an_admins_instance(
    rita: Api, ada: Api, personas: Personas
) -> None:
    rita.post("/contacts", {"first_name": "Dana"})
    mine = rita.get("/export")
    assert mine.status_code == 200
    assert mine.headers["content-type"] == "application/json"
    assert "attachment" in mine.headers["content-disposition"]
    body = mine.json()
    assert body["scope"] == {"kind": "user", "user_id": personas.rita.id}
    assert [u["email"] for u in body["tables"]["users"]] == [personas.rita.email]
    assert [c["first_name"] for c in body["tables"]["contacts"]] == ["Dana"]
    everything = ada.get("/export").json()
    assert everything["scope"] == {"kind": "instance"}
    assert len(everything["tables"]["users"]) == 4
