"""Contacts: the people in a rep's book."""

from __future__ import annotations

from pydantic import EmailStr, Field
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole, ContactSource, folded, phone_digits
from aimfire.errors import Invalid
from aimfire.services.access import Actor, get_readable, get_writable, readable_owner
from aimfire.services.paging import Page, paginate
from aimfire.services.validation import Input
from aimfire.store.models import Account, Contact
from aimfire.store.types import utcnow

MIN_SEARCH_DIGITS = 3  # fewer digits would match almost every phone number


class ContactInput(Input):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(default="", max_length=80)
    email: EmailStr | None = None
    phone: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=120)
    account_id: int | None = None
    source: ContactSource = ContactSource.OTHER
    role: ContactRole | None = None
    notes: str = Field(default="", max_length=20_000)


def search_contacts(
    db: Session,
    actor: Actor,
    *,
    query: str = "",
    owner_id: int | None = None,
    include_archived: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Page[Contact]:
    owner = readable_owner(actor, owner_id)
    matching = select(Contact.id).where(Contact.owner_id == owner)
    if not include_archived:
        matching = matching.where(Contact.archived_at.is_(None))
    for word in query.replace("\x00", "").split():  # PostgreSQL refuses NUL
        text = folded(word).strip()
        if text:  # a lone accent folds to nothing and would match anyone
            matching = matching.where(_matches(owner, text, phone_digits(word)))
    # Ids first, from the search index alone; then only the page's contacts are read.
    found = paginate(
        db, matching.order_by(Contact.last_name, Contact.first_name, Contact.id), page, per_page
    )
    by_id = {c.id: c for c in db.scalars(select(Contact).where(Contact.id.in_(found.items)))}
    shown = [by_id[i] for i in found.items if i in by_id]  # unless deleted in between
    return Page(shown, found.total, found.page, found.per_page)


def _matches(owner_id: int, text: str, digits: str) -> ColumnElement[bool]:
    """A word, folded to ``text``, matches a name, the email, the phone or the company, ignoring
    case and accents; its ``digits`` match a phone number written any other way."""
    companies = select(Account.id).where(
        Account.owner_id == owner_id, Account.search_text.contains(text, autoescape=True)
    )
    conditions = [
        Contact.search_text.contains(text, autoescape=True),
        Contact.account_id.in_(companies),
    ]
    if len(digits) >= MIN_SEARCH_DIGITS and digits != text:  # "(555)" finds +1 555 0102
        conditions.append(Contact.search_text.contains(digits))
    return or_(*conditions)


def get_contact(db: Session, actor: Actor, contact_id: int) -> Contact:
    return get_readable(db, Contact, contact_id, actor, "contact")


def _apply(db: Session, actor: Actor, contact: Contact, data: ContactInput) -> Contact:
    if data.account_id is not None:
        _require_own_account(db, actor, data.account_id)
    values = data.model_dump()
    values["email"] = (data.email or "").lower()
    for name, value in values.items():
        setattr(contact, name, value)
    contact.phone_digits = phone_digits(data.phone)
    return contact


def _require_own_account(db: Session, actor: Actor, account_id: int) -> None:
    account = db.get(Account, account_id)
    if account is None or account.owner_id != actor.id:
        raise Invalid.on("account_id", "Choose one of your own accounts.")


def create_contact(db: Session, actor: Actor, data: ContactInput) -> Contact:
    contact = _apply(db, actor, Contact(owner_id=actor.id), data)
    db.add(contact)
    db.flush()
    return contact


def update_contact(db: Session, actor: Actor, contact_id: int, data: ContactInput) -> Contact:
    contact = get_writable(db, Contact, contact_id, actor, "contact")
    # Locked and read afresh: the search text is folded from all of its names, so it must
    # not be folded from names that an edit at the same moment has already replaced.
    db.refresh(contact, with_for_update={"of": Contact, "key_share": True})
    _apply(db, actor, contact, data)
    db.flush()
    return contact


def set_contact_archived(db: Session, actor: Actor, contact_id: int, archived: bool) -> Contact:
    contact = get_writable(db, Contact, contact_id, actor, "contact")
    contact.archived_at = utcnow() if archived else None
    return contact


def contacts_of_account(db: Session, actor: Actor, account_id: int) -> list[Contact]:
    query = (
        select(Contact)
        .where(Contact.account_id == account_id, Contact.owner_id.in_(actor.readable_owner_ids))
        .order_by(Contact.last_name, Contact.first_name)
        .limit(200)
    )
    return list(db.scalars(query))
