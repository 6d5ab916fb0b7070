"""Playbooks: interaction types with defaults. Built-in ones for everyone; teams edit copies.

A rep works from the playbooks of their teams when a team has one, else from the built-ins.
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from aimfire.domain.interactions import Channel, Reason
from aimfire.domain.playbooks import BUILTIN_PLAYBOOKS
from aimfire.errors import Conflict, NotFound
from aimfire.services.access import Actor, require_admin
from aimfire.services.validation import Input
from aimfire.store.models import Deal, InteractionType, Playbook, Team, TeamMember


class TypeInput(Input):
    name: str = Field(min_length=1, max_length=120)
    default_channel: Channel
    default_reason: Reason | None = None
    default_objective: str = Field(default="", max_length=2000)
    default_learning_questions: str = Field(default="", max_length=4000)
    for_stages: str = Field(default="", max_length=300, description="Stage keys, comma-separated")


class TeamCopy(Input):
    team_id: int
    source_playbook_id: int


def ensure_builtin_playbooks(db: Session) -> None:
    if db.scalar(select(func.count(Playbook.id)).where(Playbook.is_builtin)):
        return
    for spec in BUILTIN_PLAYBOOKS:
        playbook = Playbook(name=spec.name, is_builtin=True)
        playbook.types = [
            InteractionType(
                name=t.name,
                position=position,
                default_channel=t.channel,
                default_reason=t.reason,
                default_objective=t.objective,
                default_learning_questions="\n".join(t.questions),
                for_stages=",".join(t.for_stages),
            )
            for position, t in enumerate(spec.types)
        ]
        db.add(playbook)
    db.flush()


def _with_types(query):  # type: ignore[no-untyped-def]
    return query.options(selectinload(Playbook.types)).order_by(Playbook.id)


def playbooks_for(db: Session, actor: Actor) -> list[Playbook]:
    team_ids = select(TeamMember.team_id).where(TeamMember.user_id == actor.id)
    own = list(db.scalars(_with_types(select(Playbook).where(Playbook.team_id.in_(team_ids)))))
    if own:
        return own
    return list(db.scalars(_with_types(select(Playbook).where(Playbook.is_builtin))))


def types_for(db: Session, actor: Actor) -> list[InteractionType]:
    return [t for playbook in playbooks_for(db, actor) for t in playbook.types]


def get_type_for(db: Session, actor: Actor, type_id: int) -> InteractionType:
    found = next((t for t in types_for(db, actor) if t.id == type_id), None)
    if found is None:
        raise NotFound("interaction type")
    return found


def type_for_stage(db: Session, actor: Actor, deal: Deal | None) -> InteractionType | None:
    """The playbook's natural next interaction for where the deal stands, if it names one."""
    if deal is None:
        return None
    for interaction_type in types_for(db, actor):
        if deal.stage.key in interaction_type.for_stages.split(","):
            return interaction_type
    return None


def list_all_playbooks(db: Session, actor: Actor) -> list[Playbook]:
    require_admin(actor)
    return list(db.scalars(_with_types(select(Playbook))))


def copy_to_team(db: Session, actor: Actor, data: TeamCopy) -> Playbook:
    require_admin(actor)
    team = db.get(Team, data.team_id)
    source = db.get(Playbook, data.source_playbook_id)
    if team is None:
        raise NotFound("team")
    if source is None:
        raise NotFound("playbook")
    if db.scalar(select(Playbook.id).where(Playbook.team_id == team.id)) is not None:
        raise Conflict(f"{team.name} already has a playbook; edit that one.")
    copy = Playbook(name=f"{source.name} ({team.name})", team_id=team.id)
    copy.types = [
        InteractionType(
            name=t.name,
            position=t.position,
            default_channel=t.default_channel,
            default_reason=t.default_reason,
            default_objective=t.default_objective,
            default_learning_questions=t.default_learning_questions,
            for_stages=t.for_stages,
        )
        for t in source.types
    ]
    db.add(copy)
    db.flush()
    return copy


def _editable(db: Session, actor: Actor, playbook_id: int) -> Playbook:
    require_admin(actor)
    playbook = db.get(Playbook, playbook_id)
    if playbook is None:
        raise NotFound("playbook")
    if playbook.is_builtin:
        raise Conflict("Built-in playbooks stay as shipped; copy one to a team to edit it.")
    return playbook


def add_type(db: Session, actor: Actor, playbook_id: int, data: TypeInput) -> InteractionType:
    playbook = _editable(db, actor, playbook_id)
    new_type = InteractionType(position=len(playbook.types), **data.model_dump())
    playbook.types.append(new_type)
    db.flush()
    return new_type


def _type_in(playbook: Playbook, type_id: int) -> InteractionType:
    found = next((t for t in playbook.types if t.id == type_id), None)
    if found is None:
        raise NotFound("interaction type")
    return found


def update_type(
    db: Session, actor: Actor, playbook_id: int, type_id: int, data: TypeInput
) -> InteractionType:
    interaction_type = _type_in(_editable(db, actor, playbook_id), type_id)
    for name, value in data.model_dump().items():
        setattr(interaction_type, name, value)
    return interaction_type


def delete_type(db: Session, actor: Actor, playbook_id: int, type_id: int) -> None:
    playbook = _editable(db, actor, playbook_id)
    playbook.types.remove(_type_in(playbook, type_id))
    db.flush()
