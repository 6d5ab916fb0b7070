"""Goals: how much a rep means to win in a week, a month or a quarter.

A goal's period is always a whole calendar period: any day inside it names it. A week
starts on the rep's own first day of the week; months and quarters are calendar ones.
Pure date arithmetic, no I/O.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from aimfire.domain.behaviour_plan import GoalKind

__all__ = ["PERIOD_SPECIFICITY", "GoalKind", "GoalPeriod", "period_bounds", "period_name"]


class GoalPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


PERIOD_SPECIFICITY = {GoalPeriod.WEEK: 0, GoalPeriod.MONTH: 1, GoalPeriod.QUARTER: 2}
"""Shorter periods say more about a given week: a week goal beats a month goal beats a
quarter goal when the scorecard picks which goal sets a week's targets."""


def period_bounds(period: GoalPeriod, day: date, week_start: int = 0) -> tuple[date, date]:
    """The first and last day (inclusive) of the `period` that contains `day`."""
    period = GoalPeriod(period)
    if period is GoalPeriod.WEEK:
        if not 0 <= week_start <= 6:
            raise ValueError(f"week_start must be 0 (Monday) to 6 (Sunday), got {week_start!r}")
        first = day - timedelta(days=(day.weekday() - week_start) % 7)
        return first, first + timedelta(days=6)
    months = 1 if period is GoalPeriod.MONTH else 3
    first_month = day.month if months == 1 else 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    following = first_month + months
    after = date(day.year + 1, 1, 1) if following > 12 else date(day.year, following, 1)
    return first, after - timedelta(days=1)


def period_name(period: GoalPeriod, first: date) -> str:
    """How people say the period: 'Q4 2026', 'November 2026', 'week of 23 Nov 2026'."""
    period = GoalPeriod(period)
    if period is GoalPeriod.QUARTER:
        return f"Q{(first.month - 1) // 3 + 1} {first.year}"
    if period is GoalPeriod.MONTH:
        return first.strftime("%B %Y")
    return f"week of {first.day} {first.strftime('%b %Y')}"
