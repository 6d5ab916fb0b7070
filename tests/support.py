"""Test helpers: fixed personas, logging in through the real pages, API tokens."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache

import pytest
from httpx2 import Response
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.domain.teams import TeamRole
from aimfire.services import auth
from aimfire.services.access import actor_for
from aimfire.store.models import Team, TeamMember, User

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Personas:
    """Ada administers; Rita and Ben are reps; Cora coaches Rita (not Ben)."""

    ada: User
    rita: User
    ben: User
    cora: User


def later_today() -> datetime:
    """A time after now that is still today for the personas (their zone is UTC), whatever
    the hour the suite runs at: a fixed "two hours from now" is tomorrow from 22:00."""
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    return now + (midnight - now) / 2


@cache
def _password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run, not per persona.
    return auth.hash_password(PASSWORD)


def make_personas(db: Session) -> Personas:
    def person(name: str, admin: bool = False) -> User:
        user = User(email=f"{name.lower()}@example.com", name=name, is_admin=admin)
        user.password_hash = _password_hash()
        db.add(user)
        db.flush()
        return user

    ada, rita, ben, cora = person("Ada", admin=True), person("Rita"), person("Ben"), person("Cora")
    team = Team(name="East")
    team.members = [
        TeamMember(user_id=rita.id, role=TeamRole.REP),
        TeamMember(user_id=cora.id, role=TeamRole.COACH),
    ]
    db.add(team)
    db.flush()
    return Personas(ada, rita, ben, cora)


def csrf_token(client: TestClient, page: str = "/login") -> str:
    match = _CSRF.search(client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post_form(client: TestClient, url: str, data: dict[str, str], page: str = "/login") -> Response:
    """Post a form the way a browser would: with the CSRF token the page handed out."""
    form = {**data, "csrf_token": csrf_token(client, page)}
    return client.post(url, data=form, follow_redirects=False)


def log_in(client: TestClient, user: User) -> None:
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 303, response.text


def token_headers(db: Session, user: User) -> dict[str, str]:
    issued = auth.issue_api_token(db, actor_for(db, user), "tests")
    db.commit()
    return {"Authorization": f"Bearer {issued.secret}"}


def _required(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str, required_by: str) -> None:
    if _required(required_by):
        pytest.fail(f"{reason} ({required_by}=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


class Api:
    """A TestClient speaking to /api/v1 with one user's token."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def get(self, path: str, **params: object) -> Response:
        return self.client.get(f"/api/v1{path}", params=params, headers=self.headers)

    def post(self, path: str, body: object = None) -> Response:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)

    def put(self, path: str, body: object) -> Response:
        return self.client.put(f"/api/v1{path}", json=body, headers=self.headers)

    def delete(self, path: str) -> Response:
        return self.client.delete(f"/api/v1{path}", headers=self.headers)


def assert_error(response: Response, status: int, *fields: str) -> dict[str, object]:
    """The one JSON error shape, with the given status and (optionally) named fields."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    named = {item["field"] for item in error["fields"]}
    assert set(fields) <= named, f"{fields} not all in {named}"
    return error


@contextmanager
def counting(db: Session) -> Iterator[list[str]]:
    """The SQL statements run on ``db``'s database (by any session) inside the block."""
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
