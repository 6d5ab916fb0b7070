"""A goal covers a whole week, month or quarter: any day inside names the period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimfire.domain.goals import GoalPeriod, period_bounds, period_name

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@pytest.mark.parametrize(
    ("period", "day", "week_start", "bounds"),
    [
        (GoalPeriod.QUARTER, date(2025, 5, 14), 0, (date(2025, 4, 1), date(2025, 6, 30))),
        (GoalPeriod.QUARTER, date(2025, 12, 31), 0, (date(2025, 10, 1), date(2025, 12, 31))),
        (GoalPeriod.MONTH, date(2024, 2, 10), 0, (date(2024, 2, 1), date(2024, 2, 29))),
        (GoalPeriod.MONTH, date(2025, 12, 1), 0, (date(2025, 12, 1), date(2025, 12, 31))),
        (GoalPeriod.WEEK, date(2025, 3, 12), 0, (date(2025, 3, 10), date(2025, 3, 16))),
        (GoalPeriod.WEEK, date(2025, 3, 12), 6, (date(2025, 3, 9), date(2025, 3, 15))),
        (GoalPeriod.WEEK, date(2025, 3, 9), 6, (date(2025, 3, 9), date(2025, 3, 15))),
    ],
)
def test_the_period_around_a_day(
    period: GoalPeriod, day: date, week_start: int, bounds: tuple[date, date]
) -> None:
    assert period_bounds(period, day, week_start) == bounds


@given(day=days, period=st.sampled_from(GoalPeriod), week_start=st.integers(0, 6))
def test_every_day_lies_in_its_period_and_periods_adjoin(
    day: date, period: GoalPeriod, week_start: int
) -> None:
    first, last = period_bounds(period, day, week_start)
    assert first <= day <= last
    assert period_bounds(period, first, week_start) == (first, last)
    assert period_bounds(period, last + timedelta(days=1), week_start)[0] == last + timedelta(1)
    if period is GoalPeriod.WEEK:
        assert first.weekday() == week_start and (last - first).days == 6
    else:
        assert (
            first.day == 1 and (first.month - 1) % (3 if period is GoalPeriod.QUARTER else 1) == 0
        )


def test_a_period_reads_the_way_people_say_it() -> None:
    assert period_name(GoalPeriod.QUARTER, date(2026, 10, 1)) == "Q4 2026"
    assert period_name(GoalPeriod.MONTH, date(2026, 11, 1)) == "November 2026"
    assert period_name(GoalPeriod.WEEK, date(2026, 11, 23)) == "week of 23 Nov 2026"


def test_a_week_start_outside_monday_to_sunday_is_rejected() -> None:
    with pytest.raises(ValueError, match="week_start"):
        period_bounds(GoalPeriod.WEEK, date(2025, 1, 1), 7)
