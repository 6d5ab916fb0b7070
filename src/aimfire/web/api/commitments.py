"""Commitments API: both sides' promises and how well they are kept."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aimfire.domain.interactions import (
    CommitmentStatus,
    Party,
    joint_meeting_objective,
    someone_else_involved,
)
from aimfire.services import commitments
from aimfire.services.paging import MAX_PER_PAGE
from aimfire.services.validation import Input
from aimfire.web.api.schemas import ERRORS, Out, PageOut
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(prefix="/commitments", tags=["commitments"], responses=ERRORS)


class CommitmentOut(Out):
    id: int
    owner_id: int
    contact_id: int
    deal_id: int | None
    interaction_id: int | None
    party: str
    description: str
    due_on: date
    status: str
    resolved_at: datetime | None


class KeepingRateOut(BaseModel):
    party: str
    kept: int
    broken: int
    open: int
    rate: float | None


@router.get("", response_model=PageOut[CommitmentOut])
def list_commitments(
    db: DbSession,
    actor: ApiActor,
    status: CommitmentStatus | None = CommitmentStatus.OPEN,
    party: Party | None = None,
    contact_id: int | None = None,
    owner_id: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = commitments.PROMISES_PER_PAGE,
) -> PageOut[CommitmentOut]:
    """Promises, soonest due first, a page at a time."""
    found = commitments.commitments_page(
        db,
        actor,
        status=status,
        party=party,
        contact_id=contact_id,
        owner_id=owner_id,
        page=page,
        per_page=per_page,
    )
    return PageOut[CommitmentOut].of(found, CommitmentOut.model_validate)


@router.post("/{commitment_id}/resolve", response_model=CommitmentOut)
def resolve(
    db: DbSession, actor: ApiActor, commitment_id: int, data: commitments.Resolution
) -> CommitmentOut:
    """Mark a promise kept or broken."""
    resolved = commitments.resolve_commitment(db, actor, commitment_id, data)
    db.commit()
    return CommitmentOut.model_validate(resolved)


@router.get("/rates", response_model=list[KeepingRateOut])
def keeping_rates(
    db: DbSession, actor: ApiActor, contact_id: int | None = None, owner_id: int | None = None
) -> list[KeepingRateOut]:
    """Promise-keeping rates for prospects and for you, overall or with one contact."""
    rates = commitments.keeping_rates(db, actor, contact_id=contact_id, owner_id=owner_id)
    return [
        KeepingRateOut(party=r.party, kept=r.kept, broken=r.broken, open=r.open, rate=r.rate)
        for r in rates.values()
    ]


class PromiseText(Input):
    text: str = Field(max_length=1000)


class JointMeetingOut(BaseModel):
    who: str | None = Field(description="Whom the promise depends on, e.g. 'wife', 'boss'")
    objective: str | None = Field(description="A suggested objective for a joint meeting")


@router.post("/joint-meeting", response_model=JointMeetingOut)
def joint_meeting(_actor: ApiActor, data: PromiseText) -> JointMeetingOut:
    """When a prospect's promise hangs on someone else, suggest meeting them together."""
    who = someone_else_involved(data.text)
    return JointMeetingOut(who=who, objective=joint_meeting_objective(who) if who else None)
