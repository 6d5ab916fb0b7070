"""Playbooks API: the interaction types a rep plans from; admins edit team copies."""

from __future__ import annotations

from fastapi import APIRouter, Response

from aimfire.services import playbooks
from aimfire.web.api.schemas import ERRORS, Out
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["playbooks"], responses=ERRORS)


class InteractionTypeOut(Out):
    id: int
    name: str
    position: int
    default_channel: str
    default_reason: str | None
    default_objective: str
    default_learning_questions: str
    for_stages: str


class PlaybookOut(Out):
    id: int
    name: str
    team_id: int | None
    is_builtin: bool
    types: list[InteractionTypeOut]


@router.get("/playbooks", response_model=list[PlaybookOut])
def my_playbooks(db: DbSession, actor: ApiActor) -> list[PlaybookOut]:
    """The playbooks you plan from: your teams' own, else the built-in ones."""
    return [PlaybookOut.model_validate(p) for p in playbooks.playbooks_for(db, actor)]


@router.get("/admin/playbooks", response_model=list[PlaybookOut])
def all_playbooks(db: DbSession, actor: ApiActor) -> list[PlaybookOut]:
    return [PlaybookOut.model_validate(p) for p in playbooks.list_all_playbooks(db, actor)]


@router.post("/admin/playbooks", response_model=PlaybookOut, status_code=201)
def copy_to_team(db: DbSession, actor: ApiActor, data: playbooks.TeamCopy) -> PlaybookOut:
    """Give a team its own editable copy of a playbook."""
    copy = playbooks.copy_to_team(db, actor, data)
    db.commit()
    return PlaybookOut.model_validate(copy)


@router.post(
    "/admin/playbooks/{playbook_id}/types", response_model=InteractionTypeOut, status_code=201
)
def add_type(
    db: DbSession, actor: ApiActor, playbook_id: int, data: playbooks.TypeInput
) -> InteractionTypeOut:
    added = playbooks.add_type(db, actor, playbook_id, data)
    db.commit()
    return InteractionTypeOut.model_validate(added)


@router.put("/admin/playbooks/{playbook_id}/types/{type_id}", response_model=InteractionTypeOut)
def update_type(
    db: DbSession, actor: ApiActor, playbook_id: int, type_id: int, data: playbooks.TypeInput
) -> InteractionTypeOut:
    updated = playbooks.update_type(db, actor, playbook_id, type_id, data)
    db.commit()
    return InteractionTypeOut.model_validate(updated)


@router.delete("/admin/playbooks/{playbook_id}/types/{type_id}", status_code=204)
def delete_type(db: DbSession, actor: ApiActor, playbook_id: int, type_id: int) -> Response:
    playbooks.delete_type(db, actor, playbook_id, type_id)
    db.commit()
    return Response(status_code=204)
