"""Admin pages: users, teams (who coaches whom) and the pipeline's stages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.domain.pipeline import StageOutcome
from aimfire.domain.teams import TeamRole
from aimfire.errors import AppError
from aimfire.services import pipeline, teams, users
from aimfire.services.access import require_admin
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/admin")


@router.get("/users")
def user_list(request: Request, db: DbSession, actor: PageActor) -> Response:
    return render(request, "admin/users.html", {"users": users.list_users(db, actor)})


@router.post("/users")
def create_user(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, "name", "email", "password", "time_zone")
    fields["is_admin"] = "true" if form.get("is_admin") else "false"
    try:
        user = users.admin_create_user(db, actor, parse_input(users.NewUser, fields))
    except AppError as error:
        listing = users.list_users(db, actor)
        return form_error(request, "admin/users.html", fields, error, users=listing)
    db.commit()
    return redirect("/admin/users", f"{user.name} can now log in.")


@router.post("/users/{user_id}/active")
def set_active(db: DbSession, actor: PageActor, form: Form, user_id: int) -> Response:
    active = form.get("active") == "1"
    user = users.set_user_active(db, actor, user_id, active)
    db.commit()
    return redirect("/admin/users", f"{user.name} {'activated' if active else 'deactivated'}.")


@router.get("/teams")
def team_list(request: Request, db: DbSession, actor: PageActor) -> Response:
    context = {"teams": teams.list_teams(db, actor), "users": users.list_users(db, actor)}
    return render(request, "admin/teams.html", {**context, "roles": list(TeamRole)})


@router.post("/teams")
def create_team(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, "name")
    try:
        team = teams.create_team(db, actor, parse_input(teams.NewTeam, fields))
    except AppError as error:
        context = {"teams": teams.list_teams(db, actor), "users": users.list_users(db, actor)}
        return form_error(
            request, "admin/teams.html", fields, error, roles=list(TeamRole), **context
        )
    db.commit()
    return redirect("/admin/teams", f"Team {team.name} created.")


@router.post("/teams/{team_id}/members")
def add_member(db: DbSession, actor: PageActor, form: Form, team_id: int) -> Response:
    data = parse_input(teams.Membership, form_dict(form, "user_id", "role"))
    team = teams.set_membership(db, actor, team_id, data)
    db.commit()
    return redirect("/admin/teams", f"{team.name} updated.")


@router.post("/teams/{team_id}/members/{user_id}/remove")
def remove_member(
    db: DbSession, actor: PageActor, _form: Form, team_id: int, user_id: int
) -> Response:
    team = teams.remove_member(db, actor, team_id, user_id)
    db.commit()
    return redirect("/admin/teams", f"{team.name} updated.")


@router.get("/stages")
def stage_list(request: Request, db: DbSession, actor: PageActor) -> Response:
    require_admin(actor)
    stages = pipeline.list_stages(db, include_inactive=True)
    return render(request, "admin/stages.html", {"stages": stages, "outcomes": list(StageOutcome)})


def _stage_fields(form: Form) -> dict[str, str]:
    fields = form_dict(form, "name", "outcome")
    fields["is_active"] = "true" if form.get("is_active") else "false"
    return fields


@router.post("/stages")
def create_stage(db: DbSession, actor: PageActor, form: Form) -> Response:
    stage = pipeline.create_stage(db, actor, parse_input(pipeline.StageInput, _stage_fields(form)))
    db.commit()
    return redirect("/admin/stages", f"Stage {stage.name} added.")


@router.post("/stages/{stage_id}")
def update_stage(db: DbSession, actor: PageActor, form: Form, stage_id: int) -> Response:
    data = parse_input(pipeline.StageInput, _stage_fields(form))
    stage = pipeline.update_stage(db, actor, stage_id, data)
    db.commit()
    return redirect("/admin/stages", f"Stage {stage.name} saved.")


@router.post("/stages/{stage_id}/move")
def move_stage(db: DbSession, actor: PageActor, form: Form, stage_id: int) -> Response:
    offset = -1 if form.get("direction") == "up" else 1
    pipeline.move_stage(db, actor, stage_id, offset)
    db.commit()
    return redirect("/admin/stages", "Stage order saved.")
