"""Account pages: the organisations in a rep's book."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.errors import AppError
from aimfire.services import accounts, contacts, deals
from aimfire.services.access import readable_owners
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/accounts")
FIELDS = ("name", "industry", "website", "phone", "notes")
FORM = "accounts/form.html"


@router.get("")
def account_list(
    request: Request,
    db: DbSession,
    actor: PageActor,
    q: str = "",
    owner_id: int | None = None,
    archived: bool = False,
    page: int = 1,
) -> Response:
    results = accounts.search_accounts(
        db, actor, query=q, owner_id=owner_id, include_archived=archived, page=page
    )
    context = {
        "results": results,
        "q": q,
        "owner_id": owner_id,
        "archived": archived,
        "owners": readable_owners(db, actor),
    }
    return render(request, "accounts/list.html", context)


@router.get("/new")
def new_account(request: Request, actor: PageActor) -> Response:
    return render(request, FORM, {"account": None})


@router.post("")
def create_account(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, *FIELDS)
    try:
        account = accounts.create_account(db, actor, parse_input(accounts.AccountInput, fields))
    except AppError as error:
        return form_error(request, FORM, fields, error, account=None)
    db.commit()
    return redirect(f"/accounts/{account.id}", f"{account.name} added.")


@router.get("/{account_id}")
def account_page(request: Request, db: DbSession, actor: PageActor, account_id: int) -> Response:
    account = accounts.get_account(db, actor, account_id)
    people = contacts.contacts_of_account(db, actor, account.id)
    account_deals = deals.deals_involving(db, actor, account_id=account.id)
    context = {"account": account, "people": people, "deals": account_deals}
    return render(request, "accounts/detail.html", context)


@router.get("/{account_id}/edit")
def edit_account(request: Request, db: DbSession, actor: PageActor, account_id: int) -> Response:
    account = accounts.get_account(db, actor, account_id)
    fields = {name: getattr(account, name) or "" for name in FIELDS}
    return render(request, FORM, {"account": account, "form": fields})


@router.post("/{account_id}")
def update_account(
    request: Request, db: DbSession, actor: PageActor, form: Form, account_id: int
) -> Response:
    fields = form_dict(form, *FIELDS)
    account = accounts.get_account(db, actor, account_id)
    try:
        accounts.update_account(db, actor, account_id, parse_input(accounts.AccountInput, fields))
    except AppError as error:
        db.rollback()
        return form_error(request, FORM, fields, error, account=account)
    db.commit()
    return redirect(f"/accounts/{account_id}", "Account saved.")


@router.post("/{account_id}/archive")
def archive_account(db: DbSession, actor: PageActor, form: Form, account_id: int) -> Response:
    archive = form.get("archived", "1") == "1"
    account = accounts.set_account_archived(db, actor, account_id, archive)
    db.commit()
    return redirect(
        f"/accounts/{account.id}", f"{account.name} {'archived' if archive else 'restored'}."
    )
