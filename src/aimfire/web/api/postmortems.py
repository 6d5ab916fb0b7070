"""Post-mortems API: close a deal with its reasons and lesson, read it back, the loss report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aimfire.domain.postmortem import REASON_LABELS, LossReason, ordered_reasons
from aimfire.errors import NotFound
from aimfire.services import deals, postmortems
from aimfire.store.models import PostMortem
from aimfire.web.api.schemas import ERRORS, DealOut, Out
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["post-mortems"], responses=ERRORS)


class PostMortemOut(BaseModel):
    deal_id: int
    outcome: str
    reasons: list[LossReason]
    reason_labels: list[str]
    lesson: str
    deal: DealOut

    @classmethod
    def of(cls, post_mortem: PostMortem, deal: DealOut) -> PostMortemOut:
        reasons = ordered_reasons(post_mortem.reasons)
        return cls(
            deal_id=post_mortem.deal_id,
            outcome=post_mortem.outcome,
            reasons=reasons,
            reason_labels=[REASON_LABELS[r] for r in reasons],
            lesson=post_mortem.lesson,
            deal=deal,
        )


class ReasonCountOut(Out):
    reason: LossReason
    label: str
    count: int
    share: float = Field(description="Of the losses with a post-mortem (0 to 1).")


class GroupOut(Out):
    label: str
    closed: int
    won: int
    win_rate: float | None = Field(description="won / closed; null when nothing closed.")


class FactorOut(Out):
    key: str
    title: str
    groups: list[GroupOut]
    note: str


class LessonOut(Out):
    deal_id: int
    title: str
    owner_name: str
    closed_on: date
    outcome: str
    reasons: list[str]
    lesson: str


class MissingOut(Out):
    deal_id: int
    title: str
    owner_name: str
    closed_on: date


class LossReportOut(Out):
    start: date
    end: date
    closed: int
    won: int
    lost: int
    abandoned: int
    win_rate: float | None
    reasons: list[ReasonCountOut] = Field(description="Most frequent first.")
    factors: list[FactorOut] = Field(description="Win rates compared by factor, with counts.")
    lessons: list[LessonOut] = Field(description="Lost and abandoned deals, newest first.")
    wins: list[LessonOut] = Field(description="Won deals with a note of what worked.")
    missing: list[MissingOut] = Field(description="Losses still without a post-mortem.")
    advances_won: float | None = Field(description="Average advances on won deals.")
    advances_not_won: float | None = Field(description="... on lost and abandoned deals.")
    learning_share_won: float | None = Field(
        description="Average share of learning or action objectives on won deals (0 to 1)."
    )
    learning_share_not_won: float | None = Field(description="... on lost and abandoned deals.")


@router.post("/deals/{deal_id}/close", response_model=PostMortemOut)
def close_deal(
    db: DbSession, actor: ApiActor, deal_id: int, data: postmortems.CloseInput
) -> PostMortemOut:
    """Close a deal won, lost or abandoned with its post-mortem (reasons and lesson are
    required for a loss; a win takes an optional note of what worked). On a deal already
    closed that way, records or corrects the post-mortem."""
    post_mortem = postmortems.close_deal(db, actor, deal_id, data)
    db.commit()
    return PostMortemOut.of(post_mortem, DealOut.of(deals.get_deal(db, actor, deal_id)))


@router.get("/deals/{deal_id}/post-mortem", response_model=PostMortemOut)
def get_post_mortem(db: DbSession, actor: ApiActor, deal_id: int) -> PostMortemOut:
    post_mortem = postmortems.get_post_mortem(db, actor, deal_id)
    if post_mortem is None:
        raise NotFound("post-mortem for this deal")
    return PostMortemOut.of(post_mortem, DealOut.of(deals.get_deal(db, actor, deal_id)))


@router.get("/reports/losses", response_model=LossReportOut)
def losses_report(
    db: DbSession,
    actor: ApiActor,
    start: Annotated[date | None, Query(description="First day; default: 90 days ago")] = None,
    end: Annotated[date | None, Query(description="Last day (inclusive); default: today")] = None,
    owner_id: Annotated[
        int | None, Query(description="A coached rep's id; default: your own book")
    ] = None,
    team: Annotated[
        bool, Query(description="Every book you may read: you and the reps you coach")
    ] = False,
) -> LossReportOut:
    """Reasons ranked, lessons listed and win rates by factor for the deals closed in a period."""
    report = postmortems.losses_report(
        db, actor, start=start, end=end, owner_id=owner_id, team=team
    )
    return LossReportOut.model_validate(report)
