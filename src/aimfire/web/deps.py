"""Request dependencies: the database session, who is asking, and CSRF checks."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from aimfire.config import Settings
from aimfire.errors import AppError, NotAuthenticated
from aimfire.services.access import Actor, actor_for
from aimfire.services.auth import (
    csrf_token,
    csrf_token_matches,
    user_for_api_token,
    user_for_session,
)
from aimfire.services.setup import Database
from aimfire.services.validation import refuse_nul
from aimfire.store.db import begin_write

SESSION_COOKIE = "aimfire_session"
BROWSER_COOKIE = "aimfire_browser"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(Exception):
    """A page needs a logged-in user; the handler redirects to the login page."""


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.database
    with database.sessions() as session:
        if request.method not in SAFE_METHODS:
            begin_write(session)
        yield session


DbSession = Annotated[Session, Depends(get_db)]


def browser_id(request: Request) -> str:
    """A random id per browser (set by the middleware in app.py), which CSRF tokens bind to."""
    value: str = request.state.browser_id
    return value


def new_browser_id() -> str:
    return secrets.token_urlsafe(24)


def csrf_for(request: Request) -> str:
    return csrf_token(get_settings(request).secret, browser_id(request))


def _session_actor(request: Request, db: Session) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    user = user_for_session(db, token) if token else None
    return actor_for(db, user) if user else None


def page_actor(request: Request, db: DbSession) -> Actor:
    actor = _session_actor(request, db)
    if actor is None:
        raise LoginRequired
    request.state.actor = actor
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]

_bearer = HTTPBearer(auto_error=False, description="A personal API token from Settings.")


def api_actor(
    request: Request,
    db: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is not None:
        user = user_for_api_token(db, credentials.credentials)
        if user is None:
            raise NotAuthenticated("That API token is not valid.")
        if db.dirty:
            db.commit()  # keeps last_used_at even when the request itself only reads
        return actor_for(db, user)
    actor = _session_actor(request, db)
    if actor is None:
        raise NotAuthenticated()
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER, "")
        if not csrf_token_matches(get_settings(request).secret, browser_id(request), given):
            raise AppError("Missing or wrong X-CSRF-Token header.", 403, "csrf_failed")
    return actor


ApiActor = Annotated[Actor, Depends(api_actor)]


async def csrf_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, once its CSRF token has been checked and no text in it holds a NUL
    character (some handlers pass fields on without an Input model); uploaded files in it
    are closed when the request is done, whether or not the checks passed."""
    async with request.form() as form:
        given = form.get(CSRF_FIELD)
        secret = get_settings(request).secret
        if not isinstance(given, str) or not csrf_token_matches(secret, browser_id(request), given):
            raise AppError(
                "This form has expired or came from another site. Go back, reload and try again.",
                403,
                "csrf_failed",
            )
        refuse_nul(form.multi_items())
        yield form


Form = Annotated[FormData, Depends(csrf_form)]


def form_dict(form: FormData, *fields: str) -> dict[str, str]:
    """The named text fields of a form (a missing checkbox becomes absent, not '')."""
    return {name: str(form[name]) for name in fields if name in form}
