"""Calendar API: the address of the caller's iCalendar feed, and giving it a new one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from aimfire.services import calendar
from aimfire.web.api.schemas import ERRORS
from aimfire.web.deps import ApiActor, DbSession
from aimfire.web.pages.calendar import feed_url

router = APIRouter(prefix="/me/calendar", tags=["me"], responses=ERRORS)


class CalendarOut(BaseModel):
    url: str = Field(description="Secret address of the iCalendar feed; no login needed")


@router.get("", response_model=CalendarOut)
def calendar_address(request: Request, actor: ApiActor) -> CalendarOut:
    """The address to subscribe to in a calendar app."""
    return CalendarOut(url=feed_url(request, actor.user))


@router.post("/rotate", response_model=CalendarOut)
def rotate_calendar(request: Request, db: DbSession, actor: ApiActor) -> CalendarOut:
    """Give the feed a new address; the old one stops working at once."""
    calendar.rotate_feed(db, actor)
    db.commit()
    return CalendarOut(url=feed_url(request, actor.user))
