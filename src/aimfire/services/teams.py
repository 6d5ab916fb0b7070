"""Teams: which coach coaches which reps."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.teams import TeamRole
from aimfire.errors import Conflict, NotFound
from aimfire.services.access import Actor, require_admin
from aimfire.services.validation import Input
from aimfire.store.models import Team, TeamMember, User


class NewTeam(Input):
    name: str = Field(min_length=1, max_length=120)


class Membership(Input):
    user_id: int
    role: TeamRole


def list_teams(db: Session, actor: Actor) -> list[Team]:
    require_admin(actor)
    return list(db.scalars(select(Team).order_by(Team.name)))


def get_team(db: Session, actor: Actor, team_id: int) -> Team:
    require_admin(actor)
    team = db.get(Team, team_id)
    if team is None:
        raise NotFound("team")
    return team


def create_team(db: Session, actor: Actor, data: NewTeam) -> Team:
    require_admin(actor)
    if db.scalar(select(Team.id).where(Team.name == data.name)) is not None:
        raise Conflict("A team with that name already exists.")
    team = Team(name=data.name)
    db.add(team)
    db.flush()
    return team


def set_membership(db: Session, actor: Actor, team_id: int, data: Membership) -> Team:
    """Add a person to a team as rep or coach, or change the role they have there."""
    team = get_team(db, actor, team_id)
    if db.get(User, data.user_id) is None:
        raise NotFound("user")
    member = db.get(TeamMember, (team.id, data.user_id))
    if member is None:
        team.members.append(TeamMember(user_id=data.user_id, role=data.role))
    else:
        member.role = data.role
    db.flush()
    return team


def remove_member(db: Session, actor: Actor, team_id: int, user_id: int) -> Team:
    team = get_team(db, actor, team_id)
    member = db.get(TeamMember, (team.id, user_id))
    if member is None:
        raise NotFound("team member")
    team.members.remove(member)
    db.flush()
    return team
