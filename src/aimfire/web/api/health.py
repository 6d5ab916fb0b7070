"""Deal health API: flags for a book or a deal, suggested diagnoses, the proposal guard and the
per-stage thresholds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aimfire.domain.health import Flag, Thresholds
from aimfire.domain.pipeline import cents_to_amount
from aimfire.services import health, proposals
from aimfire.services.paging import MAX_PER_PAGE
from aimfire.store.models import PipelineStage
from aimfire.web.api.schemas import ERRORS, DealOut, PageOut
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(tags=["deal health"], responses=ERRORS)


class FlagOut(BaseModel):
    rule: str
    label: str
    reason: str = Field(description="What is wrong, plainly.")
    question: str = Field(description="What the rep needs to learn the answer to.")
    objective: str = Field(description="A learning-mode objective for the diagnosis.")
    plan_reason: str = Field(description="The reason for contact to plan the diagnosis with.")
    plan_label: str = Field(description="What the action is called, e.g. 'Plan a diagnosis call'.")
    contact_id: int | None = Field(description="Who to talk to.")
    plan_url: str = Field(description="The web page that plans this diagnosis, filled in.")

    @classmethod
    def of(cls, judged: health.DealHealth | health.Judgement, flag: Flag) -> FlagOut:
        return cls(
            rule=flag.rule,
            label=flag.label,
            reason=flag.reason,
            question=flag.question,
            objective=flag.objective,
            plan_reason=flag.plan_reason,
            plan_label=flag.plan_label,
            contact_id=judged.contact_for(flag),
            plan_url=judged.plan_url(flag),
        )


class DealHealthOut(BaseModel):
    deal_id: int
    owner_id: int
    title: str
    stage_name: str
    value: str
    flags: list[FlagOut]

    @classmethod
    def of(cls, deal_health: health.DealHealth) -> DealHealthOut:
        deal = deal_health.deal
        return cls(
            deal_id=deal.id,
            owner_id=deal.owner_id,
            title=deal.title,
            stage_name=deal.stage.name,
            value=cents_to_amount(deal.value_cents),
            flags=[FlagOut.of(deal_health, flag) for flag in deal_health.flags],
        )


class DiagnosisOut(BaseModel):
    deal_id: int
    deal_title: str
    contact_id: int = Field(description="Who to get in touch with for the diagnosis.")
    contact_name: str
    flag: FlagOut

    @classmethod
    def of(cls, diagnosis: health.Diagnosis) -> DiagnosisOut:
        return cls(
            deal_id=diagnosis.deal_id,
            deal_title=diagnosis.deal_title,
            contact_id=diagnosis.contact_id,
            contact_name=diagnosis.contact_name,
            flag=FlagOut.of(diagnosis.judgement, diagnosis.flag),
        )


class ProposalOut(BaseModel):
    deal: DealOut
    follow_up_interaction_id: int | None = Field(
        description="The follow-up meeting planned, or null when it was skipped."
    )
    flags: list[FlagOut] = Field(description="The deal's health after the proposal.")


class StageThresholdsOut(BaseModel):
    stage_id: int
    key: str
    name: str
    max_days_in_stage: int
    stall_attempts: int
    stall_days: int
    own: health.StageThresholdsInput = Field(
        description="What the stage sets itself; null means the default is in force."
    )


@router.get("/health", response_model=PageOut[DealHealthOut])
def book_health(
    db: DbSession,
    actor: ApiActor,
    owner_id: Annotated[
        int | None, Query(description="A coached rep's id; default: your own book")
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = health.HEALTH_PER_PAGE,
) -> PageOut[DealHealthOut]:
    """The flagged open deals of a book, most urgent first, a page at a time."""
    flagged = health.flagged_deals_page(db, actor, owner_id, page=page, per_page=per_page)
    return PageOut[DealHealthOut].of(flagged, DealHealthOut.of)


@router.get("/health/diagnoses", response_model=PageOut[DiagnosisOut])
def diagnoses(
    db: DbSession,
    actor: ApiActor,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = health.HEALTH_PER_PAGE,
) -> PageOut[DiagnosisOut]:
    """Diagnosis interactions to plan: flagged deals of yours with nothing planned and
    someone to get in touch with, most urgent first, a page at a time."""
    found = health.suggested_diagnoses(db, actor, page=page, per_page=per_page)
    return PageOut[DiagnosisOut].of(found, DiagnosisOut.of)


@router.get("/deals/{deal_id}/health", response_model=DealHealthOut)
def deal_health(db: DbSession, actor: ApiActor, deal_id: int) -> DealHealthOut:
    return DealHealthOut.of(health.deal_health(db, actor, deal_id))


@router.post("/deals/{deal_id}/proposal", response_model=ProposalOut)
def mark_proposal_sent(
    db: DbSession, actor: ApiActor, deal_id: int, data: proposals.ProposalInput
) -> ProposalOut:
    """Mark the proposal sent and book its follow-up meeting in the same step.

    Leave out ``follow_up`` to skip the meeting: the deal is then flagged until one is booked.
    """
    sent = proposals.mark_proposal_sent(db, actor, deal_id, data)
    db.commit()
    after = health.deal_health(db, actor, deal_id)
    return ProposalOut(
        deal=DealOut.of(sent.deal),
        follow_up_interaction_id=sent.follow_up.id if sent.follow_up else None,
        flags=[FlagOut.of(after, flag) for flag in after.flags],
    )


LIMITS = ("max_days_in_stage", "stall_attempts", "stall_days")


def _thresholds_out(stage: PipelineStage, limits: Thresholds) -> StageThresholdsOut:
    return StageThresholdsOut(
        stage_id=stage.id,
        key=stage.key,
        name=stage.name,
        **{name: getattr(limits, name) for name in LIMITS},
        own=health.StageThresholdsInput(**{name: getattr(stage, name) for name in LIMITS}),
    )


@router.get("/pipeline/stages/health", response_model=list[StageThresholdsOut])
def stage_thresholds(db: DbSession, _actor: ApiActor) -> list[StageThresholdsOut]:
    """The health limits in force for each open stage."""
    return [_thresholds_out(stage, limits) for stage, limits in health.stage_thresholds(db)]


@router.put("/pipeline/stages/{stage_id}/health", response_model=StageThresholdsOut)
def set_stage_thresholds(
    db: DbSession, actor: ApiActor, stage_id: int, data: health.StageThresholdsInput
) -> StageThresholdsOut:
    """Set a stage's limits (admins only); a null limit goes back to the default."""
    stage = health.set_stage_thresholds(db, actor, stage_id, data)
    db.commit()
    return _thresholds_out(stage, health.stage_thresholds_of(stage))
