"""The per-user iCalendar feed of planned interactions and booked meetings.

The feed's address holds a token derived from the user's id and calendar version with the
app's secret key, so nothing secret is stored: rotating bumps the version, and the old
address stops working at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aimfire.domain.contacts import humanize
from aimfire.domain.interactions import MEETING_CHANNELS, Status, minutes_by_channel
from aimfire.errors import NotFound
from aimfire.services.access import Actor
from aimfire.store.models import Interaction, User

FEED_PAST_DAYS = 90  # booked meetings that already happened stay visible this long
FEED_LIMIT = 2000
FALLBACK_MINUTES = 30
_TOKEN = re.compile(r"(?P<user>[1-9][0-9]{0,8})-(?P<mac>[A-Za-z0-9_-]{32})")


def feed_token(secret: bytes, user: User) -> str:
    message = f"calendar:{user.id}:{user.calendar_version}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return f"{user.id}-{base64.urlsafe_b64encode(digest).decode()[:32]}"


def feed_path(secret: bytes, user: User) -> str:
    return f"/calendar/{feed_token(secret, user)}.ics"


def user_for_token(db: Session, secret: bytes, token: str) -> User:
    """The active user whose current feed token this is; anything else is not found."""
    match = _TOKEN.fullmatch(token)
    user = db.get(User, int(match["user"])) if match else None
    if (
        user is None
        or not user.is_active
        or not hmac.compare_digest(feed_token(secret, user), token)
    ):
        raise NotFound("calendar")
    return user


def rotate_feed(db: Session, actor: Actor) -> User:
    """Give the feed a new address; the old one stops working."""
    actor.user.calendar_version += 1
    db.flush()
    return actor.user


def _minutes(user: User, interaction: Interaction) -> int:
    if interaction.planned_minutes:
        return interaction.planned_minutes
    return minutes_by_channel(user.channel_minutes).get(interaction.channel or "", FALLBACK_MINUTES)


def summary(interaction: Interaction) -> str:
    """'Dana Whitfield (Harbor Dental) · Phone': who and how."""
    contact = interaction.contact
    who = contact.full_name
    if contact.account is not None:
        who += f" ({contact.account.name})"
    channel = humanize(interaction.channel) if interaction.channel else "Channel not chosen"
    return f"{who} · {channel}"


def description(interaction: Interaction) -> str:
    parts = [f"Objective: {interaction.objective.strip() or '(not written yet)'}"]
    questions = [q.strip() for q in interaction.learning_questions.splitlines() if q.strip()]
    if questions:
        parts.append("What I need to learn:\n" + "\n".join(f"- {q}" for q in questions))
    if interaction.minimum_outcome.strip():
        parts.append(f"Minimum acceptable outcome: {interaction.minimum_outcome.strip()}")
    if interaction.reason:
        parts.append(f"Why: {humanize(interaction.reason)}")
    if interaction.deal is not None:
        parts.append(f"Deal: {interaction.deal.title}")
    return "\n\n".join(parts)


def feed_interactions(db: Session, user: User, now: datetime) -> list[Interaction]:
    meeting = Interaction.channel.in_([str(channel) for channel in MEETING_CHANNELS])
    query = (
        select(Interaction)
        .where(Interaction.owner_id == user.id)
        .where(
            or_(
                Interaction.status == Status.PLANNED,
                (Interaction.status == Status.DONE) & meeting,
            )
        )
        .where(Interaction.scheduled_at >= now - timedelta(days=FEED_PAST_DAYS))
        .order_by(Interaction.scheduled_at, Interaction.id)
        .limit(FEED_LIMIT)
    )
    return list(db.scalars(query).unique())


def calendar_feed(db: Session, user: User, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//aimfire//interactions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"aimfire: {user.name}")
    calendar.add("x-wr-timezone", user.time_zone)
    for interaction in feed_interactions(db, user, now):
        event = Event()
        event.add("uid", f"interaction-{interaction.id}@aimfire")
        event.add("dtstamp", interaction.updated_at)
        event.add("last-modified", interaction.updated_at)
        event.add("dtstart", interaction.scheduled_at)
        event.add(
            "dtend", interaction.scheduled_at + timedelta(minutes=_minutes(user, interaction))
        )
        event.add("summary", summary(interaction))
        event.add("description", description(interaction))
        event.add("status", "CONFIRMED")
        if interaction.channel:
            event.add("categories", [humanize(interaction.channel)])
        calendar.add_component(event)
    return calendar.to_ical()
