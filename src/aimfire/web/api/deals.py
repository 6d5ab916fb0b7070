"""Deals API: deals, the people on them, stage moves and the pipeline board."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from aimfire.domain.pipeline import cents_to_amount
from aimfire.services import deals
from aimfire.services.paging import MAX_PER_PAGE
from aimfire.services.pipeline import list_stages
from aimfire.web.api.schemas import (
    ERRORS,
    BoardCardOut,
    BoardColumnOut,
    DealOut,
    PageOut,
    StageOut,
)
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["deals"], responses=ERRORS)


@router.get("/deals", response_model=PageOut[DealOut])
def list_deals(
    db: DbSession,
    actor: ApiActor,
    q: Annotated[str, Query(max_length=200, description="Part of the deal title")] = "",
    owner_id: Annotated[
        int | None, Query(description="A coached rep's id; default: your own book")
    ] = None,
    stage_id: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> PageOut[DealOut]:
    results = deals.search_deals(
        db, actor, query=q, owner_id=owner_id, stage_id=stage_id, page=page, per_page=per_page
    )
    return PageOut[DealOut].of(results, DealOut.of)


@router.post("/deals", response_model=DealOut, status_code=201)
def create_deal(db: DbSession, actor: ApiActor, data: deals.DealInput) -> DealOut:
    deal = deals.create_deal(db, actor, data)
    db.commit()
    return DealOut.of(deal)


@router.get("/deals/{deal_id}", response_model=DealOut)
def get_deal(db: DbSession, actor: ApiActor, deal_id: int) -> DealOut:
    return DealOut.of(deals.get_deal(db, actor, deal_id))


@router.put("/deals/{deal_id}", response_model=DealOut)
def update_deal(db: DbSession, actor: ApiActor, deal_id: int, data: deals.DealInput) -> DealOut:
    deal = deals.update_deal(db, actor, deal_id, data)
    db.commit()
    return DealOut.of(deal)


@router.post("/deals/{deal_id}/stage", response_model=DealOut)
def move_deal(db: DbSession, actor: ApiActor, deal_id: int, data: deals.StageMove) -> DealOut:
    deal = deals.move_deal(db, actor, deal_id, data)
    db.commit()
    return DealOut.of(deal)


@router.put("/deals/{deal_id}/people", response_model=DealOut)
def set_person(db: DbSession, actor: ApiActor, deal_id: int, data: deals.DealRole) -> DealOut:
    """Give a contact a role on the deal (decision maker, influencer, gatekeeper, user)."""
    deal = deals.set_deal_role(db, actor, deal_id, data)
    db.commit()
    return DealOut.of(deal)


@router.delete("/deals/{deal_id}/people/{contact_id}", response_model=DealOut)
def remove_person(db: DbSession, actor: ApiActor, deal_id: int, contact_id: int) -> DealOut:
    deal = deals.remove_deal_role(db, actor, deal_id, contact_id)
    db.commit()
    return DealOut.of(deal)


@router.get("/pipeline/board", response_model=list[BoardColumnOut])
def pipeline_board(
    db: DbSession, actor: ApiActor, owner_id: int | None = None
) -> list[BoardColumnOut]:
    return [
        BoardColumnOut(
            stage=StageOut.model_validate(column.stage),
            count=column.count,
            value=cents_to_amount(column.value_cents),
            cards=[BoardCardOut.of(card) for card in column.cards],
        )
        for column in deals.pipeline_board(db, actor, owner_id)
    ]


@router.get("/pipeline/stages", response_model=list[StageOut])
def stages(db: DbSession, _actor: ApiActor) -> list[StageOut]:
    return [StageOut.model_validate(s) for s in list_stages(db)]
