from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.store.models import Contact, User
from support import PASSWORD, Personas, csrf_token, log_in, post_form


def test_every_page_needs_a_login(client: TestClient, personas: Personas) -> None:
    for path in (
        "/",
        "/contacts",
        "/accounts",
        "/deals",
        "/deals/board",
        "/settings",
        "/admin/users",
    ):
        response = client.get(path, follow_redirects=True)
        assert response.url.path == "/login", path


def test_the_first_run_creates_the_owner_and_then_closes(client: TestClient, db: Session) -> None:
    assert client.get("/login", follow_redirects=False).headers["location"] == "/setup"
    form = {"name": "Olive Owner", "email": "olive@example.com", "password": "short"}
    refused = post_form(client, "/setup", form, page="/setup")
    assert refused.status_code == 422 and "at least 8 characters" in refused.text
    created = post_form(
        client, "/setup", {**form, "password": PASSWORD, "time_zone": "Europe/Paris"}, page="/setup"
    )
    assert created.status_code == 303
    owner = db.scalars(select(User)).one()
    assert (owner.is_admin, owner.time_zone) == (True, "Europe/Paris")
    assert client.get("/admin/users").status_code == 200
    assert client.get("/setup", follow_redirects=False).headers["location"] == "/login"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient, personas: Personas
) -> None:
    response = post_form(client, "/login", {"email": personas.rita.email, "password": "nope"})
    assert response.status_code == 401
    assert "do not match an active account" in response.text
    unknown = post_form(client, "/login", {"email": "who@example.com", "password": "nope"})
    assert "do not match an active account" in unknown.text


def test_the_session_cookie_is_http_only_and_same_site(
    client: TestClient, personas: Personas
) -> None:
    response = post_form(client, "/login", {"email": personas.rita.email, "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "aimfire_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http in tests; https requests get Secure


def test_login_only_redirects_within_the_site(client: TestClient, personas: Personas) -> None:
    form = {"email": personas.rita.email, "password": PASSWORD}
    for target, expected in (
        ("/contacts", "/contacts"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
    ):
        client.cookies.clear()
        response = post_form(client, "/login", {**form, "next": target})
        assert response.headers["location"] == expected


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(
    client: TestClient, personas: Personas, db: Session
) -> None:
    log_in(client, personas.rita)
    response = client.post("/contacts", data={"first_name": "Dana"})
    assert response.status_code == 403 and "expired" in response.text
    forged = client.post("/contacts", data={"first_name": "Dana", "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert db.scalar(select(func.count(Contact.id))) == 0


def test_logging_out_ends_the_session_on_the_server(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    session = client.cookies.get("aimfire_session")
    post_form(client, "/logout", {}, page="/contacts")
    client.cookies.set("aimfire_session", session)
    assert client.get("/contacts", follow_redirects=False).status_code == 303


def test_pages_send_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]
    for response in (client.get("/api/v1/me"), client.get("/static/favicon.svg")):
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_browser_gets_its_id_cookie_once(client: TestClient) -> None:
    first = client.get("/setup").headers["set-cookie"]
    assert first.startswith("aimfire_browser=")
    assert all(part in first for part in ("HttpOnly", "Max-Age=34560000", "SameSite=lax"))
    assert "set-cookie" not in client.get("/setup").headers  # the browser sends it back


def test_the_csrf_token_is_bound_to_the_browser(client: TestClient, personas: Personas) -> None:
    token = csrf_token(client)
    client.cookies.clear()
    response = client.post(
        "/login", data={"email": personas.rita.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_cookies_are_secure_behind_https(app, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="https://aimfire.example") as secure_client:
        response = post_form(
            secure_client, "/login", {"email": personas.rita.email, "password": PASSWORD}
        )
        assert response.status_code == 303
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("aimfire_session="))
        assert "secure" in session.lower()
