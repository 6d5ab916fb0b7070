from __future__ import annotations

import pytest

from support import Api, Personas, assert_error

NEW_REP = {"email": "Nia@Example.com", "name": "Nia", "password": "long enough pw"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/admin/users", None),
        ("post", "/admin/users", NEW_REP),
        ("get", "/admin/teams", None),
        ("post", "/admin/teams", {"name": "West"}),
        ("get", "/admin/stages", None),
        ("post", "/admin/stages", {"name": "Contract"}),
    ],
)
def test_only_admins_manage_the_install(rita: Api, method: str, path: str, body: object) -> None:
    response = rita.get(path) if method == "get" else rita.post(path, body)
    assert_error(response, 403)


def test_an_admin_adds_a_user_who_can_then_use_the_api(ada: Api, client) -> None:  # type: ignore[no-untyped-def]
    created = ada.post("/admin/users", NEW_REP)
    assert created.status_code == 201
    assert created.json()["email"] == "nia@example.com"
    assert_error(ada.post("/admin/users", NEW_REP), 409)
    assert_error(
        ada.post("/admin/users", {**NEW_REP, "email": "x@y.z", "password": "short"}),
        422,
        "password",
    )
    assert_error(
        ada.post("/admin/users", {**NEW_REP, "email": "x@y.z", "time_zone": "Mars/Base"}),
        422,
        "time_zone",
    )


def test_a_deactivated_user_loses_api_access(ada: Api, rita: Api, personas: Personas) -> None:
    assert rita.get("/me").status_code == 200
    body = ada.put(f"/admin/users/{personas.rita.id}/active", {"active": False}).json()
    assert body["is_active"] is False
    assert_error(rita.get("/me"), 401)
    assert_error(ada.put(f"/admin/users/{personas.ada.id}/active", {"active": False}), 422)
    assert_error(ada.put("/admin/users/99999/active", {"active": True}), 404)


def test_teams_decide_who_coaches_whom(ada: Api, ben: Api, cora: Api, personas: Personas) -> None:
    bens = ben.post("/contacts", {"first_name": "Bea"}).json()["id"]
    assert_error(cora.get(f"/contacts/{bens}"), 404)
    team = ada.post("/admin/teams", {"name": "West"}).json()
    assert_error(ada.post("/admin/teams", {"name": "West"}), 409)
    ada.put(f"/admin/teams/{team['id']}/members", {"user_id": personas.ben.id, "role": "rep"})
    members = ada.put(
        f"/admin/teams/{team['id']}/members", {"user_id": personas.cora.id, "role": "coach"}
    ).json()["members"]
    assert {"user_id": personas.cora.id, "role": "coach"} in members
    assert cora.get(f"/contacts/{bens}").status_code == 200
    assert ada.delete(f"/admin/teams/{team['id']}/members/{personas.cora.id}").status_code == 204
    assert_error(cora.get(f"/contacts/{bens}"), 404)
    bad_role = {"user_id": personas.cora.id, "role": "boss"}
    assert_error(ada.put(f"/admin/teams/{team['id']}/members", bad_role), 422, "role")
    assert_error(
        ada.put(f"/admin/teams/{team['id']}/members", {"user_id": 999, "role": "rep"}), 404
    )


def test_admins_shape_the_pipeline(ada: Api, rita: Api) -> None:
    stage = ada.post("/admin/stages", {"name": "Contract sent"}).json()
    assert stage["key"] == "contract_sent" and stage["position"] == 8
    assert_error(ada.post("/admin/stages", {"name": "Contract  sent"}), 409)
    order = ada.post(f"/admin/stages/{stage['id']}/move", {"offset": -1}).json()
    assert [s["key"] for s in order][-2:] == ["contract_sent", "lost"]
    assert_error(ada.post(f"/admin/stages/{stage['id']}/move", {"offset": 5}), 422, "offset")
    renamed = ada.put(f"/admin/stages/{stage['id']}", {"name": "Contract out"}).json()
    assert renamed["name"] == "Contract out"
    hidden = ada.put(f"/admin/stages/{stage['id']}", {"name": "Contract out", "is_active": False})
    assert hidden.json()["is_active"] is False
    assert "contract_sent" not in [s["key"] for s in rita.get("/pipeline/stages").json()]


def test_a_stage_holding_deals_cannot_be_hidden(ada: Api, rita: Api) -> None:
    contact = rita.post("/contacts", {"first_name": "Dana"}).json()
    deal = rita.post("/deals", {"title": "x", "contact_id": contact["id"]}).json()
    response = ada.put(f"/admin/stages/{deal['stage_id']}", {"name": "New", "is_active": False})
    assert_error(response, 409)
