"""Admin pages for playbooks: give a team its own copy, then edit its interaction types."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.domain.interactions import Channel, Reason
from aimfire.services import playbooks, teams
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/admin/playbooks")
TYPE_FIELDS = (
    "name", "default_channel", "default_reason", "default_objective",
    "default_learning_questions", "for_stages",
)  # fmt: skip


@router.get("")
def playbook_list(request: Request, db: DbSession, actor: PageActor) -> Response:
    context = {
        "playbooks": playbooks.list_all_playbooks(db, actor),
        "teams": teams.list_teams(db, actor),
        "channels": list(Channel),
        "reasons": list(Reason),
    }
    return render(request, "admin/playbooks.html", context)


@router.post("")
def copy_to_team(db: DbSession, actor: PageActor, form: Form) -> Response:
    data = parse_input(playbooks.TeamCopy, form_dict(form, "team_id", "source_playbook_id"))
    copy = playbooks.copy_to_team(db, actor, data)
    db.commit()
    return redirect("/admin/playbooks", f"{copy.name} created; its members now plan from it.")


@router.post("/{playbook_id}/types")
def add_type(db: DbSession, actor: PageActor, form: Form, playbook_id: int) -> Response:
    data = parse_input(playbooks.TypeInput, form_dict(form, *TYPE_FIELDS))
    added = playbooks.add_type(db, actor, playbook_id, data)
    db.commit()
    return redirect("/admin/playbooks", f"{added.name} added.")


@router.post("/{playbook_id}/types/{type_id}")
def update_type(
    db: DbSession, actor: PageActor, form: Form, playbook_id: int, type_id: int
) -> Response:
    data = parse_input(playbooks.TypeInput, form_dict(form, *TYPE_FIELDS))
    updated = playbooks.update_type(db, actor, playbook_id, type_id, data)
    db.commit()
    return redirect("/admin/playbooks", f"{updated.name} saved.")


@router.post("/{playbook_id}/types/{type_id}/delete")
def delete_type(
    db: DbSession, actor: PageActor, _form: Form, playbook_id: int, type_id: int
) -> Response:
    playbooks.delete_type(db, actor, playbook_id, type_id)
    db.commit()
    return redirect("/admin/playbooks", "Interaction type removed.")
