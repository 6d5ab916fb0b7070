"""Names of records by id, for lists that name a deal or a person and show nothing else of
them (Today): loading the records themselves, with what they join, cost more than the rest
of such a list."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from aimfire.domain.contacts import person_name
from aimfire.store.bulk import id_chunks, one_of
from aimfire.store.models import Contact, Deal

_DEAL_TITLES = select(Deal.id, Deal.title).where(one_of(Deal.id))
_CONTACT_NAMES = select(Contact.id, Contact.first_name, Contact.last_name).where(one_of(Contact.id))


def deal_titles(db: Session, deal_ids: Collection[int | None]) -> dict[int, str]:
    """Deal id -> title."""
    return {deal_id: title for deal_id, title in _rows(db, _DEAL_TITLES, deal_ids)}


def contact_names(db: Session, contact_ids: Collection[int | None]) -> dict[int, str]:
    """Contact id -> full name."""
    return {
        contact_id: person_name(first, last)
        for contact_id, first, last in _rows(db, _CONTACT_NAMES, contact_ids)
    }


def _rows(db: Session, statement: Select[Any], ids: Collection[int | None]) -> list[Row[Any]]:
    wanted = sorted({record_id for record_id in ids if record_id is not None})
    return [row for chunk in id_chunks(wanted) for row in db.execute(statement, {"ids": chunk})]
