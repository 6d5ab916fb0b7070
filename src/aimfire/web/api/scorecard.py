"""Scorecard API: a week's three yes/no lines with rates and quality, trends, hand targets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from aimfire.services import scorecard
from aimfire.services.scorecard import TREND_WEEKS, WeekScore
from aimfire.services.weeks import MAX_TREND_WEEKS
from aimfire.store.models import WeeklyTarget
from aimfire.web.api.schemas import ERRORS
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["scorecard"], responses=ERRORS)

WeekLabel = Annotated[
    str | None,
    Query(
        max_length=10,
        description="ISO-style week label, YYYY-Www, in your week start; default: this week",
    ),
]
OwnerId = Annotated[int | None, Query(description="A coached rep's id; default: yourself")]


class WeekOut(BaseModel):
    label: str
    start_date: date
    end_date: date = Field(description="The last day of the week, inclusive")
    start_utc: datetime
    end_utc: datetime = Field(description="Exclusive")
    time_zone: str


class LineOut(BaseModel):
    name: str = Field(description="sales, base_moves or conversations")
    actual: float
    target: float | None
    met: bool | None = Field(description="null when the line has no target")
    explanation: str


class ScoreRateOut(BaseModel):
    name: str
    value: float | None
    numerator: float
    denominator: float
    explanation: str


class QualityOut(BaseModel):
    factor: str
    average: float | None
    ratings: int


class CountsOut(BaseModel):
    won_value: float = Field(description="Currency units")
    won_deals: int
    advances_logged: int
    stage_advances: int
    connected_conversations: int
    objectives_met: int
    objectives_partly_met: int
    objectives_missed: int
    prospect_promises_kept: int
    prospect_promises_broken: int


class ScorecardOut(BaseModel):
    owner_id: int
    week: WeekOut
    in_progress: bool = Field(description="The week has not ended yet")
    sales_kind: str = Field(description="revenue (money) or units")
    goal_name: str | None
    target_source: str = Field(description="Where the targets come from, in words")
    all_met: bool | None
    lines: list[LineOut]
    rates: list[ScoreRateOut]
    quality: list[QualityOut]
    counts: CountsOut

    @classmethod
    def of(cls, score: WeekScore) -> ScorecardOut:
        w, c, card = score.week, score.counts, score.card
        return cls(
            owner_id=score.owner.id,
            week=WeekOut(
                label=w.label,
                start_date=w.start_date,
                end_date=w.end_date,
                start_utc=w.start_utc,
                end_utc=w.end_utc,
                time_zone=w.timezone,
            ),
            in_progress=score.in_progress,
            sales_kind=score.targets.sales_kind,
            goal_name=score.goal_name,
            target_source=score.target_source,
            all_met=card.all_met,
            lines=[LineOut.model_validate(line.to_dict()) for line in card.lines],
            rates=[ScoreRateOut.model_validate(rate.to_dict()) for rate in card.rates],
            quality=[QualityOut.model_validate(q.to_dict()) for q in card.quality],
            counts=CountsOut(
                won_value=c.won_value,
                won_deals=c.won_units,
                advances_logged=c.meetings_set,
                stage_advances=c.stage_advances,
                connected_conversations=c.connected_conversations,
                objectives_met=c.objectives_met,
                objectives_partly_met=c.objectives_partly_met,
                objectives_missed=c.objectives_missed,
                prospect_promises_kept=c.prospect_promises_kept,
                prospect_promises_broken=c.prospect_promises_broken,
            ),
        )


class WeekTargetsOut(BaseModel):
    week: str
    by_hand: bool = Field(description="False: every target follows the behaviour plan")
    sales: str | None = Field(description="Money as a decimal amount, or whole units")
    base_moves: int | None
    conversations: int | None

    @classmethod
    def of(cls, week: str, target: WeeklyTarget | None, units: bool) -> WeekTargetsOut:
        if target is None:
            return cls(week=week, by_hand=False, sales=None, base_moves=None, conversations=None)
        sales = None
        if target.sales is not None:
            sales = str(target.sales) if units else f"{target.sales / 100:.2f}"
        return cls(
            week=target.week,
            by_hand=True,
            sales=sales,
            base_moves=target.base_moves,
            conversations=target.conversations,
        )


@router.get("/scorecard", response_model=ScorecardOut)
def get_scorecard(
    db: DbSession, actor: ApiActor, week: WeekLabel = None, owner_id: OwnerId = None
) -> ScorecardOut:
    return ScorecardOut.of(scorecard.scorecard(db, actor, owner_id=owner_id, week=week))


@router.get("/scorecard/trend", response_model=list[ScorecardOut])
def get_trend(
    db: DbSession,
    actor: ApiActor,
    week: WeekLabel = None,
    owner_id: OwnerId = None,
    weeks: Annotated[int, Query(ge=1, le=MAX_TREND_WEEKS)] = TREND_WEEKS,
) -> list[ScorecardOut]:
    """The weeks ending with `week`, oldest first."""
    trend = scorecard.trend(db, actor, owner_id=owner_id, week=week, weeks=weeks)
    return [ScorecardOut.of(score) for score in trend]


WeekPath = Annotated[str, Path(max_length=10, description="YYYY-Www")]


@router.get("/scorecard/targets/{week}", response_model=WeekTargetsOut)
def get_targets(db: DbSession, actor: ApiActor, week: WeekPath) -> WeekTargetsOut:
    """Your targets set by hand for a week, if any."""
    target = scorecard.get_week_targets(db, actor, week)
    units = scorecard.week_sales_kind(db, actor, week) == "units"
    return WeekTargetsOut.of(week, target, units)


@router.put("/scorecard/targets/{week}", response_model=WeekTargetsOut)
def set_targets(
    db: DbSession, actor: ApiActor, week: WeekPath, data: scorecard.WeekTargetsInput
) -> WeekTargetsOut:
    """Set your own targets for a week by hand; all three null goes back to the plan's."""
    target = scorecard.set_week_targets(db, actor, week, data)
    db.commit()
    units = scorecard.week_sales_kind(db, actor, week) == "units"
    return WeekTargetsOut.of(week, target, units)
