"""Demo goals and coach notes: a quarter revenue goal per rep and a few notes from the coach.

Runs after the demo books and their interaction history exist. Each goal is counted in the
rep's own average deals (a ticket seller closes many small deals, the software rep fewer
large ones) and sized so their own funnel can reach it within their selling hours, so the
behaviour plan shows real work and no impossible demand.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.coaching import NoteKind
from aimfire.domain.goals import GoalKind, GoalPeriod, period_bounds
from aimfire.domain.pipeline import StageOutcome
from aimfire.services.behaviour_plan import DEFAULT_WINDOW_DAYS, plan_bases, plan_goal
from aimfire.services.funnel_counts import Range, won_in_ranges
from aimfire.services.weeks import local_midnight_utc, local_today, user_week
from aimfire.store.models import CoachNote, Deal, Goal, PipelineStage, User

BUSY_SHARE = 0.85  # the goals keep a rep busy for this share of their selling hours
GOAL_STEP_CENTS = 100_000  # goals in whole thousands


def add_accountability(db: Session, jordan: User, sam: User, morgan: User, now: datetime) -> None:
    for rep in (jordan, sam):
        _quarter_goal(db, rep, now)
    _notes(db, jordan, sam, morgan, now)
    db.flush()


def _quarter_goal(db: Session, rep: User, now: datetime) -> None:
    """This quarter's revenue goal: what was won so far plus as many of the rep's average
    deals as their own funnel can still reach in the weeks left, within selling hours."""
    first, last = period_bounds(GoalPeriod.QUARTER, local_today(rep, now))
    basis = plan_bases(db, [rep], window_days=DEFAULT_WINDOW_DAYS, now=now)[rep.id]
    [(_won, won_cents)] = won_in_ranges(db, [Range(rep.id, local_midnight_utc(first, rep), now)])
    deal_size = basis.rates.average_deal_size.value or 1_000
    goal = Goal(
        owner_id=rep.id,
        kind=GoalKind.REVENUE,
        period=GoalPeriod.QUARTER,
        start_on=first,
        end_on=last,
    )
    busy = BUSY_SHARE * basis.work_week.selling_hours_per_week
    amount = won_cents + GOAL_STEP_CENTS
    for deals in range(1, 100):
        goal.amount = math.ceil((won_cents + deals * deal_size * 100) / GOAL_STEP_CENTS)
        goal.amount *= GOAL_STEP_CENTS
        plan = plan_goal(basis, goal, basis.today, won_cents / 100)
        if plan.hours_per_week is None or plan.hours_per_week > busy:
            break
        amount = goal.amount
    goal.amount = amount
    db.add(goal)


def _a_deal_in(db: Session, rep: User, stage_key: str) -> Deal | None:
    return db.scalar(
        select(Deal)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(Deal.owner_id == rep.id, PipelineStage.key == stage_key)
        .where(PipelineStage.outcome == StageOutcome.OPEN)
        .order_by(Deal.value_cents.desc(), Deal.id)
        .limit(1)
    )


def _notes(db: Session, jordan: User, sam: User, morgan: User, now: datetime) -> None:
    def note(rep: User, kind: NoteKind, body: str, *, days_ago: float, **about: object) -> None:
        written = now - timedelta(days=days_ago)
        week = None if about else user_week(rep, None, written).label
        acknowledged = written + timedelta(hours=3) if days_ago >= 5 else None
        db.add(
            CoachNote(
                author_id=morgan.id,
                rep_id=rep.id,
                kind=kind,
                body=body,
                week=week,
                created_at=written,
                acknowledged_at=acknowledged,
                **about,
            )
        )

    note(
        jordan,
        NoteKind.MENTOR,
        "Season-ticket holders buy from people they trust. Before you talk upgrades, ask "
        "what made this season worth it for them and write down their words.",
        days_ago=8,
    )
    note(
        jordan,
        NoteKind.MOTIVATE,
        "Good start to the week: you kept your calling block and every call had an objective. "
        "Same again tomorrow.",
        days_ago=0.1,
    )
    proposal = _a_deal_in(db, jordan, "proposal")
    if proposal is not None:
        note(
            jordan,
            NoteKind.HOLD_ACCOUNTABLE,
            f"The proposal for “{proposal.title}” went out without a follow-up meeting in the "
            "diary. Book it with the decision maker before Friday and tell me the date.",
            days_ago=0.2,
            deal_id=proposal.id,
        )
    note(
        sam,
        NoteKind.COACH,
        "On discovery calls, ask who else signs off before you talk price. Two deals stalled "
        "last month because we met the decision maker too late.",
        days_ago=6,
    )
    note(
        sam,
        NoteKind.HOLD_ACCOUNTABLE,
        "Conversations were short of target last week. Block two hours on Tuesday and Thursday "
        "mornings for calls and show me the numbers on Friday.",
        days_ago=0.2,
    )
