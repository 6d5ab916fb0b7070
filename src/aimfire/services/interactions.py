"""Planning interactions and logging their outcomes against the plan.

Every outcome leaves a next step: a scheduled interaction with its own objective, the deal
closed won or lost, or an explicit "no next step" with a reason. The rule is enforced here,
so the pages, the API and the CLI cannot skip it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.interactions import (
    Channel,
    NextStepKind,
    ObjectiveMet,
    Party,
    QualityFactor,
    Reached,
    Reason,
    Result,
    Status,
    missing_essentials,
    next_step_problem,
    result_problem,
)
from aimfire.domain.objective import check_objective
from aimfire.domain.pipeline import StageOutcome
from aimfire.errors import Invalid
from aimfire.services.access import Actor, get_readable, get_writable, readable_owner
from aimfire.services.deals import StageMove, move_deal
from aimfire.services.health import record_decision_maker_met
from aimfire.services.paging import Page, paginate
from aimfire.services.playbooks import get_type_for
from aimfire.services.validation import Input
from aimfire.store.models import (
    Commitment,
    Contact,
    Deal,
    Interaction,
    PipelineStage,
)
from aimfire.store.types import utcnow

Rating = Field(default=None, ge=1, le=5)


class PlanInput(Input):
    contact_id: int
    deal_id: int | None = None
    type_id: int | None = None
    reason: Reason | None = None
    channel: Channel | None = None
    objective: str = Field(default="", max_length=2000)
    learning_questions: str = Field(default="", max_length=4000, description="One per line")
    best_outcome: str = Field(default="", max_length=2000)
    minimum_outcome: str = Field(default="", max_length=2000)
    scheduled_at: datetime = Field(description="An instant, or local time in your time zone")
    planned_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    follows_commitment_id: int | None = None


class NextPlan(Input):
    """The next interaction scheduled from an outcome (who stays the same contact)."""

    scheduled_at: datetime
    channel: Channel
    objective: str = Field(min_length=1, max_length=2000)
    type_id: int | None = None
    reason: Reason | None = None
    learning_questions: str = Field(default="", max_length=4000)


class CommitmentInput(Input):
    party: Party
    description: str = Field(min_length=1, max_length=1000)
    due_on: date


class OutcomeInput(Input):
    reached: Reached
    objective_met: ObjectiveMet | None = None
    result: Result | None = None
    answers: list[str] = Field(default_factory=list, max_length=20)
    learned: str = Field(default="", max_length=20_000)
    commitments: list[CommitmentInput] = Field(default_factory=list, max_length=20)
    tonality: int | None = Rating
    emotional_engagement: int | None = Rating
    business_relevance: int | None = Rating
    personal_relevance: int | None = Rating
    depth_of_engagement: int | None = Rating
    actual_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    next_step: NextStepKind | None = None
    next: NextPlan | None = None
    no_next_step_reason: str = Field(default="", max_length=2000)


def local_instant(value: datetime, time_zone: str) -> datetime:
    """A naive time typed by a user means their local time; an aware one is kept."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(time_zone))
    return value.astimezone(UTC)


def get_interaction(db: Session, actor: Actor, interaction_id: int) -> Interaction:
    return get_readable(db, Interaction, interaction_id, actor, "interaction")


def _own_contact(db: Session, actor: Actor, contact_id: int) -> Contact:
    contact = db.get(Contact, contact_id)
    if contact is None or contact.owner_id != actor.id:
        raise Invalid.on("contact_id", "Choose one of your own contacts.")
    return contact


def _own_deal(db: Session, actor: Actor, deal_id: int | None) -> Deal | None:
    if deal_id is None:
        return None
    deal = db.get(Deal, deal_id)
    if deal is None or deal.owner_id != actor.id:
        raise Invalid.on("deal_id", "Choose one of your own deals.")
    return deal


def _own_commitment(db: Session, actor: Actor, commitment_id: int | None) -> int | None:
    if commitment_id is None:
        return None
    commitment = db.get(Commitment, commitment_id)
    if commitment is None or commitment.owner_id != actor.id:
        raise Invalid.on("follows_commitment_id", "Choose one of your own commitments.")
    return commitment.id


def _apply_plan(
    db: Session, actor: Actor, interaction: Interaction, data: PlanInput, *, use_defaults: bool
) -> None:
    """Copy the plan in. A new plan takes what it leaves empty from its interaction type;
    an edited plan keeps exactly what the rep wrote, even an emptied field."""
    kind = get_type_for(db, actor, data.type_id) if data.type_id else None
    defaults = kind if use_defaults else None
    interaction.contact = _own_contact(db, actor, data.contact_id)
    interaction.deal = _own_deal(db, actor, data.deal_id)
    interaction.type = kind
    interaction.reason = data.reason or (defaults.default_reason if defaults else None)
    interaction.channel = data.channel or (defaults.default_channel if defaults else None)
    interaction.objective = data.objective or (defaults.default_objective if defaults else "")
    interaction.learning_questions = data.learning_questions or (
        defaults.default_learning_questions if defaults else ""
    )
    interaction.best_outcome = data.best_outcome
    interaction.minimum_outcome = data.minimum_outcome
    interaction.scheduled_at = local_instant(data.scheduled_at, actor.user.time_zone)
    interaction.planned_minutes = data.planned_minutes
    interaction.follows_commitment_id = _own_commitment(db, actor, data.follows_commitment_id)
    interaction.objective_label = check_objective(
        interaction.objective, channel=interaction.channel
    ).label


def plan_interaction(db: Session, actor: Actor, data: PlanInput) -> Interaction:
    """Plan a call, email or meeting. Incomplete plans are kept; Today says what is missing."""
    interaction = Interaction(owner_id=actor.id, status=Status.PLANNED)
    _apply_plan(db, actor, interaction, data, use_defaults=True)
    db.add(interaction)
    db.flush()
    return interaction


def _planned(db: Session, actor: Actor, interaction_id: int) -> Interaction:
    interaction = get_writable(db, Interaction, interaction_id, actor, "interaction")
    if interaction.status != Status.PLANNED:
        raise Invalid(f"This interaction is already {interaction.status}; plan a new one.")
    return interaction


def update_plan(db: Session, actor: Actor, interaction_id: int, data: PlanInput) -> Interaction:
    interaction = _planned(db, actor, interaction_id)
    _apply_plan(db, actor, interaction, data, use_defaults=False)
    db.flush()
    return interaction


def cancel_interaction(db: Session, actor: Actor, interaction_id: int) -> Interaction:
    interaction = _planned(db, actor, interaction_id)
    interaction.status = Status.CANCELLED
    return interaction


def plan_problems(interaction: Interaction) -> list[str]:
    return missing_essentials(
        contact=interaction.contact,
        reason=interaction.reason,
        channel=interaction.channel,
        objective=interaction.objective,
    )


def bulk_plan(
    db: Session, actor: Actor, contact_ids: list[int], template: PlanInput
) -> list[Interaction]:
    """Plan one interaction per contact from the same template (a calling block)."""
    if not contact_ids:
        raise Invalid.on("contact_ids", "Choose at least one contact.")
    return [
        plan_interaction(db, actor, template.model_copy(update={"contact_id": contact_id}))
        for contact_id in dict.fromkeys(contact_ids)
    ]


def _stage_with_outcome(db: Session, outcome: StageOutcome) -> PipelineStage:
    stage = db.scalar(
        select(PipelineStage)
        .where(PipelineStage.outcome == outcome, PipelineStage.is_active)
        .order_by(PipelineStage.position)
    )
    if stage is None:
        raise Invalid(f"The pipeline has no '{outcome}' stage; ask an admin to add one.")
    return stage


def log_outcome(db: Session, actor: Actor, interaction_id: int, data: OutcomeInput) -> Interaction:
    """Record what happened, the promises made, and the next step (which is required)."""
    interaction = _planned(db, actor, interaction_id)
    connected = data.reached == Reached.CONNECTED
    if connected and data.objective_met is None:
        raise Invalid.on("objective_met", "Say whether the objective was met: yes, partly or no.")
    if connected and data.result is None:
        raise Invalid.on("result", "Choose the result: order, advance, continuation or no-sale.")
    prospect_promises = sum(1 for c in data.commitments if c.party == Party.PROSPECT)
    problem = next_step_problem(
        data.next_step,
        has_scheduled_interaction=data.next is not None,
        has_deal=interaction.deal_id is not None,
        no_next_step_reason=data.no_next_step_reason,
    )
    if problem:
        raise Invalid.on("next_step", problem)
    if connected and data.result and (problem := result_problem(data.result, prospect_promises)):
        raise Invalid.on("result", problem)
    _record(interaction, data)
    record_decision_maker_met(db, interaction)
    for promise in data.commitments:
        db.add(
            Commitment(
                owner_id=actor.id,
                contact_id=interaction.contact_id,
                deal_id=interaction.deal_id,
                interaction_id=interaction.id,
                **promise.model_dump(),
            )
        )
    if data.next_step == NextStepKind.SCHEDULED and data.next is not None:
        interaction.next_interaction_id = _schedule_next(db, actor, interaction, data.next).id
    elif data.next_step in (NextStepKind.WON, NextStepKind.LOST) and interaction.deal_id:
        outcome = StageOutcome.WON if data.next_step == NextStepKind.WON else StageOutcome.LOST
        stage = _stage_with_outcome(db, outcome)
        move_deal(db, actor, interaction.deal_id, StageMove(stage_id=stage.id))
    db.flush()
    return interaction


def _record(interaction: Interaction, data: OutcomeInput) -> None:
    connected = data.reached == Reached.CONNECTED
    interaction.status = Status.DONE
    interaction.logged_at = utcnow()
    interaction.reached = data.reached
    interaction.objective_met = data.objective_met if connected else ObjectiveMet.NO
    interaction.result = data.result if connected else None
    interaction.answers = [
        {"question": q, "answer": a.strip()}
        for q, a in zip(interaction.learning_questions.splitlines(), data.answers, strict=False)
        if a.strip()
    ]
    interaction.learned = data.learned
    for factor in QualityFactor:
        setattr(interaction, factor, getattr(data, factor) if connected else None)
    interaction.actual_minutes = data.actual_minutes
    interaction.next_step = data.next_step
    interaction.no_next_step_reason = data.no_next_step_reason


def _schedule_next(
    db: Session, actor: Actor, interaction: Interaction, plan: NextPlan
) -> Interaction:
    return plan_interaction(
        db,
        actor,
        PlanInput(
            contact_id=interaction.contact_id,
            deal_id=interaction.deal_id,
            type_id=plan.type_id,
            reason=plan.reason or _follow_on_reason(interaction),
            channel=plan.channel,
            objective=plan.objective,
            learning_questions=plan.learning_questions,
            scheduled_at=plan.scheduled_at,
        ),
    )


def _follow_on_reason(interaction: Interaction) -> Reason:
    if interaction.deal and interaction.deal.stage.key in {"proposal", "decision"}:
        return Reason.PROPOSAL_FOLLOW_UP
    return Reason.ASKED_TO_BE_CALLED if interaction.reached == Reached.CONNECTED else Reason.OTHER


def timeline(
    db: Session, actor: Actor, *, contact_id: int | None = None, deal_id: int | None = None
) -> list[Interaction]:
    """Plans against outcomes for a contact or a deal, newest first."""
    query = select(Interaction).where(Interaction.owner_id.in_(actor.readable_owner_ids))
    if contact_id is not None:
        query = query.where(Interaction.contact_id == contact_id)
    if deal_id is not None:
        query = query.where(Interaction.deal_id == deal_id)
    query = query.where(Interaction.status != Status.CANCELLED)
    return list(db.scalars(query.order_by(Interaction.scheduled_at.desc()).limit(200)))


def search_interactions(
    db: Session,
    actor: Actor,
    *,
    status: Status | None = None,
    contact_id: int | None = None,
    deal_id: int | None = None,
    owner_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Interaction]:
    query = select(Interaction).where(Interaction.owner_id == readable_owner(actor, owner_id))
    if status is not None:
        query = query.where(Interaction.status == status)
    if contact_id is not None:
        query = query.where(Interaction.contact_id == contact_id)
    if deal_id is not None:
        query = query.where(Interaction.deal_id == deal_id)
    order = (Interaction.scheduled_at.desc(), Interaction.id.desc())
    return paginate(db, query.order_by(*order), page, per_page)
