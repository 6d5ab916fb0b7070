"""Closing a deal with its post-mortem, and the loss report over a period.

Closing as lost or abandoned asks for reasons from the taxonomy and a lesson in the rep's
words; a won deal may get a short note of what worked. The report reads the deals closed in a
period (one rep's, or every rep a coach coaches) in two aggregate queries.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy import Select, case, func, select, type_coerce
from sqlalchemy.orm import Session

from aimfire.domain.interactions import MEETING_CHANNELS, Result, Status, local_today
from aimfire.domain.objective import GOOD_LABELS
from aimfire.domain.pipeline import StageOutcome
from aimfire.domain.postmortem import (
    LOSING,
    ClosedDeal,
    LossReason,
    LossReport,
    Outcome,
    loss_report,
    ordered_reasons,
    post_mortem_problems,
)
from aimfire.errors import FieldProblem, Invalid
from aimfire.services.access import Actor, get_readable, get_writable, readable_owner
from aimfire.services.deals import StageMove, move_deal
from aimfire.services.validation import Input
from aimfire.store.models import Deal, Interaction, PipelineStage, PostMortem, User
from aimfire.store.types import UTCDateTime, utcnow

DEFAULT_PERIOD_DAYS = 90
LONGEST_PERIOD_DAYS = 5 * 366


class CloseInput(Input):
    outcome: Outcome
    reasons: list[LossReason] = Field(
        default_factory=list, max_length=len(LossReason), description="For lost or abandoned"
    )
    lesson: str = Field(
        default="",
        max_length=5000,
        description="The lesson in your words (required for a loss); for a win, what worked",
    )


def get_post_mortem(db: Session, actor: Actor, deal_id: int) -> PostMortem | None:
    deal = get_readable(db, Deal, deal_id, actor, "deal")
    return db.scalar(select(PostMortem).where(PostMortem.deal_id == deal.id))


def needs_post_mortem(db: Session, deal: Deal) -> bool:
    """A deal in a lost stage with no post-mortem of its loss yet."""
    if deal.stage.outcome != StageOutcome.LOST:
        return False
    outcome = db.scalar(select(PostMortem.outcome).where(PostMortem.deal_id == deal.id))
    return outcome not in LOSING


def _closing_stage(db: Session, outcome: StageOutcome) -> PipelineStage:
    stage = db.scalar(
        select(PipelineStage)
        .where(PipelineStage.outcome == outcome, PipelineStage.is_active)
        .order_by(PipelineStage.position)
    )
    if stage is None:
        raise Invalid(f"The pipeline has no '{outcome}' stage; ask an admin to add one.")
    return stage


def close_deal(db: Session, actor: Actor, deal_id: int, data: CloseInput) -> PostMortem:
    """Close the deal won, lost or abandoned (moving it to that stage) with its post-mortem.

    On a deal already closed this way, it records or corrects the post-mortem only.
    """
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    problems = post_mortem_problems(data.outcome, data.reasons, data.lesson)
    if problems:
        summary = " ".join(problems.values())
        raise Invalid(summary, [FieldProblem(name, msg) for name, msg in problems.items()])
    target = StageOutcome.WON if data.outcome == Outcome.WON else StageOutcome.LOST
    if deal.stage.outcome != target:
        move_deal(db, actor, deal.id, StageMove(stage_id=_closing_stage(db, target).id))
    post_mortem = db.scalar(select(PostMortem).where(PostMortem.deal_id == deal.id))
    if post_mortem is None:
        post_mortem = PostMortem(deal_id=deal.id)
        db.add(post_mortem)
    post_mortem.outcome = data.outcome
    post_mortem.reasons = [reason.value for reason in ordered_reasons(data.reasons)]
    post_mortem.lesson = data.lesson
    db.flush()
    return post_mortem


# --- the report ----------------------------------------------------------------------------


def default_period(actor: Actor) -> tuple[date, date]:
    end = local_today(utcnow(), actor.user.time_zone)
    return end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise Invalid.on("start", "The period starts after it ends.")
    if (end - start).days > LONGEST_PERIOD_DAYS:
        raise Invalid.on("start", "Ask for five years at most.")


def losses_report(
    db: Session,
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    owner_id: int | None = None,
    team: bool = False,
) -> LossReport:
    """Deals closed from ``start`` to ``end`` (the viewer's dates, inclusive) in one rep's book,
    or with ``team`` in every book the viewer may read (a coach's reps)."""
    default_start, default_end = default_period(actor)
    start, end = start or default_start, end or default_end
    _check_period(start, end)
    zone = ZoneInfo(actor.user.time_zone)
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    owners = actor.readable_owner_ids if team else {readable_owner(actor, owner_id)}
    scope = (
        select(Deal.id)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(
            Deal.owner_id.in_(owners),
            PipelineStage.outcome != StageOutcome.OPEN,
            Deal.closed_at >= since,
            Deal.closed_at < until,
        )
    )
    activity = _interaction_counts(db, scope)
    rows = db.execute(
        select(
            Deal.id,
            Deal.title,
            User.name,
            Deal.closed_at,
            PipelineStage.outcome,
            Deal.decision_maker_met,
            Deal.proposal_sent_on,
            PostMortem.outcome,
            PostMortem.reasons,
            PostMortem.lesson,
        )
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .join(User, User.id == Deal.owner_id)
        .outerjoin(PostMortem, PostMortem.deal_id == Deal.id)
        .where(Deal.id.in_(scope))
    )
    deals = []
    for (
        deal_id,
        title,
        owner,
        closed_at,
        stage_outcome,
        met,
        proposal_on,
        pm,
        reasons,
        lesson,
    ) in rows:
        good, weak, advances, meeting_at = activity.get(deal_id, (0, 0, 0, None))
        if stage_outcome == StageOutcome.WON:
            outcome, reviewed = Outcome.WON, pm == Outcome.WON
        else:
            reviewed = pm in LOSING
            outcome = Outcome(pm) if reviewed else Outcome.LOST
        deals.append(
            ClosedDeal(
                deal_id=deal_id,
                title=title,
                owner_name=owner,
                closed_on=closed_at.astimezone(zone).date(),
                outcome=outcome,
                has_post_mortem=reviewed,
                reasons=tuple(ordered_reasons(reasons or [])) if reviewed else (),
                lesson=(lesson or "") if reviewed else "",
                decision_maker_met=met,
                proposal_sent=proposal_on is not None,
                follow_up_booked=proposal_on is not None
                and meeting_at is not None
                and meeting_at.astimezone(zone).date() >= proposal_on,
                good_objectives=good,
                weak_objectives=weak,
                advances=advances,
            )
        )
    return loss_report(start, end, deals)


def _interaction_counts(
    db: Session, scope: Select[tuple[int]]
) -> dict[int, tuple[int, int, int, datetime]]:
    """Per deal: learning/action objectives, the others, advances, the latest meeting booked."""
    good = Interaction.objective_label.in_([label.value for label in GOOD_LABELS])
    meeting = Interaction.channel.in_(list(MEETING_CHANNELS))
    rows = db.execute(
        select(
            Interaction.deal_id,
            func.count(case((good, Interaction.id))),
            func.count(case((~good, Interaction.id))),
            func.count(case((Interaction.result == Result.ADVANCE, Interaction.id))),
            type_coerce(func.max(case((meeting, Interaction.scheduled_at))), UTCDateTime),
        )
        .where(Interaction.deal_id.in_(scope), Interaction.status != Status.CANCELLED)
        .group_by(Interaction.deal_id)
    )
    return {deal_id: (g, w, a, m) for deal_id, g, w, a, m in rows}
