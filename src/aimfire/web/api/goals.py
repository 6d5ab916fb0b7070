"""Goals API: a rep's goals with progress, and team roll-ups for coaches and admins."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from aimfire.domain.goals import GoalKind, GoalPeriod
from aimfire.domain.pipeline import cents_to_amount
from aimfire.services import goals
from aimfire.services.goals import GoalProgress, RollupLine, TeamRollup
from aimfire.web.api.schemas import ERRORS
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["goals"], responses=ERRORS)


def amount_text(value: int, kind: str) -> str:
    """Revenue as a decimal amount ('45000.00'), units as a whole number ('120')."""
    return cents_to_amount(value) if kind == GoalKind.REVENUE else str(value)


class GoalOut(BaseModel):
    id: int
    owner_id: int
    name: str = Field(description="How people say it: 'Q4 2026 revenue goal'")
    kind: GoalKind
    period: GoalPeriod
    start_on: date
    end_on: date
    amount: str = Field(description="Revenue as a decimal amount, units as a whole number")
    achieved: str = Field(description="Won in the period so far, in the same unit")
    won_deals: int

    @classmethod
    def of(cls, p: GoalProgress) -> GoalOut:
        g = p.goal
        return cls(
            id=g.id,
            owner_id=g.owner_id,
            name=p.name,
            kind=GoalKind(g.kind),
            period=GoalPeriod(g.period),
            start_on=g.start_on,
            end_on=g.end_on,
            amount=amount_text(g.amount, g.kind),
            achieved=amount_text(p.achieved, g.kind),
            won_deals=p.won_deals,
        )


class RollupLineOut(BaseModel):
    name: str
    kind: GoalKind
    period: GoalPeriod
    start_on: date
    end_on: date
    amount: str
    achieved: str
    reps_with_goal: int

    @classmethod
    def of(cls, line: RollupLine) -> RollupLineOut:
        return cls(
            name=line.name,
            kind=line.kind,
            period=line.period,
            start_on=line.start_on,
            end_on=line.end_on,
            amount=amount_text(line.amount, line.kind),
            achieved=amount_text(line.achieved, line.kind),
            reps_with_goal=line.reps_with_goal,
        )


class TeamRollupOut(BaseModel):
    team_id: int
    team_name: str
    reps: int
    goals: list[RollupLineOut]

    @classmethod
    def of(cls, r: TeamRollup) -> TeamRollupOut:
        lines = [RollupLineOut.of(line) for line in r.lines]
        return cls(team_id=r.team.id, team_name=r.team.name, reps=r.reps, goals=lines)


@router.get("/goals", response_model=list[GoalOut])
def list_goals(
    db: DbSession,
    actor: ApiActor,
    owner_id: Annotated[
        int | None, Query(description="A coached rep's id (admins: anyone's); default: yours")
    ] = None,
) -> list[GoalOut]:
    return [GoalOut.of(p) for p in goals.list_goals(db, actor, owner_id=owner_id)]


@router.post("/goals", response_model=GoalOut, status_code=201)
def create_goal(db: DbSession, actor: ApiActor, data: goals.GoalInput) -> GoalOut:
    """Set a goal for the whole week, month or quarter that `start_on` falls in."""
    goal = goals.create_goal(db, actor, data)
    db.commit()
    return GoalOut.of(goals.goal_progress(db, actor, goal.id))


@router.get("/goals/rollup", response_model=list[TeamRollupOut])
def team_rollup(db: DbSession, actor: ApiActor) -> list[TeamRollupOut]:
    """Running and coming goals of each team you coach (admins: every team), summed."""
    return [TeamRollupOut.of(r) for r in goals.team_rollups(db, actor)]


@router.get("/goals/{goal_id}", response_model=GoalOut)
def get_goal(db: DbSession, actor: ApiActor, goal_id: int) -> GoalOut:
    return GoalOut.of(goals.goal_progress(db, actor, goal_id))


@router.put("/goals/{goal_id}", response_model=GoalOut)
def update_goal(db: DbSession, actor: ApiActor, goal_id: int, data: goals.GoalInput) -> GoalOut:
    goals.update_goal(db, actor, goal_id, data)
    db.commit()
    return GoalOut.of(goals.goal_progress(db, actor, goal_id))


@router.delete("/goals/{goal_id}", status_code=204)
def delete_goal(db: DbSession, actor: ApiActor, goal_id: int) -> Response:
    goals.delete_goal(db, actor, goal_id)
    db.commit()
    return Response(status_code=204)
