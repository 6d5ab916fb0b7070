"""Coaching API: the team dashboard and typed notes that reps acknowledge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aimfire.domain.coaching import NoteKind
from aimfire.services import coaching
from aimfire.services.coaching import RepWeek
from aimfire.store.models import CoachNote
from aimfire.web.api.schemas import ERRORS
from aimfire.web.api.scorecard import ScorecardOut, WeekLabel
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["coaching"], responses=ERRORS)


class RepWeekOut(BaseModel):
    rep_id: int
    rep_name: str
    scorecard: ScorecardOut
    previous_week: ScorecardOut
    open_notes: int

    @classmethod
    def of(cls, row: RepWeek) -> RepWeekOut:
        return cls(
            rep_id=row.rep.id,
            rep_name=row.rep.name,
            scorecard=ScorecardOut.of(row.score),
            previous_week=ScorecardOut.of(row.previous),
            open_notes=row.open_notes,
        )


class NoteOut(BaseModel):
    id: int
    author_id: int
    author_name: str
    rep_id: int
    kind: NoteKind
    body: str
    week: str | None
    deal_id: int | None
    interaction_id: int | None
    about: str
    created_at: datetime
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, note: CoachNote, about: str) -> NoteOut:
        return cls(
            id=note.id,
            author_id=note.author_id,
            author_name=note.author.name,
            rep_id=note.rep_id,
            kind=NoteKind(note.kind),
            body=note.body,
            week=note.week,
            deal_id=note.deal_id,
            interaction_id=note.interaction_id,
            about=about,
            created_at=note.created_at,
            acknowledged_at=note.acknowledged_at,
        )


class NewNote(coaching.NoteInput):
    rep_id: int


def _out(db: DbSession, notes: list[CoachNote]) -> list[NoteOut]:
    subjects = coaching.note_subjects(db, notes)
    return [NoteOut.of(note, subjects[note.id]) for note in notes]


@router.get("/coach/dashboard", response_model=list[RepWeekOut])
def dashboard(db: DbSession, actor: ApiActor, week: WeekLabel = None) -> list[RepWeekOut]:
    """Every rep you coach with the week's three yes/no (each rep's own week by default)."""
    return [RepWeekOut.of(row) for row in coaching.dashboard(db, actor, week=week)]


@router.get("/coach/notes", response_model=list[NoteOut])
def list_notes(
    db: DbSession,
    actor: ApiActor,
    rep_id: Annotated[
        int | None, Query(description="A coached rep's id; default: yourself")
    ] = None,
    week: Annotated[
        str | None,
        Query(max_length=10, description="Only notes on or written in this week, plus open ones"),
    ] = None,
) -> list[NoteOut]:
    """Notes written to a rep, newest first."""
    return _out(db, coaching.list_notes(db, actor, rep_id=rep_id, week=week))


@router.post("/coach/notes", response_model=NoteOut, status_code=201)
def write_note(db: DbSession, actor: ApiActor, data: NewNote) -> NoteOut:
    """Write a note to a rep you coach, on their week, a deal or an interaction."""
    note = coaching.write_note(db, actor, data.rep_id, data)
    db.commit()
    return _out(db, [note])[0]


@router.post("/coach/notes/{note_id}/acknowledge", response_model=NoteOut)
def acknowledge_note(db: DbSession, actor: ApiActor, note_id: int) -> NoteOut:
    """Acknowledge a note written to you (the first time counts)."""
    note = coaching.acknowledge_note(db, actor, note_id)
    db.commit()
    return _out(db, [note])[0]
