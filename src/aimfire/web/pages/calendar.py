"""The secret iCalendar feed (no login: the address itself is the key) and rotating it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.services import calendar
from aimfire.store.models import User
from aimfire.store.types import utcnow
from aimfire.web.deps import DbSession, Form, PageActor, get_settings
from aimfire.web.templating import redirect, templates

router = APIRouter()


def feed_url(request: Request, user: User) -> str:
    """The feed's full address, as the browser reached this app."""
    base = str(request.base_url).rstrip("/")
    return base + calendar.feed_path(get_settings(request).secret, user)


templates.env.globals["calendar_feed_url"] = feed_url


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, db: DbSession, token: str) -> Response:
    user = calendar.user_for_token(db, get_settings(request).secret, token)
    body = calendar.calendar_feed(db, user, utcnow())
    headers = {
        "Content-Disposition": 'inline; filename="aimfire.ics"',
        "Cache-Control": "private, max-age=300",
        "Referrer-Policy": "no-referrer",
    }
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


@router.post("/settings/calendar/rotate")
def rotate_feed(db: DbSession, actor: PageActor, _form: Form) -> Response:
    calendar.rotate_feed(db, actor)
    db.commit()
    return redirect("/settings#calendar", "New calendar address made; the old one stopped working.")
