"""A behaviour plan told in sentences a salesperson reads in one go (page, API and CLI)."""

from __future__ import annotations

from datetime import date

from aimfire.domain.behaviour_plan import BehaviourPlan, GoalKind, StageTarget
from aimfire.domain.funnel_rates import Rate
from aimfire.domain.pipeline import format_money
from aimfire.services.behaviour_plan import GoalPlan, PlanBasis

STAGE_NOUNS = {
    "sales": ("sale", "sales"),
    "proposals": ("proposal", "proposals"),
    "meetings": ("meeting", "meetings"),
    "conversations": ("connected conversation", "connected conversations"),
    "attempts": ("attempt", "attempts"),
}


def amount_words(value: float, kind: GoalKind, currency: str) -> str:
    if kind is GoalKind.REVENUE:  # whole money: a plan is no place for cents
        return format_money(round(value) * 100, currency)
    return f"{value:,.0f} unit" + ("" if value == 1 else "s")


def count_words(n: int, stage: str) -> str:
    one, many = STAGE_NOUNS[stage]
    return f"{n:,} {one if n == 1 else many}"


def percent(value: float) -> str:
    return f"{value:.1%}" if 0 < value < 0.1 else f"{value:.0%}"


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def plan_summary(goal_plan: GoalPlan, basis: PlanBasis, currency: str) -> list[str]:
    plan, kind = goal_plan.plan, GoalKind(goal_plan.goal.kind)
    goal = plan.goal
    said = [
        f"The {goal_plan.name} is {amount_words(goal.amount, kind, currency)} "
        f"({_day(goal.start)} to {_day(goal.end)}). "
        f"{'Won' if kind is GoalKind.REVENUE else 'Sold'} so far: "
        f"{amount_words(goal_plan.achieved, kind, currency)}"
        + (" (each won deal counts as one unit)" if kind is GoalKind.UNITS else "")
        + f", so {amount_words(plan.remaining_amount, kind, currency)} is left."
    ]
    if plan.remaining_amount == 0 or plan.working_days == 0:
        return said
    start = "from today" if plan.plan_start == basis.today else f"from {_day(plan.plan_start)}"
    said.append(
        f"That leaves {plan.working_days} working days {start} "
        f"({plan.weeks:.1f} weeks of {basis.work_week.days_per_week} working days)."
    )
    said.append(_chain(plan, kind, currency))
    weekly = [count_words(s.per_week, s.stage) for s in plan.stages if s.per_week is not None]
    if weekly and plan.hours_per_week is not None:
        said.append(
            f"Per week: {', '.join(weekly[:-1])} and {weekly[-1]}, about "
            f"{plan.hours_per_week:.1f} selling hours of the "
            f"{plan.capacity_hours_per_week:g} you have."
        )
    return said


def _chain(plan: BehaviourPlan, kind: GoalKind, currency: str) -> str:
    rates = plan.rates
    first_rate = rates.average_deal_size if kind is GoalKind.REVENUE else rates.units_per_sale
    steps: list[tuple[Rate, StageTarget, str]] = [
        (first_rate, plan.sales, "average deal size" if kind is GoalKind.REVENUE else ""),
        (rates.close, plan.proposals, "close rate"),
        (rates.proposal, plan.meetings, "proposal rate"),
        (rates.meeting, plan.conversations, "meeting rate"),
        (rates.connect, plan.attempts, "connect rate"),
    ]
    parts = []
    for rate, stage, label in steps:
        if stage.period is None:
            what = label or "units per sale"
            parts.append(f"then it stops: the {what} is unknown or zero (see the conflicts)")
            break
        if label == "average deal size":
            value = format_money(round(rate.value or 0) * 100, currency)
            parts.append(
                f"at an average deal size of {value} that takes "
                f"{count_words(stage.period, stage.stage)}"
            )
        elif not label:
            parts.append(f"that takes {count_words(stage.period, stage.stage)}")
        else:
            parts.append(
                f"at a {label} of {percent(rate.value or 0)}, "
                f"{count_words(stage.period, stage.stage)}"
            )
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]
