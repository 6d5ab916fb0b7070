"""Behaviour plan API: each running goal worked back through the rep's own funnel."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from aimfire.domain.behaviour_plan import Conflict, StageTarget
from aimfire.domain.funnel_rates import Rate
from aimfire.services import behaviour_plan
from aimfire.services.behaviour_plan import GoalPlan, PlanView
from aimfire.services.plan_words import plan_summary
from aimfire.web.api.schemas import ERRORS
from aimfire.web.deps import ApiActor, DbSession, get_settings

router = APIRouter(tags=["behaviour plan"], responses=ERRORS)


class RateOut(BaseModel):
    name: str
    value: float | None = Field(description="The rate the plan uses; null when unknown")
    successes: float
    trials: int
    own_value: float | None
    prior_value: float | None
    source: str = Field(description="own, blended, prior or unknown")
    explanation: str

    @classmethod
    def of(cls, rate: Rate) -> RateOut:
        return cls.model_validate(rate.to_dict())


class ConflictOut(BaseModel):
    code: str
    message: str
    subject: str | None

    @classmethod
    def of(cls, conflict: Conflict) -> ConflictOut:
        return cls.model_validate(conflict.to_dict())


class StageOut(BaseModel):
    stage: str
    period: int | None = Field(description="Needed until the goal ends; null when unknown")
    per_week: int | None
    per_day: int | None

    @classmethod
    def of(cls, stage: StageTarget) -> StageOut:
        return cls.model_validate(stage.to_dict())


class FunnelOut(BaseModel):
    attempts: int
    conversations: int
    meetings: int
    proposals: int
    won_count: int
    won_value: float = Field(description="In currency units")


class GoalPlanOut(BaseModel):
    goal_id: int
    name: str
    kind: str
    amount: float = Field(description="Currency units for revenue, units for a units goal")
    achieved: float
    remaining: float
    plan_start: date
    plan_end: date
    working_days: int
    weeks: float
    amount_per_week: int | None
    stages: list[StageOut]
    hours_per_week: float | None
    capacity_hours_per_week: float
    conflicts: list[ConflictOut]
    notes: list[str]
    summary: list[str] = Field(description="The plan told in sentences")

    @classmethod
    def of(cls, gp: GoalPlan, summary: list[str]) -> GoalPlanOut:
        plan = gp.plan
        return cls(
            goal_id=gp.goal.id,
            name=gp.name,
            kind=gp.goal.kind,
            amount=plan.goal.amount,
            achieved=gp.achieved,
            remaining=plan.remaining_amount,
            plan_start=plan.plan_start,
            plan_end=plan.plan_end,
            working_days=plan.working_days,
            weeks=plan.weeks,
            amount_per_week=plan.amount_per_week,
            stages=[StageOut.of(s) for s in plan.stages],
            hours_per_week=plan.hours_per_week,
            capacity_hours_per_week=plan.capacity_hours_per_week,
            conflicts=[ConflictOut.of(c) for c in plan.conflicts],
            notes=list(plan.notes),
            summary=summary,
        )


class BehaviourPlanOut(BaseModel):
    owner_id: int
    today: date
    window_days: int
    funnel: FunnelOut
    rates: list[RateOut]
    prior_note: str = Field(description="Which rates thin history leans on, in words")
    minutes_note: str
    minutes_per_attempt: float
    minutes_per_meeting: float
    selling_hours_per_week: float
    working_days_per_week: int
    plans: list[GoalPlanOut]
    overlaps: list[ConflictOut] = Field(description="Goals whose periods overlap too heavily")

    @classmethod
    def of(cls, view: PlanView, currency: str) -> BehaviourPlanOut:
        b = view.basis
        r = b.rates
        return cls(
            owner_id=b.user.id,
            today=b.today,
            window_days=b.window_days,
            funnel=FunnelOut(
                attempts=b.history.attempts,
                conversations=b.history.conversations,
                meetings=b.history.meetings,
                proposals=b.history.proposals,
                won_count=b.history.won_count,
                won_value=b.history.won_value,
            ),
            rates=[
                RateOut.of(rate)
                for rate in (r.average_deal_size, r.close, r.proposal, r.meeting, r.connect)
            ],
            prior_note=b.prior_note,
            minutes_note=b.minutes_note,
            minutes_per_attempt=b.minutes.minutes_per_attempt,
            minutes_per_meeting=b.minutes.minutes_per_meeting,
            selling_hours_per_week=b.work_week.selling_hours_per_week,
            working_days_per_week=b.work_week.days_per_week,
            plans=[GoalPlanOut.of(gp, plan_summary(gp, b, currency)) for gp in view.plans],
            overlaps=[ConflictOut.of(c) for c in view.overlaps],
        )


@router.get("/behaviour-plan", response_model=BehaviourPlanOut)
def get_behaviour_plan(
    request: Request,
    db: DbSession,
    actor: ApiActor,
    owner_id: Annotated[int | None, Query(description="A coached rep's id")] = None,
    window_days: Annotated[
        int,
        Query(
            ge=behaviour_plan.MIN_WINDOW_DAYS,
            le=behaviour_plan.MAX_WINDOW_DAYS,
            description="Days of history the rates come from",
        ),
    ] = behaviour_plan.DEFAULT_WINDOW_DAYS,
) -> BehaviourPlanOut:
    view = behaviour_plan.behaviour_plan(db, actor, owner_id=owner_id, window_days=window_days)
    return BehaviourPlanOut.of(view, get_settings(request).currency)
