"""Personal settings: name, time zone, week start, password and API tokens."""

from __future__ import annotations

from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.errors import AppError
from aimfire.services import auth, users
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error
from aimfire.web.sessions import log_in
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/settings")
PAGE = "settings.html"
TIME_ZONES = sorted(available_timezones())


def _context(db: DbSession, actor: PageActor) -> dict[str, object]:
    return {
        "time_zones": TIME_ZONES,
        "weekdays": users.WEEKDAYS,
        "tokens": auth.list_api_tokens(db, actor),
        "selling": users.selling_time_of(actor.user).model_dump(),
        "profile": {
            "name": actor.user.name,
            "time_zone": actor.user.time_zone,
            "week_start": str(actor.user.week_start),
        },
    }


@router.get("")
def settings_page(request: Request, db: DbSession, actor: PageActor) -> Response:
    return render(request, PAGE, _context(db, actor))


@router.post("/profile")
def save_profile(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, "name", "time_zone", "week_start")
    try:
        users.update_settings(db, actor, parse_input(users.UserSettings, fields))
    except AppError as error:
        return form_error(request, PAGE, fields, error, **_context(db, actor) | {"profile": fields})
    db.commit()
    return redirect("/settings", "Settings saved.")


@router.post("/selling-time")
def save_selling_time(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, "phone", "email", "meeting", "video", "text", "selling_hours_per_week")
    data = {**fields, "working_days": [str(day) for day in form.getlist("working_days")]}
    try:
        users.update_selling_time(db, actor, parse_input(users.SellingTime, data))
    except AppError as error:
        return form_error(request, PAGE, fields, error, **_context(db, actor))
    db.commit()
    return redirect("/settings", "Selling time saved.")


@router.post("/password")
def change_password(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, "current_password", "new_password")
    try:
        users.change_password(db, actor, parse_input(users.PasswordChange, fields))
    except AppError as error:
        return form_error(request, PAGE, {}, error, **_context(db, actor))
    # Every session ended with the old password; start a fresh one for this browser.
    message = "Password changed; your other sessions were logged out."
    return log_in(request, db, actor.user, redirect("/settings", message))


@router.post("/tokens")
def create_token(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    try:
        issued = auth.issue_api_token(db, actor, str(form.get("name", "")))
    except AppError as error:
        return form_error(request, PAGE, {}, error, **_context(db, actor))
    db.commit()
    return render(request, PAGE, {**_context(db, actor), "new_token": issued.secret})


@router.post("/tokens/{token_id}/revoke")
def revoke_token(db: DbSession, actor: PageActor, _form: Form, token_id: int) -> Response:
    auth.revoke_api_token(db, actor, token_id)
    db.commit()
    return redirect("/settings", "Token revoked.")
