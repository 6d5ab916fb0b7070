"""Behaviour plan: turn a goal into weekly and daily activity through the rep's own funnel.

Pure arithmetic, no I/O. The funnel is walked backwards from the goal:
sales needed -> proposals -> meetings -> connected conversations -> attempts, each stage
divided by the rate at which it converts into the next (see `funnel_rates`) and rounded up.
Money amounts are unitless: use one unit (for example cents) for the goal and the history.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from aimfire.domain.funnel_rates import (
    MEASURES,
    FunnelRates,
    JsonDataclass,
    Rate,
    count_noun,
    require_non_negative,
)

_ROUNDING_SLACK = 1e-13
_MAX_PLANNABLE = 1e12  # a trillion of anything is no plan: a rate is near zero or the goal absurd


class GoalKind(StrEnum):
    REVENUE = "revenue"
    UNITS = "units"


class ConflictCode(StrEnum):
    HOURS_EXCEED_CAPACITY = "hours_exceed_capacity"
    RATE_UNKNOWN = "rate_unknown"
    RATE_ZERO = "rate_zero"
    PERIOD_OVER = "period_over"
    OVERLAPPING_GOALS_CONFLICT = "overlapping_goals_conflict"


@dataclass(frozen=True)
class Goal(JsonDataclass):
    amount: float  # money for a revenue goal, units for a units goal
    kind: GoalKind
    start: date
    end: date  # inclusive
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", GoalKind(self.kind))
        if not math.isfinite(self.amount) or self.amount < 0:
            raise ValueError(f"goal amount must be a non-negative number, got {self.amount!r}")
        if self.end < self.start:
            raise ValueError(f"goal ends ({self.end}) before it starts ({self.start})")

    @property
    def name(self) -> str:
        return (
            f'"{self.label}"' if self.label else f"the {self.kind} goal {self.start} to {self.end}"
        )


@dataclass(frozen=True)
class WorkWeek(JsonDataclass):
    selling_hours_per_week: float
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # 0 = Monday
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "working_weekdays", frozenset(self.working_weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if not self.working_weekdays or not self.working_weekdays <= set(range(7)):
            raise ValueError("working_weekdays must be a non-empty set of 0 (Monday) to 6")
        if not math.isfinite(self.selling_hours_per_week) or self.selling_hours_per_week < 0:
            raise ValueError("selling_hours_per_week must be a non-negative number")

    @property
    def days_per_week(self) -> int:
        return len(self.working_weekdays)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days from start to end, both included, holidays left out."""
        if end < start:
            return 0
        full_weeks, extra_days = divmod((end - start).days + 1, 7)
        count = full_weeks * self.days_per_week
        count += sum((start.weekday() + i) % 7 in self.working_weekdays for i in range(extra_days))
        count -= sum(
            start <= day <= end and day.weekday() in self.working_weekdays for day in self.holidays
        )
        return count


@dataclass(frozen=True)
class ChannelMinutes(JsonDataclass):
    minutes_per_attempt: float  # blended over the channels the rep uses
    minutes_per_meeting: float

    def __post_init__(self) -> None:
        require_non_negative(self)

    @classmethod
    def from_channel_mix(
        cls, by_channel: Mapping[str, float], share: Mapping[str, float], meeting_minutes: float
    ) -> ChannelMinutes:
        """Blend per-channel minutes per attempt by each channel's share of the attempts."""
        if not set(share) <= set(by_channel) or sum(share.values()) <= 0:
            raise ValueError("every channel with a share needs minutes, and some share must be > 0")
        blended = sum(by_channel[ch] * w for ch, w in share.items()) / sum(share.values())
        return cls(minutes_per_attempt=blended, minutes_per_meeting=meeting_minutes)


@dataclass(frozen=True)
class Conflict(JsonDataclass):
    code: ConflictCode
    message: str
    subject: str | None = None  # the rate or goal the conflict is about


@dataclass(frozen=True)
class StageTarget(JsonDataclass):
    stage: str
    period: int | None  # None when a rate it depends on is unknown or zero
    per_week: int | None
    per_day: int | None


@dataclass(frozen=True)
class BehaviourPlan(JsonDataclass):
    goal: Goal
    remaining_amount: float
    plan_start: date
    plan_end: date
    working_days: int
    weeks: float  # working days left / working days per week
    amount_per_week: int | None  # goal amount to win per week, rounded up
    sales: StageTarget
    proposals: StageTarget
    meetings: StageTarget
    conversations: StageTarget
    attempts: StageTarget
    hours_per_week: float | None
    capacity_hours_per_week: float
    rates: FunnelRates
    conflicts: tuple[Conflict, ...]
    notes: tuple[str, ...]

    @property
    def stages(self) -> tuple[StageTarget, ...]:
        return (self.sales, self.proposals, self.meetings, self.conversations, self.attempts)


def _ceil(quantity: float) -> int:
    """Round a needed quantity up; any positive need is at least one.

    Rates are ratios held as floats, so 3 sales at a 9-in-30 close rate compute as
    10.000000000000002 proposals; a relative slack of 1e-13, far above float error and far
    below one unit for any plannable number, keeps that at 10, not 11.
    """
    if not math.isfinite(quantity):
        raise ValueError("the goal needs more activity than can be represented; check the rates")
    if quantity <= 0:
        return 0
    return max(1, math.ceil(quantity - _ROUNDING_SLACK * max(1.0, quantity)))


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _rate_problem(rate: Rate) -> Conflict | None:
    if rate.value is None:
        return Conflict(ConflictCode.RATE_UNKNOWN, rate.explanation, rate.name)
    if rate.value > 0:
        return None
    m = MEASURES[rate.name]
    basis = (
        f"over your {count_noun(rate.trials, m.trial)}" if rate.trials else f"the prior {m.noun}"
    )
    advice = (
        "find out what stops them converting" if m.is_probability else "check the logged values"
    )
    message = (
        f"The {m.label} is zero ({basis}), so no number of {m.trial}s reaches the goal; "
        f"{advice}, or set a team {m.noun}."
    )
    return Conflict(ConflictCode.RATE_ZERO, message, rate.name)


def _beyond_any_capacity(rate: Rate) -> Conflict:
    m = MEASURES[rate.name]
    message = (
        f"With the {m.label} at {rate.value or 0:.3g}, the goal needs more than a trillion "
        f"{m.trial}s, far beyond any selling time; check the goal and the logged outcomes, "
        f"or set a team {m.noun}."
    )
    return Conflict(ConflictCode.HOURS_EXCEED_CAPACITY, message, rate.name)


def _divide_stage(need: float | None, rate: Rate, conflicts: list[Conflict]) -> int | None:
    """Next stage back in the funnel: need / rate, rounded up; None when it cannot be known."""
    if need == 0:
        return 0  # nothing to do, so a missing rate does not matter
    problem = _rate_problem(rate)
    if problem is None and need is not None and rate.value is not None:
        quotient = need / rate.value
        if quotient <= _MAX_PLANNABLE:
            return _ceil(quotient)
        problem = _beyond_any_capacity(rate)  # e.g. a deal size of a fraction of a cent
    if problem is not None:
        conflicts.append(problem)  # reported even below an earlier gap, so all get fixed at once
    return None


def _sales_needed(
    goal: Goal, remaining: float, rates: FunnelRates, conflicts: list[Conflict], notes: list[str]
) -> int | None:
    if goal.kind is GoalKind.REVENUE:
        return _divide_stage(remaining, rates.average_deal_size, conflicts)
    if rates.units_per_sale.value is None and remaining > 0:
        # A sale is at least one unit, so this overstates the sales needed, never understates.
        notes.append("Units per sale are unknown, so each sale is counted as one unit.")
        return _ceil(remaining)
    return _divide_stage(remaining, rates.units_per_sale, conflicts)


def _spread(stage: str, total: int | None, working_days: int, days_per_week: int) -> StageTarget:
    if total is None or working_days == 0:
        return StageTarget(stage, total, None, None)
    per_week = _ceil_div(total * days_per_week, working_days)
    return StageTarget(stage, total, per_week, _ceil_div(total, working_days))


def build_plan(
    goal: Goal,
    rates: FunnelRates,
    work_week: WorkWeek,
    channel_minutes: ChannelMinutes,
    *,
    today: date,
    achieved: float = 0.0,
) -> BehaviourPlan:
    """Plan what is left of the goal (amount - achieved) over the working days left in it.

    Per-week figures are a pace: with 3 working days left in a 5-day week, 10 attempts
    read as 17 a week. Hours per week use the unrounded totals.
    """
    start = max(today, goal.start)
    working_days = work_week.working_days_between(start, goal.end)
    weeks = working_days / work_week.days_per_week
    remaining = max(goal.amount - achieved, 0.0)
    conflicts: list[Conflict] = []
    notes: list[str] = []
    if remaining == 0:
        notes.append("The goal is already reached; nothing more is needed.")
    elif working_days == 0:
        conflicts.append(_period_over(goal, start, today))

    sales = _sales_needed(goal, remaining, rates, conflicts, notes)
    proposals = _divide_stage(sales, rates.close, conflicts)
    meetings = _divide_stage(proposals, rates.proposal, conflicts)
    conversations = _divide_stage(meetings, rates.meeting, conflicts)
    attempts = _divide_stage(conversations, rates.connect, conflicts)

    hours = None
    if working_days and attempts is not None and meetings is not None:
        minutes = attempts * channel_minutes.minutes_per_attempt
        minutes += meetings * channel_minutes.minutes_per_meeting
        hours = minutes / 60 / weeks
        if hours > work_week.selling_hours_per_week:
            conflicts.append(_over_capacity(hours, attempts, meetings, weeks, work_week))

    def spread(stage: str, total: int | None) -> StageTarget:
        return _spread(stage, total, working_days, work_week.days_per_week)

    return BehaviourPlan(
        goal=goal,
        remaining_amount=remaining,
        plan_start=start,
        plan_end=goal.end,
        working_days=working_days,
        weeks=weeks,
        amount_per_week=_ceil(remaining / weeks) if working_days else None,
        sales=spread("sales", sales),
        proposals=spread("proposals", proposals),
        meetings=spread("meetings", meetings),
        conversations=spread("conversations", conversations),
        attempts=spread("attempts", attempts),
        hours_per_week=hours,
        capacity_hours_per_week=work_week.selling_hours_per_week,
        rates=rates,
        conflicts=tuple(conflicts),
        notes=tuple(notes),
    )


def _period_over(goal: Goal, start: date, today: date) -> Conflict:
    why = f"ended on {goal.end}" if today > goal.end else f"has no working days from {start}"
    message = (
        f"The period of {goal.name} {why}, so no working days are left to plan; "
        "set a new goal or change the working days."
    )
    return Conflict(ConflictCode.PERIOD_OVER, message, goal.label or None)


def _over_capacity(
    hours: float, attempts: int, meetings: int, weeks: float, work_week: WorkWeek
) -> Conflict:
    message = (
        f"The plan needs about {hours:.1f} selling hours a week ({attempts:,} attempts and "
        f"{meetings:,} meetings over {weeks:.1f} weeks) but only "
        f"{work_week.selling_hours_per_week:g} are available; add selling time, lower the "
        "goal, or improve a rate."
    )
    return Conflict(ConflictCode.HOURS_EXCEED_CAPACITY, message)


def check_goal_overlaps(plans: Sequence[BehaviourPlan], work_week: WorkWeek) -> list[Conflict]:
    """Conflicts for every stretch where goals run together and their hours exceed capacity.

    Plans without an hours figure are skipped: they already carry their own conflicts.
    """
    active = [p for p in plans if p.hours_per_week is not None]
    cuts = sorted({p.plan_start for p in active} | {p.plan_end + timedelta(1) for p in active})
    overloaded: list[tuple[date, date, list[BehaviourPlan], float]] = []
    for first, after in pairwise(cuts):
        last = after - timedelta(1)
        members = [p for p in active if p.plan_start <= first and last <= p.plan_end]
        if len(members) < 2 or work_week.working_days_between(first, last) == 0:
            continue
        hours = sum(p.hours_per_week or 0.0 for p in members)
        if hours <= work_week.selling_hours_per_week:
            continue
        previous = overloaded[-1] if overloaded else None
        if previous and previous[2] == members and previous[1] + timedelta(1) == first:
            overloaded[-1] = (previous[0], last, members, hours)  # one stretch, one message
        else:
            overloaded.append((first, last, members, hours))
    return [_overlap_conflict(*stretch, work_week) for stretch in overloaded]


def _overlap_conflict(
    first: date, last: date, members: list[BehaviourPlan], hours: float, work_week: WorkWeek
) -> Conflict:
    names = [p.goal.name for p in members]
    joined = ", ".join(names[:-1]) + f" and {names[-1]}"
    message = (
        f"From {first} to {last} {joined} together need about {hours:.1f} selling hours a "
        f"week but only {work_week.selling_hours_per_week:g} are available, so they cannot "
        "all be met at this pace; stagger them, lower one, or add selling time."
    )
    return Conflict(ConflictCode.OVERLAPPING_GOALS_CONFLICT, message, joined)
