"""Contacts API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aimfire.services import contacts
from aimfire.services.paging import MAX_PER_PAGE
from aimfire.web.api.schemas import ERRORS, ContactOut, PageOut
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(prefix="/contacts", tags=["contacts"], responses=ERRORS)


@router.get("", response_model=PageOut[ContactOut])
def list_contacts(
    db: DbSession,
    actor: ApiActor,
    q: Annotated[
        str, Query(max_length=200, description="Words matching name, company, email or phone")
    ] = "",
    owner_id: Annotated[
        int | None, Query(description="A coached rep's id; default: your own book")
    ] = None,
    archived: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> PageOut[ContactOut]:
    results = contacts.search_contacts(
        db,
        actor,
        query=q,
        owner_id=owner_id,
        include_archived=archived,
        page=page,
        per_page=per_page,
    )
    return PageOut[ContactOut].of(results, ContactOut.model_validate)


@router.post("", response_model=ContactOut, status_code=201)
def create_contact(db: DbSession, actor: ApiActor, data: contacts.ContactInput) -> ContactOut:
    contact = contacts.create_contact(db, actor, data)
    db.commit()
    return ContactOut.model_validate(contact)


@router.get("/{contact_id}", response_model=ContactOut)
def get_contact(db: DbSession, actor: ApiActor, contact_id: int) -> ContactOut:
    return ContactOut.model_validate(contacts.get_contact(db, actor, contact_id))


@router.put("/{contact_id}", response_model=ContactOut)
def update_contact(
    db: DbSession, actor: ApiActor, contact_id: int, data: contacts.ContactInput
) -> ContactOut:
    contact = contacts.update_contact(db, actor, contact_id, data)
    db.commit()
    return ContactOut.model_validate(contact)


@router.post("/{contact_id}/archive", response_model=ContactOut)
def archive_contact(db: DbSession, actor: ApiActor, contact_id: int) -> ContactOut:
    contact = contacts.set_contact_archived(db, actor, contact_id, True)
    db.commit()
    return ContactOut.model_validate(contact)


@router.post("/{contact_id}/unarchive", response_model=ContactOut)
def unarchive_contact(db: DbSession, actor: ApiActor, contact_id: int) -> ContactOut:
    contact = contacts.set_contact_archived(db, actor, contact_id, False)
    db.commit()
    return ContactOut.model_validate(contact)
