from __future__ import annotations

from support import Api, Personas, assert_error

NEW_TYPE = {
    "name": "Site visit",
    "default_channel": "meeting",
    "default_objective": "Get the owner to walk the site with us",
}


def test_reps_see_the_builtin_playbooks_until_their_team_has_one(
    ada: Api, rita: Api, ben: Api, personas: Personas
) -> None:
    builtin = {p["name"]: p["id"] for p in rita.get("/playbooks").json()}
    assert set(builtin) == {"Ticket sales", "B2B"}
    team = ada.get("/admin/teams").json()[0]
    copy = ada.post(
        "/admin/playbooks", {"team_id": team["id"], "source_playbook_id": builtin["Ticket sales"]}
    )
    assert copy.status_code == 201
    assert_error(
        ada.post("/admin/playbooks", {"team_id": team["id"], "source_playbook_id": builtin["B2B"]}),
        409,
    )
    assert [p["name"] for p in rita.get("/playbooks").json()] == [copy.json()["name"]]
    assert {p["name"] for p in ben.get("/playbooks").json()} == {"Ticket sales", "B2B"}


def test_admins_edit_team_copies_not_the_builtins(ada: Api, rita: Api) -> None:
    builtin = rita.get("/playbooks").json()[0]
    assert_error(ada.post(f"/admin/playbooks/{builtin['id']}/types", NEW_TYPE), 409)
    team = ada.get("/admin/teams").json()[0]
    copy = ada.post(
        "/admin/playbooks", {"team_id": team["id"], "source_playbook_id": builtin["id"]}
    ).json()
    added = ada.post(f"/admin/playbooks/{copy['id']}/types", NEW_TYPE)
    assert added.status_code == 201 and added.json()["position"] == len(copy["types"])
    type_id = added.json()["id"]
    updated = ada.put(
        f"/admin/playbooks/{copy['id']}/types/{type_id}", {**NEW_TYPE, "name": "Site walk"}
    )
    assert updated.json()["name"] == "Site walk"
    assert_error(
        ada.put(
            f"/admin/playbooks/{copy['id']}/types/{type_id}", {**NEW_TYPE, "default_channel": "fax"}
        ),
        422,
        "default_channel",
    )
    assert ada.delete(f"/admin/playbooks/{copy['id']}/types/{type_id}").status_code == 204
    assert_error(ada.delete(f"/admin/playbooks/{copy['id']}/types/{type_id}"), 404)


def test_only_admins_edit_playbooks(rita: Api) -> None:
    assert_error(rita.get("/admin/playbooks"), 403)
    assert_error(rita.post("/admin/playbooks", {"team_id": 1, "source_playbook_id": 1}), 403)
