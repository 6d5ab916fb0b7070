"""Logging in and out, and the first-run page that creates the owner account."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from aimfire.errors import AppError
from aimfire.services import auth, users
from aimfire.services.validation import parse_input
from aimfire.web.deps import SESSION_COOKIE, DbSession, Form, form_dict
from aimfire.web.sessions import log_in
from aimfire.web.templating import redirect, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only same-site paths: "//evil.example" or "https://..." would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/")
def home() -> Response:
    return redirect("/today")


@router.get("/favicon.ico")
def favicon() -> Response:
    # Browsers ask for this path whatever the page says; send them to the real icon.
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/login")
def login_page(request: Request, db: DbSession, next: str = "/") -> Response:
    if users.count_users(db) == 0:
        return redirect("/setup")
    return render(request, "auth/login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(request: Request, db: DbSession, form: Form) -> Response:
    fields = form_dict(form, "email", "password", "next")
    try:
        user = auth.authenticate(db, fields.get("email", ""), fields.get("password", ""))
    except AppError as error:
        context = {"next": _safe_next(fields.get("next")), "form": fields, "error": error}
        return render(request, "auth/login.html", context, status=error.status)
    return log_in(request, db, user, redirect(_safe_next(fields.get("next"))))


@router.post("/logout")
def logout(request: Request, db: DbSession, _form: Form) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.end_session(db, token)
        db.commit()
    response = redirect("/login", "You are logged out.")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/setup")
def setup_page(request: Request, db: DbSession) -> Response:
    if users.count_users(db):
        return redirect("/login")
    return render(request, "auth/setup.html")


@router.post("/setup")
def setup(request: Request, db: DbSession, form: Form) -> Response:
    fields = form_dict(form, "name", "email", "password", "time_zone")
    try:
        owner = users.create_first_owner(db, parse_input(users.NewUser, fields))
    except AppError as error:
        return render(request, "auth/setup.html", {"form": fields, "error": error}, error.status)
    return log_in(request, db, owner, redirect("/", "Welcome to aimfire."))
