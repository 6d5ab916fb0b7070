"""Accounts: the organisations contacts work for."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.contacts import folded
from aimfire.services.access import Actor, get_readable, get_writable, readable_owner
from aimfire.services.paging import Page, paginate
from aimfire.services.validation import Input
from aimfire.store.models import Account
from aimfire.store.types import utcnow


class AccountInput(Input):
    name: str = Field(min_length=1, max_length=200)
    industry: str = Field(default="", max_length=120)
    website: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)
    notes: str = Field(default="", max_length=20_000)


def search_accounts(
    db: Session,
    actor: Actor,
    *,
    query: str = "",
    owner_id: int | None = None,
    include_archived: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Page[Account]:
    statement = select(Account).where(Account.owner_id == readable_owner(actor, owner_id))
    if not include_archived:
        statement = statement.where(Account.archived_at.is_(None))
    text = folded(query.replace("\x00", "")).strip()  # PostgreSQL refuses NUL in text
    if text:  # ignoring case and accents
        statement = statement.where(Account.search_text.contains(text, autoescape=True))
    return paginate(db, statement.order_by(Account.name, Account.id), page, per_page)


def get_account(db: Session, actor: Actor, account_id: int) -> Account:
    return get_readable(db, Account, account_id, actor, "account")


def create_account(db: Session, actor: Actor, data: AccountInput) -> Account:
    account = Account(owner_id=actor.id, **data.model_dump())
    db.add(account)
    db.flush()
    return account


def update_account(db: Session, actor: Actor, account_id: int, data: AccountInput) -> Account:
    account = get_writable(db, Account, account_id, actor, "account")
    for name, value in data.model_dump().items():
        setattr(account, name, value)
    return account


def set_account_archived(db: Session, actor: Actor, account_id: int, archived: bool) -> Account:
    account = get_writable(db, Account, account_id, actor, "account")
    account.archived_at = utcnow() if archived else None
    return account
