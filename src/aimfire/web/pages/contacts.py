"""Contact pages: search and browse the book, add, edit and archive people."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.domain.contacts import ContactRole, ContactSource
from aimfire.domain.interactions import Party
from aimfire.errors import AppError
from aimfire.services import choices, commitments, contacts, deals, interactions
from aimfire.services.access import readable_owners
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/contacts")
FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "account_id",
    "source",
    "role",
    "notes",
)
FORM = "contacts/form.html"


@router.get("")
def contact_list(
    request: Request,
    db: DbSession,
    actor: PageActor,
    q: str = "",
    owner_id: int | None = None,
    archived: bool = False,
    page: int = 1,
) -> Response:
    results = contacts.search_contacts(
        db, actor, query=q, owner_id=owner_id, include_archived=archived, page=page
    )
    context = {
        "results": results,
        "q": q,
        "owner_id": owner_id,
        "archived": archived,
        "owners": readable_owners(db, actor),
    }
    return render(request, "contacts/list.html", context)


def _choices(db: DbSession, actor: PageActor, form: dict[str, str]) -> dict[str, object]:
    return {
        "accounts": choices.account_choices(db, actor, form.get("account_id")),
        "sources": list(ContactSource),
        "roles": list(ContactRole),
    }


@router.get("/new")
def new_contact(
    request: Request, db: DbSession, actor: PageActor, account_id: str = ""
) -> Response:
    form = {"account_id": account_id, "source": "other"}
    context = {"contact": None, "form": form, **_choices(db, actor, form)}
    return render(request, FORM, context)


@router.post("")
def create_contact(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, *FIELDS)
    try:
        contact = contacts.create_contact(db, actor, parse_input(contacts.ContactInput, fields))
    except AppError as error:
        return form_error(request, FORM, fields, error, contact=None, **_choices(db, actor, fields))
    db.commit()
    return redirect(f"/contacts/{contact.id}", f"{contact.full_name} added.")


@router.get("/{contact_id}")
def contact_page(request: Request, db: DbSession, actor: PageActor, contact_id: int) -> Response:
    contact = contacts.get_contact(db, actor, contact_id)
    context = {
        "contact": contact,
        "deals": deals.deals_involving(db, actor, contact_id=contact.id),
        "timeline": interactions.timeline(db, actor, contact_id=contact.id),
        "promises": commitments.keeping_rates(
            db, actor, contact_id=contact.id, owner_id=contact.owner_id
        )[Party.PROSPECT],
    }
    return render(request, "contacts/detail.html", context)


@router.get("/{contact_id}/edit")
def edit_contact(request: Request, db: DbSession, actor: PageActor, contact_id: int) -> Response:
    contact = contacts.get_contact(db, actor, contact_id)
    fields = {name: getattr(contact, name) or "" for name in FIELDS}
    return render(
        request, FORM, {"contact": contact, "form": fields, **_choices(db, actor, fields)}
    )


@router.post("/{contact_id}")
def update_contact(
    request: Request, db: DbSession, actor: PageActor, form: Form, contact_id: int
) -> Response:
    fields = form_dict(form, *FIELDS)
    contact = contacts.get_contact(db, actor, contact_id)
    try:
        data = parse_input(contacts.ContactInput, fields)
        contacts.update_contact(db, actor, contact_id, data)
    except AppError as error:
        db.rollback()
        return form_error(
            request, FORM, fields, error, contact=contact, **_choices(db, actor, fields)
        )
    db.commit()
    return redirect(f"/contacts/{contact_id}", "Contact saved.")


@router.post("/{contact_id}/archive")
def archive_contact(db: DbSession, actor: PageActor, form: Form, contact_id: int) -> Response:
    archive = form.get("archived", "1") == "1"
    contact = contacts.set_contact_archived(db, actor, contact_id, archive)
    db.commit()
    message = "archived" if archive else "restored"
    return redirect(f"/contacts/{contact.id}", f"{contact.full_name} {message}.")
