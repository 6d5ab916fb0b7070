from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.store.models import ApiToken
from support import PASSWORD, Api, Personas, assert_error, log_in


def test_it_says_who_the_token_belongs_to(rita: Api, personas: Personas) -> None:
    me = rita.get("/me").json()
    assert (me["email"], me["is_admin"], me["time_zone"]) == (personas.rita.email, False, "UTC")
    assert "password_hash" not in me


def test_settings_are_validated(rita: Api) -> None:
    saved = rita.put("/me", {"name": "Rita R.", "time_zone": "Europe/Berlin", "week_start": 6})
    assert saved.json()["week_start"] == 6
    assert_error(
        rita.put("/me", {"name": "R", "time_zone": "Berlin", "week_start": 0}), 422, "time_zone"
    )
    assert_error(
        rita.put("/me", {"name": "R", "time_zone": "UTC", "week_start": 7}), 422, "week_start"
    )


def test_a_token_is_shown_once_and_stored_only_as_a_hash(rita: Api, db: Session) -> None:
    created = rita.post("/tokens", {"name": "laptop"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("af_") and len(secret) > 40
    listed = rita.get("/tokens").json()
    assert all("token" not in t for t in listed)
    assert "laptop" in [t["name"] for t in listed]
    stored = db.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored and all(len(h) == 64 for h in stored)


def test_a_revoked_token_stops_working_at_once(rita: Api) -> None:
    created = rita.post("/tokens", {"name": "temporary"}).json()
    other = Api(rita.client, {"Authorization": f"Bearer {created['token']}"})
    assert other.get("/me").status_code == 200
    assert rita.delete(f"/tokens/{created['id']}").status_code == 204
    assert_error(other.get("/me"), 401)
    assert_error(rita.delete(f"/tokens/{created['id']}"), 404)


def test_changing_the_password_needs_the_current_one_and_ends_web_sessions(
    rita: Api, client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    assert client.get("/contacts").status_code == 200
    wrong = {"current_password": "nope", "new_password": "a brand new one"}
    assert_error(rita.post("/me/password", wrong), 422, "current_password")
    right = {"current_password": PASSWORD, "new_password": "a brand new one"}
    assert rita.post("/me/password", right).status_code == 204
    assert client.get("/contacts", follow_redirects=False).status_code == 303


def test_the_session_cookie_works_for_the_api_but_writes_need_the_csrf_header(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    assert client.get("/api/v1/me").json()["email"] == personas.rita.email
    assert_error(client.post("/api/v1/contacts", json={"first_name": "Dana"}), 403)


def test_selling_time_drives_the_block_estimate(rita: Api) -> None:
    defaults = rita.get("/me/selling-time").json()
    assert (defaults["phone"], defaults["meeting"], defaults["working_days"]) == (
        10,
        60,
        [0, 1, 2, 3, 4],
    )
    saved = rita.put("/me/selling-time", {**defaults, "phone": 7, "working_days": [5, 0, 0]}).json()
    assert (saved["phone"], saved["working_days"]) == (7, [0, 5])
    assert_error(
        rita.put("/me/selling-time", {**defaults, "working_days": [7]}), 422, "working_days"
    )
    assert_error(rita.put("/me/selling-time", {**defaults, "phone": 0}), 422, "phone")
    contact = rita.post("/contacts", {"first_name": "Dana"}).json()["id"]
    rita.post(
        "/interactions",
        {"contact_id": contact, "channel": "phone", "scheduled_at": "2020-01-01T09:00:00"},
    )
    assert rita.get("/today").json()["total_minutes"] == 7
