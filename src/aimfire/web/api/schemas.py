"""Response shapes of the JSON API (inputs are the service layer's models)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from aimfire.domain.pipeline import cents_to_amount
from aimfire.services.deals import BoardCard
from aimfire.services.paging import Page
from aimfire.store.models import Deal

T = TypeVar("T")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOut(Out, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, page: Page[Any], convert: Callable[[Any], T]) -> PageOut[T]:
        return cls(
            items=[convert(item) for item in page.items],
            total=page.total,
            page=page.page,
            per_page=page.per_page,
            pages=page.pages,
        )


class ErrorField(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[ErrorField]


class ErrorOut(BaseModel):
    error: ErrorDetail


ERRORS = {
    401: {"model": ErrorOut, "description": "Not logged in, or the API token is not valid."},
    403: {"model": ErrorOut, "description": "Not allowed to do this."},
    404: {"model": ErrorOut, "description": "No such record, or not yours to see."},
    409: {"model": ErrorOut, "description": "Conflicts with existing data."},
    422: {"model": ErrorOut, "description": "The input is not valid; each bad field is named."},
}


class UserOut(Out):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    time_zone: str
    week_start: int = Field(description="0 = Monday ... 6 = Sunday")


class TokenOut(Out):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret; shown only in this response.")


class AccountOut(Out):
    id: int
    owner_id: int
    name: str
    industry: str
    website: str
    phone: str
    notes: str
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactOut(Out):
    id: int
    owner_id: int
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str
    title: str
    account_id: int | None
    source: str
    role: str | None
    notes: str
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class StageOut(Out):
    id: int
    key: str
    name: str
    position: int
    outcome: str
    is_active: bool


class DealPersonOut(Out):
    contact_id: int
    role: str


class DealOut(Out):
    id: int
    owner_id: int
    title: str
    contact_id: int | None
    account_id: int | None
    value: str = Field(description="Decimal amount with two places, e.g. '1250.00'.")
    stage_id: int
    stage_name: str
    stage_entered_at: datetime
    decision_maker_met: bool
    proposal_sent_on: date | None
    expected_close_on: date | None
    closed_at: datetime | None
    notes: str
    people: list[DealPersonOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, deal: Deal) -> DealOut:
        return cls.model_validate(
            {
                **{name: getattr(deal, name) for name in cls.model_fields if hasattr(deal, name)},
                "value": cents_to_amount(deal.value_cents),
                "stage_name": deal.stage.name,
                "people": deal.people,
            }
        )


class BoardCardOut(BaseModel):
    id: int
    title: str
    value: str = Field(description="Decimal amount with two places, e.g. '1250.00'.")
    stage_id: int
    stage_entered_at: datetime
    contact_id: int | None
    contact_name: str = Field(description="The deal's contact, empty when it has none.")
    flags: list[str] = Field(description="The deal-health rules flagging it, most urgent first.")

    @classmethod
    def of(cls, card: BoardCard) -> BoardCardOut:
        return cls(
            id=card.id,
            title=card.title,
            value=cents_to_amount(card.value_cents),
            stage_id=card.stage_id,
            stage_entered_at=card.stage_entered_at,
            contact_id=card.contact_id,
            contact_name=card.contact_name,
            flags=[rule.value for rule in card.flags],
        )


class BoardColumnOut(BaseModel):
    stage: StageOut
    count: int
    value: str
    cards: list[BoardCardOut] = Field(description="The stage's most recently moved deals.")


class TeamMemberOut(Out):
    user_id: int
    role: str


class TeamOut(Out):
    id: int
    name: str
    members: list[TeamMemberOut]
