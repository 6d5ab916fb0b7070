"""What a form offers to choose from: a rep's own contacts and accounts by name and deals most
recently changed first, the first few hundred of each, and always the one the form has already
chosen. A big book's contact is seldom among its first few hundred by name, and a plan opened
from that contact's page, or an edit of a deal that is about them, must keep them; any other
is found by typing in the box the page's script adds above each of these selects (it asks the
list's API)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from aimfire.services.access import Actor, Owned
from aimfire.store.models import Account, Contact, Deal

CHOICES = 500  # a select's options; the others are found by typing, or from their own page
DEAL_CHOICES = 200  # deals come most recently changed first: the live ones
LARGEST_ID = 2**31 - 1  # an id column's largest value: a larger one names nothing

R = TypeVar("R", bound=Owned)


def contact_choices(db: Session, actor: Actor, chosen: object = None) -> list[Contact]:
    query = select(Contact).order_by(Contact.last_name, Contact.first_name, Contact.id)
    live = query.where(Contact.archived_at.is_(None))
    return _choices(db, actor, Contact, live, chosen, limit=CHOICES)


def account_choices(db: Session, actor: Actor, chosen: object = None) -> list[Account]:
    query = select(Account).order_by(Account.name, Account.id)
    live = query.where(Account.archived_at.is_(None))
    return _choices(db, actor, Account, live, chosen, limit=CHOICES)


def deal_choices(db: Session, actor: Actor, chosen: object = None) -> list[Deal]:
    query = select(Deal).order_by(Deal.updated_at.desc(), Deal.id.desc())
    return _choices(db, actor, Deal, query, chosen, limit=DEAL_CHOICES)


def _choices(
    db: Session,
    actor: Actor,
    model: type[R],
    query: Select[Any],
    chosen: object,
    *,
    limit: int,
) -> list[R]:
    """The actor's own records in the query's order, the first ``limit``; then the one
    ``chosen`` names (a form's value: an id, or blank) if it is theirs and not among them."""
    records: list[R] = list(db.scalars(query.where(model.owner_id == actor.id).limit(limit)))
    try:
        chosen_id = int(str(chosen))
    except ValueError:
        return records
    if not 0 < chosen_id <= LARGEST_ID or any(record.id == chosen_id for record in records):
        return records  # asking the database for a larger id would be an error, not a miss
    record = db.get(model, chosen_id)
    return [*records, record] if record is not None and record.owner_id == actor.id else records
