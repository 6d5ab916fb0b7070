"""Goal pages: set a goal for a week, a month or a quarter, see progress, team roll-ups."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from aimfire.domain.goals import GoalKind, GoalPeriod
from aimfire.errors import AppError
from aimfire.services import goals
from aimfire.services.access import readable_owners
from aimfire.services.behaviour_plan import goal_name
from aimfire.services.validation import parse_input
from aimfire.services.weeks import local_today
from aimfire.store.models import User
from aimfire.store.types import utcnow
from aimfire.web.deps import DbSession, Form, PageActor, form_dict, get_settings
from aimfire.web.forms import form_error, whole_number
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/goals")
PAGE = "goals/list.html"
FIELDS = ("kind", "amount", "period", "start_on", "owner_id")


def _context(
    request: Request, db: DbSession, actor: PageActor, owner_id: int | None
) -> dict[str, object]:
    owner = owner_id or actor.id
    people = (
        list(db.scalars(select(User).where(User.is_active).order_by(User.name)))
        if actor.is_admin
        else readable_owners(db, actor)
    )
    return {
        "goals": goals.list_goals(db, actor, owner_id=owner),
        "owner_id": owner,
        "owner": next((p for p in people if p.id == owner), actor.user),
        "people": people,
        "can_edit": owner == actor.id or actor.is_admin,
        "kinds": list(GoalKind),
        "currency": get_settings(request).currency,
        "periods": list(GoalPeriod),
        "rollups": goals.team_rollups(db, actor) if actor.coaches_anyone or actor.is_admin else [],
    }


@router.get("")
def goals_page(
    request: Request, db: DbSession, actor: PageActor, owner_id: int | None = None
) -> Response:
    context = _context(request, db, actor, owner_id)
    today = local_today(actor.user, utcnow()).isoformat()
    form = {"kind": "revenue", "period": "quarter", "start_on": today}
    return render(request, PAGE, {**context, "form": form})


@router.post("")
def create_goal(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, *FIELDS)
    owner_id = whole_number(fields.get("owner_id", ""))
    try:
        goal = goals.create_goal(db, actor, parse_input(goals.GoalInput, fields))
    except AppError as error:
        db.rollback()
        return form_error(request, PAGE, fields, error, **_context(request, db, actor, owner_id))
    db.commit()
    back = "/goals" if goal.owner_id == actor.id else f"/goals?owner_id={goal.owner_id}"
    return redirect(back, f"Goal set: {goal_name(goal)}.")


@router.post("/{goal_id}/delete")
def delete_goal(db: DbSession, actor: PageActor, _form: Form, goal_id: int) -> Response:
    goal = goals.get_goal(db, actor, goal_id)
    owner, name = goal.owner_id, goal_name(goal)
    goals.delete_goal(db, actor, goal_id)
    db.commit()
    back = "/goals" if owner == actor.id else f"/goals?owner_id={owner}"
    return redirect(back, f"Goal removed: {name}.")
