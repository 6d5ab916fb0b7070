"""Coaching: a coach's view of the reps they coach, and typed notes the reps acknowledge.

A coach reads (never changes) the books of the reps on the teams where they coach. Notes
are the one thing a coach writes, and only to a rep they coach: on the rep's week, one of
the rep's deals or one of their interactions. Only the rep a note is written to can
acknowledge it. Anyone who may not see a rep or a note is told it does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from aimfire.domain.coaching import NoteKind
from aimfire.domain.interactions import Status
from aimfire.domain.pipeline import StageOutcome
from aimfire.domain.scorecard import WeekWindow
from aimfire.errors import Invalid, NotFound, PermissionDenied
from aimfire.services.access import Actor, readable_owner
from aimfire.services.scorecard import WeekScore, score_weeks
from aimfire.services.validation import Input
from aimfire.services.weeks import user_week, weeks_up_to
from aimfire.store.models import CoachNote, Deal, Interaction, PipelineStage, User
from aimfire.store.types import utcnow

RECENT_OUTCOMES = 15
CHANNEL_NOUNS = {
    "phone": "call",
    "email": "email",
    "meeting": "meeting",
    "video": "video call",
    "text": "text",
}
OPEN_DEALS = 20


class NoteInput(Input):
    kind: NoteKind
    body: str = Field(min_length=1, max_length=5000)
    week: str | None = Field(
        default=None, description="The rep's week, YYYY-Www; default: this week"
    )
    deal_id: int | None = Field(default=None, description="One of the rep's deals")
    interaction_id: int | None = Field(default=None, description="One of the rep's interactions")


@dataclass(frozen=True)
class RepWeek:
    rep: User
    score: WeekScore
    previous: WeekScore  # the week before, to compare a week still running with a full one
    open_notes: int  # notes the rep has not acknowledged yet


def coached_reps(db: Session, actor: Actor) -> list[User]:
    others = actor.readable_owner_ids - {actor.id}
    return list(db.scalars(select(User).where(User.id.in_(others)).order_by(User.name)))


def dashboard(
    db: Session, actor: Actor, *, week: str | None = None, now: datetime | None = None
) -> list[RepWeek]:
    """Every rep the actor coaches with their week's three yes/no (this week by default,
    each in the rep's own time zone)."""
    now = now or utcnow()
    reps = coached_reps(db, actor)
    slots = []
    for rep in reps:
        before, this = weeks_up_to(rep, user_week(rep, week, now), 2)
        slots += [(rep, this), (rep, before)]
    scores = score_weeks(db, slots, now=now)
    open_notes: dict[int, int] = {
        rep_id: n
        for rep_id, n in db.execute(
            select(CoachNote.rep_id, func.count())
            .where(CoachNote.rep_id.in_([r.id for r in reps]), CoachNote.acknowledged_at.is_(None))
            .group_by(CoachNote.rep_id)
        )
    }
    return [
        RepWeek(rep, scores[2 * i], scores[2 * i + 1], open_notes.get(rep.id, 0))
        for i, rep in enumerate(reps)
    ]


def coached_rep(db: Session, actor: Actor, rep_id: int) -> User:
    """A rep the actor coaches; anyone else (the actor included) is not found."""
    if rep_id == actor.id or rep_id not in actor.readable_owner_ids:
        raise NotFound("rep")
    return db.get_one(User, rep_id)


def write_note(
    db: Session, actor: Actor, rep_id: int, data: NoteInput, *, now: datetime | None = None
) -> CoachNote:
    if rep_id == actor.id:
        raise PermissionDenied("Notes come from a coach; you cannot write one to yourself.")
    rep = coached_rep(db, actor, rep_id)
    if data.deal_id is not None:
        deal = db.get(Deal, data.deal_id)
        if deal is None or deal.owner_id != rep.id:
            raise Invalid.on("deal_id", f"Choose one of {rep.name}'s deals.")
    if data.interaction_id is not None:
        interaction = db.get(Interaction, data.interaction_id)
        if interaction is None or interaction.owner_id != rep.id:
            raise Invalid.on("interaction_id", f"Choose one of {rep.name}'s interactions.")
    week = data.week
    if week is not None or (data.deal_id is None and data.interaction_id is None):
        week = user_week(rep, week, now or utcnow()).label
    note = CoachNote(
        author_id=actor.id,
        author=actor.user,
        rep_id=rep.id,
        kind=data.kind,
        body=data.body,
        week=week,
        deal_id=data.deal_id,
        interaction_id=data.interaction_id,
        created_at=now or utcnow(),
    )
    db.add(note)
    db.flush()
    return note


def list_notes(
    db: Session,
    actor: Actor,
    *,
    rep_id: int | None = None,
    week: str | None = None,
    now: datetime | None = None,
) -> list[CoachNote]:
    """Notes written to a rep (yourself by default), newest first; `week` keeps those on
    that week or written during it, plus any not acknowledged yet."""
    owner = readable_owner(actor, rep_id)
    query = select(CoachNote).where(CoachNote.rep_id == owner)
    if week is not None:
        user = actor.user if owner == actor.id else db.get_one(User, owner)
        query = query.where(_on_or_during(user_week(user, week, now or utcnow())))
    return list(db.scalars(query.order_by(CoachNote.created_at.desc(), CoachNote.id.desc())))


def notes_for_week(db: Session, owner_id: int, week: WeekWindow) -> list[CoachNote]:
    """The notes a scorecard shows: unacknowledged ones first, then the week's own."""
    query = select(CoachNote).where(CoachNote.rep_id == owner_id, _on_or_during(week))
    notes = db.scalars(query.order_by(CoachNote.created_at.desc(), CoachNote.id.desc()))
    return sorted(notes, key=lambda n: n.acknowledged_at is not None)


def _on_or_during(week: WeekWindow) -> ColumnElement[bool]:
    return or_(
        CoachNote.week == week.label,
        (CoachNote.created_at >= week.start_utc) & (CoachNote.created_at < week.end_utc),
        CoachNote.acknowledged_at.is_(None),
    )


def acknowledge_note(
    db: Session, actor: Actor, note_id: int, *, now: datetime | None = None
) -> CoachNote:
    note = db.get(CoachNote, note_id)
    if note is None or note.rep_id not in actor.readable_owner_ids:
        raise NotFound("note")
    if note.rep_id != actor.id:
        raise PermissionDenied("Only the rep a note is written to can acknowledge it.")
    if note.acknowledged_at is None:
        note.acknowledged_at = now or utcnow()
        db.flush()
    return note


def note_subjects(db: Session, notes: list[CoachNote]) -> dict[int, str]:
    """What each note is about, in words: its deal, its interaction or its week."""
    deal_ids = {n.deal_id for n in notes if n.deal_id is not None}
    interaction_ids = {n.interaction_id for n in notes if n.interaction_id is not None}
    deals: dict[int, str] = {}
    if deal_ids:
        deals = {
            i: t for i, t in db.execute(select(Deal.id, Deal.title).where(Deal.id.in_(deal_ids)))
        }
    interactions = {
        i.id: i
        for i in (
            db.scalars(select(Interaction).where(Interaction.id.in_(interaction_ids))).unique()
            if interaction_ids
            else []
        )
    }
    subjects = {}
    for note in notes:
        if note.interaction_id in interactions:
            i = interactions[note.interaction_id]
            what = CHANNEL_NOUNS.get(i.channel or "", "interaction")
            subjects[note.id] = f"the {what} with {i.contact.full_name}"
        elif note.deal_id in deals:
            subjects[note.id] = f"the deal “{deals[note.deal_id]}”"
        elif note.week:
            subjects[note.id] = f"the week {note.week}"
        else:
            subjects[note.id] = "your work"
    return subjects


def recent_outcomes(db: Session, actor: Actor, rep_id: int) -> list[Interaction]:
    rep = coached_rep(db, actor, rep_id)
    return list(
        db.scalars(
            select(Interaction)
            .where(Interaction.owner_id == rep.id, Interaction.status == Status.DONE)
            .order_by(Interaction.logged_at.desc(), Interaction.id.desc())
            .limit(RECENT_OUTCOMES)
        ).unique()
    )


def open_deals(db: Session, actor: Actor, rep_id: int) -> list[Deal]:
    rep = coached_rep(db, actor, rep_id)
    return list(
        db.scalars(
            select(Deal)
            .join(PipelineStage, PipelineStage.id == Deal.stage_id)
            .where(Deal.owner_id == rep.id, PipelineStage.outcome == StageOutcome.OPEN)
            .order_by(Deal.value_cents.desc(), Deal.id)
            .limit(OPEN_DEALS)
        ).unique()
    )
