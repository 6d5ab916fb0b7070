"""A user's days and weeks: their own time zone and first day of the week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aimfire.domain.scorecard import WeekWindow, week_bounds
from aimfire.errors import Invalid
from aimfire.services.funnel_counts import Span
from aimfire.store.models import User

MAX_TREND_WEEKS = 52


def zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.time_zone or "UTC")


def local_today(user: User, now: datetime) -> date:
    return now.astimezone(zone(user)).date()


def local_midnight_utc(day: date, user: User) -> datetime:
    """The first instant of `day` where the user is, in UTC (see domain.scorecard)."""
    return datetime.combine(day, time(0), tzinfo=zone(user)).astimezone(UTC)


def user_week(user: User, label: str | None, now: datetime) -> WeekWindow:
    """The week labelled `label` (YYYY-Www) for this user, or their current week."""
    try:
        return week_bounds(
            label, today=local_today(user, now), week_start=user.week_start, tz=zone(user)
        )
    except ValueError as error:
        raise Invalid.on("week", _sentence(error)) from None


def weeks_up_to(user: User, last: WeekWindow, count: int) -> list[WeekWindow]:
    """`count` consecutive weeks of this user ending with `last`, oldest first."""
    if not 1 <= count <= MAX_TREND_WEEKS:
        raise Invalid.on("weeks", f"Ask for 1 to {MAX_TREND_WEEKS} weeks.")
    try:
        return [
            week_bounds(
                None,
                today=last.start_date - timedelta(weeks=back),
                week_start=user.week_start,
                tz=zone(user),
            )
            for back in range(count - 1, -1, -1)
        ]
    except ValueError as error:
        raise Invalid.on("week", _sentence(error)) from None


def _sentence(error: Exception) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def week_span(owner_id: int, week: WeekWindow) -> Span:
    return Span(owner_id, week.start_utc, week.end_utc, week.start_date, week.end_date)


def neighbour_label(user: User, week: WeekWindow, offset: int) -> str | None:
    """The label of the week `offset` weeks away, or None past the supported dates."""
    try:
        day = week.start_date + timedelta(weeks=offset)
        return week_bounds(None, today=day, week_start=user.week_start, tz=zone(user)).label
    except (ValueError, OverflowError):
        return None
