"""The behaviour plan walks a goal back through the rep's funnel, visibly and safely."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, timedelta

import pytest
from funnel_examples import TEAM, histories, history, priors
from hypothesis import given
from hypothesis import strategies as st

from aimfire.domain.behaviour_plan import (
    BehaviourPlan,
    ChannelMinutes,
    ConflictCode,
    Goal,
    GoalKind,
    WorkWeek,
    build_plan,
    check_goal_overlaps,
)
from aimfire.domain.funnel_rates import (
    DEFAULT_PRIORS,
    FunnelHistory,
    FunnelRates,
    PriorRates,
    compute_rates,
)

YEAR_2025 = (date(2025, 1, 1), date(2025, 12, 31))
MON_TO_FRI = WorkWeek(selling_hours_per_week=25)
FOUR_MIN_CALLS = ChannelMinutes(minutes_per_attempt=4, minutes_per_meeting=60)


def revenue_goal(amount: float, start: date = YEAR_2025[0], end: date = YEAR_2025[1]) -> Goal:
    return Goal(amount=amount, kind=GoalKind.REVENUE, start=start, end=end)


def plan_for(
    amount: float,
    rates: FunnelRates | None = None,
    *,
    today: date = date(2025, 1, 1),
    work_week: WorkWeek = MON_TO_FRI,
) -> BehaviourPlan:
    rates = rates or compute_rates(history(), TEAM)
    return build_plan(revenue_goal(amount), rates, work_week, FOUR_MIN_CALLS, today=today)


def stage_totals(plan: BehaviourPlan) -> list[int | None]:
    return [stage.period for stage in plan.stages]


def codes(plan: BehaviourPlan) -> list[ConflictCode]:
    return [conflict.code for conflict in plan.conflicts]


goal_amounts = st.floats(min_value=0, max_value=1e8, allow_nan=False, allow_infinity=False)
days_in_2025 = st.dates(min_value=date(2024, 12, 1), max_value=date(2026, 1, 31))


# --- the plan ----------------------------------------------------------------------------


def test_the_plan_walks_the_funnel_back_from_the_goal() -> None:
    plan = plan_for(100_000)
    # 10 sales / 0.25 = 40 proposals / 0.5 = 80 meetings / 0.2 = 400 conversations / 0.3
    assert stage_totals(plan) == [10, 40, 80, 400, 1334]
    assert plan.conflicts == ()


def test_float_noise_never_adds_an_extra_unit() -> None:
    rates = compute_rates(history(won_count=9, won_value=90_000, proposals=30), TEAM)  # 0.3
    plan = plan_for(30_000, rates)
    assert plan.sales.period == 3
    assert plan.proposals.period == 10


def test_per_week_and_per_day_targets_are_ceilings_of_the_period_total() -> None:
    plan = plan_for(100_000, today=date(2025, 12, 1))  # 23 working days left, 4.6 weeks
    assert plan.working_days == 23
    assert plan.weeks == pytest.approx(4.6)
    assert (plan.sales.per_week, plan.sales.per_day) == (math.ceil(10 / 4.6), 1)
    assert (plan.attempts.per_week, plan.attempts.per_day) == (290, 58)


def test_hours_per_week_come_from_attempts_and_meetings_at_their_minutes() -> None:
    plan = plan_for(100_000)  # 261 working days in 2025
    expected = (1334 * 4 + 80 * 60) / 60 / (261 / 5)
    assert plan.hours_per_week == pytest.approx(expected)


def test_needing_more_hours_than_available_is_a_conflict_that_gives_the_numbers() -> None:
    plan = plan_for(1_000_000, work_week=WorkWeek(selling_hours_per_week=10))
    assert codes(plan) == [ConflictCode.HOURS_EXCEED_CAPACITY]
    message = plan.conflicts[0].message
    assert "selling hours a week (13,334 attempts and 800 meetings over 52.2 weeks)" in message
    assert "only 10 are available" in message


def test_an_unknown_rate_is_a_conflict_and_the_stages_it_feeds_are_none() -> None:
    no_close_history = replace(TEAM, close_rate=None)
    plan = plan_for(100_000, compute_rates(history(), no_close_history))
    assert codes(plan) == [ConflictCode.RATE_UNKNOWN]
    assert plan.conflicts[0].message.startswith("You have logged no proposals in the last 180")
    assert stage_totals(plan) == [10, None, None, None, None]
    assert plan.attempts.per_week is None
    assert plan.hours_per_week is None


def test_a_zero_rate_is_a_conflict_and_nothing_is_divided_by_zero() -> None:
    rates = compute_rates(history(meetings=0, conversations=40), TEAM)
    plan = plan_for(100_000, rates)
    assert codes(plan) == [ConflictCode.RATE_ZERO]
    assert plan.conflicts[0].message == (
        "The meeting rate is zero (over your 40 connected conversations), so no number of "
        "connected conversations reaches the goal; find out what stops them converting, or "
        "set a team rate."
    )
    assert stage_totals(plan) == [10, 40, 80, None, None]


def test_every_missing_rate_is_reported_at_once() -> None:
    plan = plan_for(100_000, compute_rates(history(), PriorRates()))
    assert codes(plan) == [ConflictCode.RATE_UNKNOWN] * 5
    subjects = [conflict.subject for conflict in plan.conflicts]
    assert subjects == [
        "average_deal_size",
        "close_rate",
        "proposal_rate",
        "meeting_rate",
        "connect_rate",
    ]


def test_a_goal_already_reached_needs_nothing_even_without_rates() -> None:
    goal = revenue_goal(50_000)
    rates = compute_rates(history(), PriorRates())
    plan = build_plan(
        goal, rates, MON_TO_FRI, FOUR_MIN_CALLS, today=date(2025, 6, 2), achieved=60_000
    )
    assert stage_totals(plan) == [0, 0, 0, 0, 0]
    assert plan.conflicts == ()
    assert plan.hours_per_week == 0


def test_what_was_already_achieved_is_left_out_of_the_plan() -> None:
    goal = revenue_goal(100_000)
    rates = compute_rates(history(), TEAM)
    plan = build_plan(
        goal, rates, MON_TO_FRI, FOUR_MIN_CALLS, today=date(2025, 7, 1), achieved=70_000
    )
    assert plan.remaining_amount == 30_000
    assert plan.sales.period == 3


def test_a_goal_whose_period_has_ended_is_a_period_over_conflict() -> None:
    plan = plan_for(100_000, today=date(2026, 1, 5))
    assert codes(plan) == [ConflictCode.PERIOD_OVER]
    assert "ended on 2025-12-31" in plan.conflicts[0].message
    assert plan.sales.per_week is None
    assert plan.amount_per_week is None


def test_a_period_with_no_working_days_left_is_a_period_over_conflict() -> None:
    weekend = revenue_goal(1_000, start=date(2025, 6, 7), end=date(2025, 6, 8))
    plan = build_plan(
        weekend, compute_rates(history(), TEAM), MON_TO_FRI, FOUR_MIN_CALLS, today=date(2025, 6, 1)
    )
    assert codes(plan) == [ConflictCode.PERIOD_OVER]
    assert "has no working days from 2025-06-07" in plan.conflicts[0].message


def test_the_plan_covers_the_working_days_from_today_or_from_a_later_start() -> None:
    assert plan_for(100_000, today=date(2025, 12, 29)).plan_start == date(2025, 12, 29)
    assert plan_for(100_000, today=date(2025, 12, 29)).working_days == 3
    assert plan_for(100_000, today=date(2024, 11, 1)).plan_start == date(2025, 1, 1)


def test_a_units_goal_is_divided_by_units_per_sale() -> None:
    goal = Goal(amount=120, kind="units", start=YEAR_2025[0], end=YEAR_2025[1])  # type: ignore[arg-type]
    rates = compute_rates(history(won_count=25, won_units=100), TEAM)  # 4 units a sale
    plan = build_plan(goal, rates, MON_TO_FRI, FOUR_MIN_CALLS, today=date(2025, 1, 1))
    assert plan.sales.period == 30


def test_a_units_goal_without_units_history_counts_one_unit_per_sale_and_says_so() -> None:
    goal = Goal(amount=120, kind=GoalKind.UNITS, start=YEAR_2025[0], end=YEAR_2025[1])
    plan = build_plan(
        goal, compute_rates(history(), TEAM), MON_TO_FRI, FOUR_MIN_CALLS, today=date(2025, 1, 1)
    )
    assert plan.sales.period == 120
    assert plan.notes == ("Units per sale are unknown, so each sale is counted as one unit.",)


def test_holidays_and_non_working_weekdays_are_not_working_days() -> None:
    week = WorkWeek(20, working_weekdays={0, 1, 2, 3}, holidays={date(2025, 4, 21)})  # type: ignore[arg-type]
    assert week.working_days_between(date(2025, 4, 21), date(2025, 4, 27)) == 3


@given(
    start=days_in_2025, length=st.integers(-3, 800), weekdays=st.sets(st.integers(0, 6), min_size=1)
)
def test_working_days_match_a_day_by_day_count(
    start: date, length: int, weekdays: set[int]
) -> None:
    end = start + timedelta(days=length)
    week = WorkWeek(20, working_weekdays=frozenset(weekdays))
    by_hand = sum(
        (start + timedelta(days=i)).weekday() in weekdays for i in range(max(length + 1, 0))
    )
    assert week.working_days_between(start, end) == by_hand


def test_per_channel_minutes_blend_by_each_channels_share_of_attempts() -> None:
    minutes = ChannelMinutes.from_channel_mix(
        {"phone": 5, "email": 2}, {"phone": 3, "email": 1}, 45
    )
    assert minutes.minutes_per_attempt == pytest.approx(4.25)
    with pytest.raises(ValueError, match="needs minutes"):
        ChannelMinutes.from_channel_mix({"phone": 5}, {"video": 1}, 45)


def test_a_goal_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        revenue_goal(1, start=date(2025, 2, 1), end=date(2025, 1, 1))


def test_a_plan_serialises_to_json() -> None:
    as_json = json.dumps(plan_for(100_000).to_dict(), allow_nan=False)
    assert '"plan_start": "2025-01-01"' in as_json
    assert '"source": "prior"' in as_json


@given(funnel=histories, prior=priors, amount=goal_amounts, today=days_in_2025)
def test_any_non_negative_history_gives_whole_numbers_or_none_never_inf_or_nan(
    funnel: FunnelHistory, prior: PriorRates, amount: float, today: date
) -> None:
    plan = plan_for(amount, compute_rates(funnel, prior), today=today)
    for stage in plan.stages:
        for value in (stage.period, stage.per_week, stage.per_day):
            assert value is None or (isinstance(value, int) and value >= 0)
    assert plan.hours_per_week is None or math.isfinite(plan.hours_per_week)
    json.dumps(plan.to_dict(), allow_nan=False)  # raises on inf or NaN anywhere


@given(funnel=histories, prior=priors, amount=goal_amounts)
def test_each_stage_is_rounded_up_so_it_is_always_enough_for_the_next(
    funnel: FunnelHistory, prior: PriorRates, amount: float
) -> None:
    rates = compute_rates(funnel, prior)
    plan = plan_for(amount, rates)
    pairs = [
        (plan.sales.period, rates.close.value, plan.proposals.period),
        (plan.proposals.period, rates.proposal.value, plan.meetings.period),
        (plan.meetings.period, rates.meeting.value, plan.conversations.period),
        (plan.conversations.period, rates.connect.value, plan.attempts.period),
    ]
    for need, rate, supply in pairs:
        if need is None or supply is None or need == 0:
            continue
        assert rate is not None
        assert supply * rate >= need * (1 - 1e-12)  # enough
        assert supply == 1 or (supply - 1) * rate < need * (1 + 1e-12)  # and not more


@given(funnel=histories, prior=priors, low=goal_amounts, high=goal_amounts, today=days_in_2025)
def test_targets_never_decrease_when_the_goal_rises(
    funnel: FunnelHistory, prior: PriorRates, low: float, high: float, today: date
) -> None:
    low, high = sorted((low, high))
    rates = compute_rates(funnel, prior)
    smaller, larger = plan_for(low, rates, today=today), plan_for(high, rates, today=today)
    for small, large in zip(smaller.stages, larger.stages, strict=True):
        for a, b in ((small.period, large.period), (small.per_week, large.per_week)):
            assert a is None or b is None or a <= b
        assert small.per_day is None or large.per_day is None or small.per_day <= large.per_day
    if smaller.hours_per_week is not None and larger.hours_per_week is not None:
        assert smaller.hours_per_week <= larger.hours_per_week


@given(
    total=st.integers(0, 10**6), working_days=st.integers(1, 400), days_per_week=st.integers(1, 7)
)
def test_per_week_and_per_day_are_ceilings_and_never_zero_when_work_remains(
    total: int, working_days: int, days_per_week: int
) -> None:
    week = WorkWeek(40, working_weekdays=frozenset(range(days_per_week)))
    start = date(2025, 1, 6)  # a Monday, so each week holds exactly `days_per_week` days
    end = start + timedelta(
        days=7 * ((working_days - 1) // days_per_week) + (working_days - 1) % days_per_week
    )
    assert week.working_days_between(start, end) == working_days
    rates = compute_rates(history(), PriorRates(average_deal_size=1, close_rate=1))
    goal = revenue_goal(total, start=start, end=end)
    sales = build_plan(goal, rates, week, FOUR_MIN_CALLS, today=start).sales
    assert sales.period == total
    assert sales.per_day is not None and sales.per_week is not None
    assert sales.per_day * working_days >= total > (sales.per_day - 1) * working_days
    # per week = total / weeks with weeks = working_days / days_per_week, in whole numbers
    assert sales.per_week * working_days >= total * days_per_week
    assert total == 0 or (sales.per_week - 1) * working_days < total * days_per_week
    assert total == 0 or (sales.per_week > 0 and sales.per_day > 0)


# --- overlapping goals -------------------------------------------------------------------


def test_overlapping_goals_that_together_need_more_than_capacity_conflict() -> None:
    rates = compute_rates(history(), TEAM)
    year = build_plan(
        replace(revenue_goal(600_000), label="2025 revenue"),
        rates,
        MON_TO_FRI,
        FOUR_MIN_CALLS,
        today=date(2025, 1, 1),
    )
    summer = build_plan(
        Goal(100_000, GoalKind.REVENUE, date(2025, 6, 1), date(2025, 8, 31), "Summer push"),
        rates,
        MON_TO_FRI,
        FOUR_MIN_CALLS,
        today=date(2025, 1, 1),
    )
    assert year.hours_per_week is not None and summer.hours_per_week is not None
    assert (
        year.hours_per_week < 25
        and summer.hours_per_week < 25 < year.hours_per_week + summer.hours_per_week
    )
    conflicts = check_goal_overlaps([year, summer], MON_TO_FRI)
    assert [c.code for c in conflicts] == [ConflictCode.OVERLAPPING_GOALS_CONFLICT]
    assert conflicts[0].message.startswith(
        'From 2025-06-01 to 2025-08-31 "2025 revenue" and "Summer push" together need about'
    )
    assert "only 25 are available, so they cannot all be met" in conflicts[0].message


def test_overlapping_goals_within_capacity_do_not_conflict() -> None:
    rates = compute_rates(history(), TEAM)
    first = build_plan(
        revenue_goal(100_000), rates, MON_TO_FRI, FOUR_MIN_CALLS, today=date(2025, 1, 1)
    )
    second = build_plan(
        revenue_goal(50_000), rates, MON_TO_FRI, FOUR_MIN_CALLS, today=date(2025, 1, 1)
    )
    assert check_goal_overlaps([first, second], MON_TO_FRI) == []


def test_goals_that_do_not_overlap_never_conflict_however_heavy() -> None:
    rates = compute_rates(history(), TEAM)
    heavy = WorkWeek(selling_hours_per_week=1)
    first_half = revenue_goal(900_000, start=date(2025, 1, 1), end=date(2025, 6, 30))
    second_half = revenue_goal(900_000, start=date(2025, 7, 1), end=date(2025, 12, 31))
    plans = [
        build_plan(goal, rates, heavy, FOUR_MIN_CALLS, today=date(2025, 1, 1))
        for goal in (first_half, second_half)
    ]
    assert all(ConflictCode.HOURS_EXCEED_CAPACITY in codes(plan) for plan in plans)
    assert check_goal_overlaps(plans, heavy) == []


def test_a_near_zero_deal_size_is_explained_instead_of_overflowing() -> None:
    rates = compute_rates(history(won_count=30, won_value=1e-6), DEFAULT_PRIORS)
    plan = plan_for(1_000_000, rates)
    assert codes(plan) == [ConflictCode.HOURS_EXCEED_CAPACITY]
    assert plan.conflicts[0].message.startswith(
        "With the average deal size at 3.33e-08, the goal needs more than a trillion won deals"
    )
    assert stage_totals(plan) == [None, None, None, None, None]
