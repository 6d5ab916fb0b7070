"""Admin API: users, teams and pipeline stages. Every route requires an admin."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from aimfire.services import pipeline, teams, users
from aimfire.services.access import require_admin
from aimfire.services.validation import Input
from aimfire.web.api.schemas import ERRORS, StageOut, TeamOut, UserOut
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)


class Activation(Input):
    active: bool


class StageMoveInput(Input):
    offset: Literal[-1, 1]


@router.get("/users", response_model=list[UserOut])
def list_users(db: DbSession, actor: ApiActor) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in users.list_users(db, actor)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(db: DbSession, actor: ApiActor, data: users.NewUser) -> UserOut:
    user = users.admin_create_user(db, actor, data)
    db.commit()
    return UserOut.model_validate(user)


@router.put("/users/{user_id}/active", response_model=UserOut)
def set_active(db: DbSession, actor: ApiActor, user_id: int, data: Activation) -> UserOut:
    user = users.set_user_active(db, actor, user_id, data.active)
    db.commit()
    return UserOut.model_validate(user)


@router.get("/teams", response_model=list[TeamOut])
def list_teams(db: DbSession, actor: ApiActor) -> list[TeamOut]:
    return [TeamOut.model_validate(t) for t in teams.list_teams(db, actor)]


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(db: DbSession, actor: ApiActor, data: teams.NewTeam) -> TeamOut:
    team = teams.create_team(db, actor, data)
    db.commit()
    return TeamOut.model_validate(team)


@router.put("/teams/{team_id}/members", response_model=TeamOut)
def set_member(db: DbSession, actor: ApiActor, team_id: int, data: teams.Membership) -> TeamOut:
    """Add someone to the team as a rep or a coach, or change their role there."""
    team = teams.set_membership(db, actor, team_id, data)
    db.commit()
    return TeamOut.model_validate(team)


@router.delete("/teams/{team_id}/members/{user_id}", status_code=204)
def remove_member(db: DbSession, actor: ApiActor, team_id: int, user_id: int) -> Response:
    teams.remove_member(db, actor, team_id, user_id)
    db.commit()
    return Response(status_code=204)


@router.get("/stages", response_model=list[StageOut])
def list_stages(db: DbSession, actor: ApiActor) -> list[StageOut]:
    """All stages, hidden ones included (everyone can read the active ones at /pipeline/stages)."""
    require_admin(actor)
    return [StageOut.model_validate(s) for s in pipeline.list_stages(db, include_inactive=True)]


@router.post("/stages", response_model=StageOut, status_code=201)
def create_stage(db: DbSession, actor: ApiActor, data: pipeline.StageInput) -> StageOut:
    stage = pipeline.create_stage(db, actor, data)
    db.commit()
    return StageOut.model_validate(stage)


@router.put("/stages/{stage_id}", response_model=StageOut)
def update_stage(
    db: DbSession, actor: ApiActor, stage_id: int, data: pipeline.StageInput
) -> StageOut:
    stage = pipeline.update_stage(db, actor, stage_id, data)
    db.commit()
    return StageOut.model_validate(stage)


@router.post("/stages/{stage_id}/move", response_model=list[StageOut])
def move_stage(
    db: DbSession, actor: ApiActor, stage_id: int, data: StageMoveInput
) -> list[StageOut]:
    """Move a stage earlier (offset -1) or later (+1)."""
    stages = pipeline.move_stage(db, actor, stage_id, data.offset)
    db.commit()
    return [StageOut.model_validate(s) for s in stages]
