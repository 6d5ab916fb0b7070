"""Deals: the pipeline of a rep's book, who plays which part in each, moving through stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import Field
from sqlalchemy import Select, bindparam, func, select, union_all
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole, person_name
from aimfire.domain.health import Rule
from aimfire.domain.pipeline import StageOutcome
from aimfire.errors import Invalid, NotFound
from aimfire.services.access import Actor, get_readable, get_writable, readable_owner
from aimfire.services.health import book_day
from aimfire.services.paging import Page, paginate
from aimfire.services.pipeline import first_open_stage, get_stage, list_stages
from aimfire.services.validation import Input
from aimfire.store.deal_flags import FIRST_DAYS, flagged_on
from aimfire.store.models import (
    Account,
    Contact,
    Deal,
    DealContact,
    DealFlagDays,
    DealStageChange,
    PipelineStage,
)
from aimfire.store.types import utcnow

BOARD_CARDS_PER_STAGE = 50


class DealInput(Input):
    title: str = Field(min_length=1, max_length=200)
    contact_id: int | None = None
    account_id: int | None = None
    value: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("1e12"), decimal_places=2)
    stage_id: int | None = None
    expected_close_on: date | None = None
    notes: str = Field(default="", max_length=20_000)


class StageMove(Input):
    stage_id: int


class DealRole(Input):
    contact_id: int
    role: ContactRole


def search_deals(
    db: Session,
    actor: Actor,
    *,
    query: str = "",
    owner_id: int | None = None,
    stage_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Deal]:
    statement = select(Deal).where(Deal.owner_id == readable_owner(actor, owner_id))
    if stage_id is not None:
        statement = statement.where(Deal.stage_id == stage_id)
    query = query.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if query:
        statement = statement.where(Deal.title.icontains(query, autoescape=True))
    return paginate(db, statement.order_by(Deal.updated_at.desc(), Deal.id.desc()), page, per_page)


def get_deal(db: Session, actor: Actor, deal_id: int) -> Deal:
    return get_readable(db, Deal, deal_id, actor, "deal")


def _check_links(db: Session, actor: Actor, data: DealInput) -> None:
    if data.contact_id is not None:
        contact = db.get(Contact, data.contact_id)
        if contact is None or contact.owner_id != actor.id:
            raise Invalid.on("contact_id", "Choose one of your own contacts.")
    if data.account_id is not None:
        account = db.get(Account, data.account_id)
        if account is None or account.owner_id != actor.id:
            raise Invalid.on("account_id", "Choose one of your own accounts.")
    if data.contact_id is None and data.account_id is None:
        raise Invalid.on("contact_id", "A deal needs a contact, an account or both.")


def create_deal(db: Session, actor: Actor, data: DealInput) -> Deal:
    _check_links(db, actor, data)
    stage = get_stage(db, data.stage_id) if data.stage_id else first_open_stage(db)
    deal = Deal(owner_id=actor.id, stage_id=stage.id, stage=stage, stage_entered_at=utcnow())
    deal.stage_changes.add(DealStageChange(owner_id=actor.id, to_stage_id=stage.id))
    _apply(db, deal, data)
    _close_if_final(deal, stage)
    db.add(deal)
    if (
        data.contact_id is not None
        and (contact := db.get(Contact, data.contact_id))
        and contact.role
    ):
        deal.people.append(DealContact(contact_id=contact.id, role=contact.role))
    db.flush()
    return deal


def _apply(db: Session, deal: Deal, data: DealInput) -> None:
    deal.title = data.title
    deal.contact_id = data.contact_id
    deal.account_id = data.account_id
    if data.account_id is None and data.contact_id is not None:
        contact = db.get(Contact, data.contact_id)
        deal.account_id = contact.account_id if contact else None
    deal.value_cents = int(data.value * 100)
    deal.expected_close_on = data.expected_close_on
    deal.notes = data.notes


def update_deal(db: Session, actor: Actor, deal_id: int, data: DealInput) -> Deal:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    _check_links(db, actor, data)
    _apply(db, deal, data)
    if data.stage_id is not None and data.stage_id != deal.stage_id:
        _enter_stage(deal, get_stage(db, data.stage_id))
    db.flush()
    return deal


def move_deal(db: Session, actor: Actor, deal_id: int, data: StageMove) -> Deal:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    stage = get_stage(db, data.stage_id)
    if not stage.is_active:
        raise Invalid.on("stage_id", f"The stage '{stage.name}' is no longer in use.")
    if stage.id != deal.stage_id:
        _enter_stage(deal, stage)
    db.flush()
    return deal


def _enter_stage(deal: Deal, stage: PipelineStage) -> None:
    deal.stage_changes.add(
        DealStageChange(owner_id=deal.owner_id, from_stage_id=deal.stage_id, to_stage_id=stage.id)
    )
    deal.stage_id, deal.stage = stage.id, stage
    deal.stage_entered_at = utcnow()
    _close_if_final(deal, stage)


def _close_if_final(deal: Deal, stage: PipelineStage) -> None:
    deal.closed_at = utcnow() if stage.outcome != StageOutcome.OPEN else None


def set_deal_role(db: Session, actor: Actor, deal_id: int, data: DealRole) -> Deal:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    contact = db.get(Contact, data.contact_id)
    if contact is None or contact.owner_id != actor.id:
        raise Invalid.on("contact_id", "Choose one of your own contacts.")
    existing = next((p for p in deal.people if p.contact_id == contact.id), None)
    if existing is None:
        deal.people.append(DealContact(contact_id=contact.id, contact=contact, role=data.role))
    else:
        existing.role = data.role
    db.flush()
    return deal


def remove_deal_role(db: Session, actor: Actor, deal_id: int, contact_id: int) -> Deal:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    existing = next((p for p in deal.people if p.contact_id == contact_id), None)
    if existing is None:
        raise NotFound("person on this deal")
    deal.people.remove(existing)
    db.flush()
    return deal


def decision_maker_identified(deal: Deal) -> bool:
    return any(p.role == ContactRole.DECISION_MAKER for p in deal.people)


@dataclass(frozen=True, slots=True)
class BoardCard:
    """A deal as the board shows it, with the health rules flagging it (most urgent first).

    Read as plain rows: loading a large book's 400 cards as deals cost four times their query.
    """

    id: int
    title: str
    value_cents: int
    stage_id: int
    stage_entered_at: datetime
    contact_id: int | None
    contact_name: str
    flags: list[Rule]


@dataclass(frozen=True, slots=True)
class BoardColumn:
    stage: PipelineStage
    cards: list[BoardCard]
    count: int
    value_cents: int


_BOARD_TOTALS = (
    select(Deal.stage_id, func.count(Deal.id), func.sum(Deal.value_cents))
    .where(Deal.owner_id == bindparam("owner"))
    .group_by(Deal.stage_id)
)


@cache
def _board_cards(stage_count: int) -> Select[Any]:
    """The cards of a board of ``stage_count`` stages, their ids bound as ``stage_0``,
    ``stage_1``, ...: built once for each number of stages, as the board is asked for often.

    Each stage's newest cards are the first rows of one index range, all stages in one UNION
    ALL; ranking every deal of the book by stage instead took half the board's time for a
    large book. A card's flags are its stored first days (no row: a closed deal)."""
    newest = [
        select(Deal.id)
        .where(Deal.owner_id == bindparam("owner"), Deal.stage_id == bindparam(f"stage_{n}"))
        .order_by(Deal.stage_entered_at.desc(), Deal.id)
        .limit(bindparam("per_stage"))
        .subquery()
        for n in range(stage_count)
    ]
    return (
        select(
            Deal.id,
            Deal.title,
            Deal.value_cents,
            Deal.stage_id,
            Deal.stage_entered_at,
            Deal.contact_id,
            Contact.first_name,
            Contact.last_name,
            *FIRST_DAYS,
        )
        .outerjoin(Contact, Contact.id == Deal.contact_id)
        .outerjoin(DealFlagDays, DealFlagDays.deal_id == Deal.id)
        .where(Deal.id.in_(union_all(*(select(ids.c.id) for ids in newest))))
        .order_by(Deal.stage_entered_at.desc(), Deal.id)
    )


def pipeline_board(db: Session, actor: Actor, owner_id: int | None = None) -> list[BoardColumn]:
    """Every active stage with its newest cards (the most recently moved first) and totals."""
    owner = readable_owner(actor, owner_id)
    # Plain rows through the connection: the ORM's handling of rows is for its objects.
    connection = db.connection()
    totals = {
        stage_id: (count, value or 0)
        for stage_id, count, value in connection.execute(_BOARD_TOTALS, {"owner": owner})
    }
    stages = list_stages(db)
    day = book_day(db, actor, owner_id)
    by_stage: dict[int, list[BoardCard]] = {}
    if stages:
        values = {f"stage_{n}": stage.id for n, stage in enumerate(stages)}
        values.update(owner=owner, per_stage=BOARD_CARDS_PER_STAGE)
        rows = connection.execute(_board_cards(len(stages)), values)
        for deal_id, title, value, stage_id, moved_at, contact_id, first, last, *days in rows:
            by_stage.setdefault(stage_id, []).append(
                BoardCard(
                    deal_id,
                    title,
                    value,
                    stage_id,
                    moved_at,
                    contact_id,
                    person_name(first or "", last or ""),
                    flagged_on(day, days),
                )
            )
    return [
        BoardColumn(stage, by_stage.get(stage.id, []), *totals.get(stage.id, (0, 0)))
        for stage in stages
    ]


def deals_involving(
    db: Session, actor: Actor, *, contact_id: int | None = None, account_id: int | None = None
) -> list[Deal]:
    """Deals of a contact (as main contact or in any role) or of an account, newest first."""
    statement = select(Deal).where(Deal.owner_id.in_(actor.readable_owner_ids))
    if contact_id is not None:
        in_role = select(DealContact.deal_id).where(DealContact.contact_id == contact_id)
        statement = statement.where((Deal.contact_id == contact_id) | Deal.id.in_(in_role))
    if account_id is not None:
        statement = statement.where(Deal.account_id == account_id)
    return list(db.scalars(statement.order_by(Deal.updated_at.desc()).limit(100)).unique())
