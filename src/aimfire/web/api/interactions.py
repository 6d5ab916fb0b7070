"""Interactions API: plans, outcomes (with the required next step), Today and work sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aimfire.domain.interactions import Status
from aimfire.services import interactions, today
from aimfire.services.paging import MAX_PER_PAGE
from aimfire.services.validation import Input
from aimfire.store.models import Interaction
from aimfire.web.api.schemas import ERRORS, Out, PageOut
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["interactions"], responses=ERRORS)


class AnswerOut(BaseModel):
    question: str
    answer: str


class InteractionOut(Out):
    id: int
    owner_id: int
    contact_id: int
    deal_id: int | None
    type_id: int | None
    reason: str | None
    channel: str | None
    objective: str
    objective_label: str
    learning_questions: str
    best_outcome: str
    minimum_outcome: str
    scheduled_at: datetime
    planned_minutes: int | None
    status: str
    ready: bool = Field(description="Who, why, how and what are all planned")
    missing: list[str] = Field(description="What the plan still lacks")
    follows_commitment_id: int | None
    reached: str | None
    objective_met: str | None
    result: str | None
    answers: list[AnswerOut]
    learned: str
    tonality: int | None
    emotional_engagement: int | None
    business_relevance: int | None
    personal_relevance: int | None
    depth_of_engagement: int | None
    actual_minutes: int | None
    logged_at: datetime | None
    next_step: str | None
    no_next_step_reason: str
    next_interaction_id: int | None

    @classmethod
    def of(cls, interaction: Interaction) -> InteractionOut:
        missing = interactions.plan_problems(interaction)
        fields = {
            name: getattr(interaction, name)
            for name in cls.model_fields
            if hasattr(interaction, name)
        }
        return cls.model_validate({**fields, "ready": not missing, "missing": missing})


class BulkPlan(Input):
    contact_ids: list[int] = Field(min_length=1, max_length=500)
    template: interactions.PlanInput = Field(description="contact_id in the template is ignored")


class Attitude(Input):
    attitude: int = Field(ge=1, le=5)


class QueueRowOut(BaseModel):
    interaction: InteractionOut
    minutes: int
    overdue: bool


class SuggestionOut(BaseModel):
    kind: str
    contact_id: int
    deal_id: int | None
    reason: str
    objective: str
    why: str
    commitment_id: int | None


class TodayOut(BaseModel):
    day: date
    total_minutes: int
    rows: list[QueueRowOut]
    suggestions: list[SuggestionOut]
    more_diagnoses: int = Field(
        description="Flagged deals with nothing planned beyond the suggested ones "
        "(all of them: GET /api/v1/health/diagnoses)"
    )

    @classmethod
    def of(cls, queue: today.Queue) -> TodayOut:
        rows = [
            QueueRowOut(
                interaction=InteractionOut.of(r.interaction), minutes=r.minutes, overdue=r.overdue
            )
            for r in queue.rows
        ]
        suggestions = [_suggestion(s) for s in queue.suggestions]
        return cls(
            day=queue.day,
            total_minutes=queue.total_minutes,
            rows=rows,
            suggestions=suggestions,
            more_diagnoses=queue.more_diagnoses,
        )


def _suggestion(s: today.Suggestion) -> SuggestionOut:
    return SuggestionOut(
        kind=s.kind,
        contact_id=s.contact_id,
        deal_id=s.deal_id,
        reason=s.reason,
        objective=s.objective,
        why=s.why,
        commitment_id=s.commitment.id if s.commitment else None,
    )


class WorkSessionOut(Out):
    id: int
    started_at: datetime
    attitude: int
    planned_count: int


@router.get("/interactions", response_model=PageOut[InteractionOut])
def list_interactions(
    db: DbSession,
    actor: ApiActor,
    status: Status | None = None,
    contact_id: int | None = None,
    deal_id: int | None = None,
    owner_id: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> PageOut[InteractionOut]:
    results = interactions.search_interactions(
        db, actor, status=status, contact_id=contact_id, deal_id=deal_id, owner_id=owner_id,
        page=page, per_page=per_page,
    )  # fmt: skip
    return PageOut[InteractionOut].of(results, InteractionOut.of)


@router.post("/interactions", response_model=InteractionOut, status_code=201)
def plan(db: DbSession, actor: ApiActor, data: interactions.PlanInput) -> InteractionOut:
    """Plan an interaction. A naive scheduled_at is read in your time zone."""
    planned = interactions.plan_interaction(db, actor, data)
    db.commit()
    return InteractionOut.of(planned)


@router.post("/interactions/bulk", response_model=list[InteractionOut], status_code=201)
def plan_block(db: DbSession, actor: ApiActor, data: BulkPlan) -> list[InteractionOut]:
    """Plan the same kind of interaction with several contacts (a calling block)."""
    planned = interactions.bulk_plan(db, actor, data.contact_ids, data.template)
    db.commit()
    return [InteractionOut.of(i) for i in planned]


@router.get("/interactions/{interaction_id}", response_model=InteractionOut)
def get_interaction(db: DbSession, actor: ApiActor, interaction_id: int) -> InteractionOut:
    return InteractionOut.of(interactions.get_interaction(db, actor, interaction_id))


@router.put("/interactions/{interaction_id}", response_model=InteractionOut)
def update_plan(
    db: DbSession, actor: ApiActor, interaction_id: int, data: interactions.PlanInput
) -> InteractionOut:
    updated = interactions.update_plan(db, actor, interaction_id, data)
    db.commit()
    return InteractionOut.of(updated)


@router.post("/interactions/{interaction_id}/cancel", response_model=InteractionOut)
def cancel(db: DbSession, actor: ApiActor, interaction_id: int) -> InteractionOut:
    cancelled = interactions.cancel_interaction(db, actor, interaction_id)
    db.commit()
    return InteractionOut.of(cancelled)


@router.post("/interactions/{interaction_id}/outcome", response_model=InteractionOut)
def log_outcome(
    db: DbSession, actor: ApiActor, interaction_id: int, data: interactions.OutcomeInput
) -> InteractionOut:
    """Log what happened. A next step is required: next_step scheduled (with next), won,
    lost (for a deal) or none (with no_next_step_reason)."""
    logged = interactions.log_outcome(db, actor, interaction_id, data)
    db.commit()
    return InteractionOut.of(logged)


@router.get("/today", response_model=TodayOut)
def today_queue(db: DbSession, actor: ApiActor) -> TodayOut:
    """Planned interactions due today or overdue, and suggested follow-ups."""
    return TodayOut.of(today.today_queue(db, actor))


@router.post("/work-sessions", response_model=WorkSessionOut, status_code=201)
def start_work(db: DbSession, actor: ApiActor, data: Attitude) -> WorkSessionOut:
    """Start a calling block after the readiness check; 422 lists what to fix."""
    session = today.start_work(db, actor, data.attitude)
    db.commit()
    return WorkSessionOut.model_validate(session)
