"""The weekly scorecard: one week's numbers against its targets, and the weeks before it.

Counts come from ``services.funnel_counts`` (see there for what counts as an attempt, a
conversation, a base move, ...), for the week in the rep's own time zone and week start.

A week's targets are set by hand for that week (``WeeklyTarget``; each target given by hand
wins), or else come from the behaviour plan of the goal covering the week. When several
goals cover it, the most specific one sets the pace (a week goal over a month goal over a
quarter goal, then the one that started last). The pace is the one the plan needed when
the week began, net of what was won in the goal's period before it, so a week's targets do
not move while the week runs. Past weeks are planned with today's funnel rates.
A hand-set sales target is money (stored in cents) when the week's goal is a revenue goal
and units when it is a units goal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.goals import PERIOD_SPECIFICITY, GoalKind, GoalPeriod
from aimfire.domain.scorecard import (
    Scorecard,
    WeekCounts,
    WeekTargets,
    WeekWindow,
    build_scorecard,
    weekly_targets_from_plan,
)
from aimfire.errors import Invalid
from aimfire.services.access import Actor, readable_owner
from aimfire.services.behaviour_plan import (
    DEFAULT_WINDOW_DAYS,
    achieved_amount,
    goal_name,
    plan_bases,
    plan_goal,
)
from aimfire.services.funnel_counts import Range, SpanCounts, count_spans, won_in_ranges
from aimfire.services.validation import Input
from aimfire.services.weeks import local_midnight_utc, user_week, week_span, weeks_up_to
from aimfire.store.models import Goal, User, WeeklyTarget
from aimfire.store.types import utcnow

TREND_WEEKS = 12


class WeekTargetsInput(Input):
    """Targets for one week set by hand; leave one empty to use the behaviour plan's."""

    sales: Decimal | None = Field(
        default=None,
        ge=0,
        le=Decimal("1e12"),
        decimal_places=2,
        description="Money to win (a revenue goal) or units to sell (a units goal)",
    )
    base_moves: int | None = Field(default=None, ge=0, le=100_000)
    conversations: int | None = Field(default=None, ge=0, le=100_000)


@dataclass(frozen=True)
class WeekScore:
    owner: User
    week: WeekWindow
    counts: WeekCounts
    targets: WeekTargets
    target_source: str
    card: Scorecard
    goal_name: str | None
    in_progress: bool  # the week has not ended yet, so a line not met yet is "not yet"


def scorecard(
    db: Session,
    actor: Actor,
    *,
    owner_id: int | None = None,
    week: str | None = None,
    now: datetime | None = None,
) -> WeekScore:
    user = _owner(db, actor, owner_id)
    now = now or utcnow()
    return score_weeks(db, [(user, user_week(user, week, now))], now=now)[0]


def trend(
    db: Session,
    actor: Actor,
    *,
    owner_id: int | None = None,
    week: str | None = None,
    weeks: int = TREND_WEEKS,
    now: datetime | None = None,
) -> list[WeekScore]:
    """The `weeks` weeks ending with `week` (default: this week), oldest first."""
    user = _owner(db, actor, owner_id)
    now = now or utcnow()
    windows = weeks_up_to(user, user_week(user, week, now), weeks)
    return score_weeks(db, [(user, w) for w in windows], now=now)


def _owner(db: Session, actor: Actor, owner_id: int | None) -> User:
    owner = readable_owner(actor, owner_id)
    return actor.user if owner == actor.id else db.get_one(User, owner)


def score_weeks(
    db: Session, slots: Sequence[tuple[User, WeekWindow]], *, now: datetime
) -> list[WeekScore]:
    """Scorecards for any mix of reps and weeks, counted and planned in a fixed few queries."""
    if not slots:
        return []
    counted = count_spans(db, [week_span(user.id, week) for user, week in slots])
    owner_ids = {user.id for user, _ in slots}
    hand = {
        (t.owner_id, t.week): t
        for t in db.scalars(
            select(WeeklyTarget).where(
                WeeklyTarget.owner_id.in_(owner_ids),
                WeeklyTarget.week.in_({week.label for _, week in slots}),
            )
        )
    }
    goals = _goals_by_owner(db, owner_ids, slots)
    driving = [_driving_goal(goals.get(user.id, []), week) for user, week in slots]
    paced = _plan_targets(db, slots, driving, hand, now)
    scores = []
    for i, (user, week) in enumerate(slots):
        goal = driving[i]
        targets, source = _merge(hand.get((user.id, week.label)), paced.get(i), goal, week)
        counts = _week_counts(counted[i])
        scores.append(
            WeekScore(
                owner=user,
                week=week,
                counts=counts,
                targets=targets,
                target_source=source,
                card=build_scorecard(counts, targets),
                goal_name=goal_name(goal) if goal else None,
                in_progress=now < week.end_utc,
            )
        )
    return scores


def _week_counts(c: SpanCounts) -> WeekCounts:
    return WeekCounts(
        won_value=c.won_value_cents / 100,
        won_units=c.won_count,  # a won deal counts as one unit; deals carry no quantity
        meetings_set=c.advances,
        stage_advances=c.stage_advances,
        connected_conversations=c.conversations,
        objectives_met=c.objectives_met,
        objectives_partly_met=c.objectives_partly_met,
        objectives_missed=c.objectives_missed,
        prospect_promises_kept=c.promises_kept,
        prospect_promises_broken=c.promises_broken,
        quality_ratings=c.quality,
    )


def _goals_by_owner(
    db: Session, owner_ids: set[int], slots: Sequence[tuple[User, WeekWindow]]
) -> dict[int, list[Goal]]:
    first = min(week.start_date for _, week in slots)
    last = max(week.end_date for _, week in slots)
    by_owner: dict[int, list[Goal]] = {}
    for goal in db.scalars(
        select(Goal).where(
            Goal.owner_id.in_(owner_ids), Goal.start_on <= last, Goal.end_on >= first
        )
    ):
        by_owner.setdefault(goal.owner_id, []).append(goal)
    return by_owner


def _driving_goal(goals: list[Goal], week: WeekWindow) -> Goal | None:
    covering = [g for g in goals if g.start_on <= week.end_date and g.end_on >= week.start_date]
    if not covering:
        return None
    return min(
        covering,
        key=lambda g: (PERIOD_SPECIFICITY[GoalPeriod(g.period)], -g.start_on.toordinal(), g.id),
    )


def _plan_targets(
    db: Session,
    slots: Sequence[tuple[User, WeekWindow]],
    driving: list[Goal | None],
    hand: dict[tuple[int, str], WeeklyTarget],
    now: datetime,
) -> dict[int, WeekTargets]:
    """The plan's weekly pace for each slot that has a goal and is not wholly set by hand."""
    wanted = [
        i
        for i, (user, week) in enumerate(slots)
        if driving[i] is not None and not _wholly_by_hand(hand.get((user.id, week.label)))
    ]
    if not wanted:
        return {}
    users = {slots[i][0].id: slots[i][0] for i in wanted}
    bases = plan_bases(db, list(users.values()), window_days=DEFAULT_WINDOW_DAYS, now=now)
    ranges = []
    for i in wanted:
        user, week = slots[i]
        goal = driving[i]
        assert goal is not None
        begins = local_midnight_utc(goal.start_on, user)
        ranges.append(Range(user.id, begins, max(begins, week.start_utc)))
    paced = {}
    for i, (won, value_cents) in zip(wanted, won_in_ranges(db, ranges), strict=True):
        user, week = slots[i]
        goal = driving[i]
        assert goal is not None
        achieved = achieved_amount(goal, won, value_cents)
        plan = plan_goal(bases[user.id], goal, week.start_date, achieved)
        paced[i] = weekly_targets_from_plan(plan)
    return paced


def _wholly_by_hand(target: WeeklyTarget | None) -> bool:
    return target is not None and None not in (
        target.sales,
        target.base_moves,
        target.conversations,
    )


def _merge(
    hand: WeeklyTarget | None,
    paced: WeekTargets | None,
    goal: Goal | None,
    week: WeekWindow,
) -> tuple[WeekTargets, str]:
    kind = GoalKind(goal.kind) if goal else GoalKind.REVENUE
    plan = paced or WeekTargets(sales_kind=kind)
    by_hand: dict[str, float | int] = {}
    if hand is not None:
        if hand.sales is not None:
            by_hand["sales"] = hand.sales / 100 if kind is GoalKind.REVENUE else hand.sales
        if hand.base_moves is not None:
            by_hand["base_moves"] = hand.base_moves
        if hand.conversations is not None:
            by_hand["conversations"] = hand.conversations
    targets = WeekTargets(
        sales=by_hand.get("sales", plan.sales),
        sales_kind=kind,
        base_moves=int(by_hand["base_moves"]) if "base_moves" in by_hand else plan.base_moves,
        conversations=(
            int(by_hand["conversations"]) if "conversations" in by_hand else plan.conversations
        ),
    )
    return targets, _source_words(by_hand, paced, goal, week, targets)


def _source_words(
    by_hand: dict[str, float | int],
    paced: WeekTargets | None,
    goal: Goal | None,
    week: WeekWindow,
    targets: WeekTargets,
) -> str:
    names = {"sales": "sales", "base_moves": "base moves", "conversations": "conversations"}
    parts = []
    if len(by_hand) == 3:
        return "All three targets were set by hand for this week."
    if by_hand:
        hand_names = " and ".join(names[k] for k in by_hand)
        parts.append(f"The {hand_names} target{'s' if len(by_hand) > 1 else ''} set by hand")
    if goal is not None and paced is not None:
        began = week.start_date.strftime("%a %d %b")
        rest = "the other targets" if by_hand else "Targets"
        parts.append(
            f"{rest} follow your behaviour plan for the {goal_name(goal)} at the pace it "
            f"needed when the week began ({began})"
        )
    elif not by_hand:
        return (
            "No goal covers this week and no targets were set by hand, so the lines have "
            "no yes or no. Set a goal, or set this week's targets by hand."
        )
    text = "; ".join(parts) + "."
    text = text[0].upper() + text[1:]
    if None in (targets.sales, targets.base_moves, targets.conversations):
        text += " A line without a target lacks a rate the plan needs: see the behaviour plan."
    return text


def week_sales_kind(
    db: Session, actor: Actor, week: str, *, now: datetime | None = None
) -> GoalKind:
    """Whether your sales target for a week is money or units: the kind of its goal."""
    window = user_week(actor.user, week, now or utcnow())
    goals = _goals_by_owner(db, {actor.id}, [(actor.user, window)]).get(actor.id, [])
    goal = _driving_goal(goals, window)
    return GoalKind(goal.kind) if goal else GoalKind.REVENUE


def get_week_targets(
    db: Session, actor: Actor, week: str, *, now: datetime | None = None
) -> WeeklyTarget | None:
    label = user_week(actor.user, week, now or utcnow()).label
    return db.scalar(
        select(WeeklyTarget).where(WeeklyTarget.owner_id == actor.id, WeeklyTarget.week == label)
    )


def set_week_targets(
    db: Session,
    actor: Actor,
    week: str,
    data: WeekTargetsInput,
    *,
    now: datetime | None = None,
) -> WeeklyTarget | None:
    """Set your own targets for a week by hand; all three empty goes back to the plan's."""
    now = now or utcnow()
    window = user_week(actor.user, week, now)
    existing = get_week_targets(db, actor, window.label, now=now)
    if data.sales is None and data.base_moves is None and data.conversations is None:
        if existing is not None:
            db.delete(existing)
            db.flush()
        return None
    sales = None
    if data.sales is not None:
        if week_sales_kind(db, actor, window.label, now=now) is GoalKind.UNITS:
            if data.sales != data.sales.to_integral_value():
                raise Invalid.on("sales", "This week's goal counts units: give a whole number.")
            sales = int(data.sales)
        else:
            sales = int(data.sales * 100)
    target = existing or WeeklyTarget(owner_id=actor.id, week=window.label)
    target.sales, target.base_moves, target.conversations = (
        sales,
        data.base_moves,
        data.conversations,
    )
    db.add(target)
    db.flush()
    return target
