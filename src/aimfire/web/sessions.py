"""Starting a browser session: the one place the session cookie is written."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from aimfire.services import auth
from aimfire.store.models import User
from aimfire.web.deps import SESSION_COOKIE, get_settings


def log_in(request: Request, db: Session, user: User, response: Response) -> Response:
    """Start a session for ``user``, commit, and hand the browser its cookie on ``response``."""
    lifetime = timedelta(days=get_settings(request).session_days)
    token = auth.start_session(db, user, lifetime)
    db.commit()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
