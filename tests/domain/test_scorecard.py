"""The weekly scorecard: the week's exact window in local time, then yes/no on the numbers."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimfire.domain.behaviour_plan import (
    ChannelMinutes,
    Goal,
    GoalKind,
    WorkWeek,
    build_plan,
)
from aimfire.domain.funnel_rates import DEFAULT_PRIORS, FunnelHistory, PriorRates, compute_rates
from aimfire.domain.scorecard import (
    QUALITY_FACTORS,
    WeekCounts,
    WeekTargets,
    build_scorecard,
    week_bounds,
    weekly_targets_from_plan,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
MONDAY, SATURDAY, SUNDAY = 0, 5, 6
ANY_DAY = date(2024, 1, 1)

# --- week windows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "week_start", "label", "first_day", "hours"),
    [
        # Berlin springs forward on Sunday 31 March 2024 and falls back on Sunday 27 October.
        (BERLIN, MONDAY, "2024-W13", date(2024, 3, 25), 167),
        (BERLIN, SUNDAY, "2024-W14", date(2024, 3, 31), 167),
        (BERLIN, SATURDAY, "2024-W14", date(2024, 3, 30), 167),
        (BERLIN, MONDAY, "2024-W43", date(2024, 10, 21), 169),
        (BERLIN, SUNDAY, "2024-W44", date(2024, 10, 27), 169),
        (BERLIN, SATURDAY, "2024-W44", date(2024, 10, 26), 169),
        (BERLIN, MONDAY, "2024-W14", date(2024, 4, 1), 168),
        # New York springs forward on Sunday 10 March 2024 and falls back on Sunday 3 November.
        (NEW_YORK, MONDAY, "2024-W10", date(2024, 3, 4), 167),
        (NEW_YORK, SUNDAY, "2024-W11", date(2024, 3, 10), 167),
        (NEW_YORK, SATURDAY, "2024-W11", date(2024, 3, 9), 167),
        (NEW_YORK, MONDAY, "2024-W44", date(2024, 10, 28), 169),
        (NEW_YORK, SUNDAY, "2024-W45", date(2024, 11, 3), 169),
        (NEW_YORK, SATURDAY, "2024-W45", date(2024, 11, 2), 169),
        # Sydney falls back on Sunday 7 April 2024 and springs forward on Sunday 6 October.
        (SYDNEY, MONDAY, "2024-W14", date(2024, 4, 1), 169),
        (SYDNEY, SUNDAY, "2024-W15", date(2024, 4, 7), 169),
        (SYDNEY, SATURDAY, "2024-W15", date(2024, 4, 6), 169),
        (SYDNEY, MONDAY, "2024-W40", date(2024, 9, 30), 167),
        (SYDNEY, SUNDAY, "2024-W41", date(2024, 10, 6), 167),
        (SYDNEY, SATURDAY, "2024-W41", date(2024, 10, 5), 167),
    ],
)
def test_a_week_with_a_clock_change_has_167_or_169_hours(
    tz: ZoneInfo, week_start: int, label: str, first_day: date, hours: int
) -> None:
    week = week_bounds(label, today=ANY_DAY, week_start=week_start, tz=tz)
    assert (week.start_date, week.end_date) == (first_day, first_day + timedelta(days=6))
    assert week.hours == hours
    assert week.start_utc == datetime.combine(first_day, datetime.min.time(), tzinfo=tz)
    assert week.start_utc.tzinfo is UTC


def test_the_week_instants_are_local_midnights_in_utc() -> None:
    week = week_bounds("2024-W13", today=ANY_DAY, week_start=MONDAY, tz=BERLIN)
    assert week.start_utc == datetime(2024, 3, 24, 23, 0, tzinfo=UTC)  # still winter time
    assert week.end_utc == datetime(2024, 3, 31, 22, 0, tzinfo=UTC)  # already summer time


def test_a_sunday_start_week_is_labelled_by_the_iso_monday_that_follows_it() -> None:
    week = week_bounds("2024-W14", today=ANY_DAY, week_start=SUNDAY, tz=BERLIN)
    assert (week.start_date, week.end_date) == (date(2024, 3, 31), date(2024, 4, 6))
    assert week.label == "2024-W14"


def test_without_a_label_the_week_is_the_one_containing_today() -> None:
    week = week_bounds(None, today=date(2024, 3, 31), week_start=SUNDAY, tz=BERLIN)
    assert (week.label, week.start_date) == ("2024-W14", date(2024, 3, 31))
    monday_week = week_bounds(None, today=date(2024, 3, 31), week_start=MONDAY, tz=BERLIN)
    assert (monday_week.label, monday_week.start_date) == ("2024-W13", date(2024, 3, 25))


def test_a_week_starting_where_midnight_does_not_exist_starts_at_the_first_real_instant() -> None:
    santiago = ZoneInfo("America/Santiago")  # on 8 September 2024 clocks jump 00:00 -> 01:00
    week = week_bounds("2024-W37", today=ANY_DAY, week_start=SUNDAY, tz=santiago)
    previous = week_bounds("2024-W36", today=ANY_DAY, week_start=SUNDAY, tz=santiago)
    assert week.start_utc == datetime(2024, 9, 8, 4, 0, tzinfo=UTC)  # 01:00 local, -03:00
    assert previous.end_utc == week.start_utc
    assert week.hours == 167


def test_a_week_contains_its_start_but_not_its_end() -> None:
    week = week_bounds("2024-W10", today=ANY_DAY, week_start=MONDAY, tz=NEW_YORK)
    assert week.contains(week.start_utc)
    assert week.contains(week.end_utc - timedelta(microseconds=1))
    assert not week.contains(week.end_utc)
    with pytest.raises(ValueError, match="aware"):
        week.contains(week.start_utc.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("2024W01", "must look like 2024-W07"),
        ("2024-W1", "must look like 2024-W07"),
        ("2024-w01", "must look like 2024-W07"),
        ("24-W01", "must look like 2024-W07"),
        (" 2024-W01", "must look like 2024-W07"),
        ("2024-W01-1", "must look like 2024-W07"),
        ("\uff12\uff10\uff12\uff14-W01", "must look like 2024-W07"),  # full-width digits
        ("", "must look like 2024-W07"),
        ("2024-W00", "ISO year 2024 has weeks 01 to 52"),
        ("2024-W53", "ISO year 2024 has weeks 01 to 52"),
        ("2026-W54", "ISO year 2026 has weeks 01 to 53"),
        ("0000-W01", "no year 0000"),
        ("9999-W52", "outside the supported dates"),
    ],
)
def test_a_bad_week_string_is_rejected_with_a_clear_message(bad: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        week_bounds(bad, today=ANY_DAY, week_start=SUNDAY, tz=SYDNEY)


def test_a_year_with_53_iso_weeks_accepts_week_53() -> None:
    week = week_bounds("2020-W53", today=ANY_DAY, week_start=MONDAY, tz=BERLIN)
    assert (week.start_date, week.end_date) == (date(2020, 12, 28), date(2021, 1, 3))


@pytest.mark.parametrize("week_start", [-1, 7, 1.5])
def test_a_week_start_outside_monday_to_sunday_is_rejected(week_start: int) -> None:
    with pytest.raises(ValueError, match="week_start"):
        week_bounds(None, today=ANY_DAY, week_start=week_start, tz=BERLIN)


zones = st.sampled_from([BERLIN, NEW_YORK, SYDNEY, ZoneInfo("America/Santiago")])


@given(
    today=st.dates(date(1990, 1, 1), date(2040, 12, 31)),
    week_start=st.integers(0, 6),
    tz=zones,
)
def test_every_day_falls_in_exactly_one_labelled_week_that_adjoins_the_next(
    today: date, week_start: int, tz: ZoneInfo
) -> None:
    week = week_bounds(None, today=today, week_start=week_start, tz=tz)
    assert week.start_date <= today <= week.end_date
    assert week.start_date.weekday() == week_start
    assert week.hours in (167, 168, 169)
    assert week_bounds(week.label, today=ANY_DAY, week_start=week_start, tz=tz) == week
    following = week_bounds(
        None, today=week.end_date + timedelta(days=1), week_start=week_start, tz=tz
    )
    assert following.start_utc == week.end_utc
    assert following.label != week.label


# --- the scorecard -----------------------------------------------------------------------

A_WEEK = WeekCounts(
    won_value=12_000,
    meetings_set=4,
    stage_advances=2,
    connected_conversations=14,
    objectives_met=6,
    objectives_partly_met=2,
    objectives_missed=2,
    prospect_promises_kept=3,
    prospect_promises_broken=1,
    quality_ratings={"tonality": {4: 1, 5: 1, 3: 1}, "depth_of_engagement": {2: 1}},
)
TARGETS = WeekTargets(sales=10_000, base_moves=8, conversations=14)


def test_the_scorecard_has_three_yes_no_lines_with_number_against_target() -> None:
    card = build_scorecard(A_WEEK, TARGETS)
    lines = [(line.name, line.actual, line.target, line.met) for line in card.lines]
    assert lines == [
        ("sales", 12_000, 10_000, True),
        ("base_moves", 6, 8, False),
        ("conversations", 14, 14, True),
    ]
    assert card.lines[1].explanation == (
        "Base moves: 6 base moves (4 advances logged, 2 deals moved forward a stage) against a "
        "target of 8 — no, 2 short."
    )
    assert card.all_met is False


def test_a_line_without_a_target_has_no_yes_or_no() -> None:
    card = build_scorecard(A_WEEK, WeekTargets(sales=10_000))
    assert [line.met for line in card.lines] == [True, None, None]
    assert card.lines[2].explanation == "Conversations: 14 connected conversations; no target set."
    assert card.all_met is True
    assert build_scorecard(A_WEEK, WeekTargets()).all_met is None


def test_a_units_goal_scores_units_sold() -> None:
    card = build_scorecard(WeekCounts(won_units=7), WeekTargets(sales=5, sales_kind=GoalKind.UNITS))
    assert (card.lines[0].actual, card.lines[0].met) == (7, True)
    assert card.lines[0].explanation.startswith("Sales: 7 units sold against a target of 5")


def test_objective_hit_rate_counts_partly_met_as_half() -> None:
    hit_rate = build_scorecard(A_WEEK, TARGETS).rates[0]
    assert hit_rate.name == "objective_hit_rate"
    assert hit_rate.value == pytest.approx((6 + 0.5 * 2) / 10)
    assert "partly met (each counted as half)" in hit_rate.explanation


def test_advance_and_promise_keeping_rates_divide_the_right_counts() -> None:
    _, advance, promises = build_scorecard(A_WEEK, TARGETS).rates
    assert advance.value == pytest.approx(4 / 14)  # advances logged, not stage moves
    assert advance.explanation == (
        "Advance rate 29%: 4 of 14 connected conversations ended in an advance."
    )
    assert promises.value == pytest.approx(3 / 4)
    assert promises.explanation == "Prospect promise-keeping 75%: 3 kept, 1 broken."


def test_quality_averages_cover_all_five_factors_and_are_none_when_unrated() -> None:
    quality = {q.factor: q.average for q in build_scorecard(A_WEEK, TARGETS).quality}
    assert tuple(quality) == QUALITY_FACTORS
    assert quality["tonality"] == pytest.approx(4)
    assert quality["depth_of_engagement"] == 2
    assert quality["business_relevance"] is None


def test_an_empty_week_gives_none_rates_instead_of_dividing_by_zero() -> None:
    card = build_scorecard(WeekCounts(), TARGETS)
    assert [rate.value for rate in card.rates] == [None, None, None]
    assert card.rates[1].explanation == "Advance rate: no connected conversations this week."
    assert [line.met for line in card.lines] == [False, False, False]


def test_an_unknown_quality_factor_or_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown quality factor"):
        WeekCounts(quality_ratings={"charisma": {5: 1}})
    with pytest.raises(ValueError, match="quality ratings"):
        WeekCounts(quality_ratings={"tonality": {4: -1}})
    with pytest.raises(ValueError, match="meetings_set"):
        WeekCounts(meetings_set=-1)


def test_a_scorecard_serialises_to_json() -> None:
    as_json = json.dumps(build_scorecard(A_WEEK, TARGETS).to_dict(), allow_nan=False)
    assert '"name": "objective_hit_rate"' in as_json


week_counts = st.builds(
    WeekCounts,
    won_value=st.floats(0, 1e9),
    won_units=st.integers(0, 10_000),
    meetings_set=st.integers(0, 500),
    stage_advances=st.integers(0, 500),
    connected_conversations=st.integers(0, 500),
    objectives_met=st.integers(0, 500),
    objectives_partly_met=st.integers(0, 500),
    objectives_missed=st.integers(0, 500),
    prospect_promises_kept=st.integers(0, 500),
    prospect_promises_broken=st.integers(0, 500),
    quality_ratings=st.dictionaries(
        st.sampled_from(QUALITY_FACTORS), st.dictionaries(st.integers(1, 5), st.integers(0, 20))
    ),
)


@given(counts=week_counts)
def test_any_week_gives_finite_rates_in_range_or_none(counts: WeekCounts) -> None:
    card = build_scorecard(counts, TARGETS)
    hit_rate, advance, promises = card.rates
    for rate in (hit_rate, promises):
        assert rate.value is None or 0 <= rate.value <= 1
    assert advance.value is None or 0 <= advance.value <= 1
    for quality in card.quality:
        assert quality.average is None or 1 <= quality.average <= 5
    json.dumps(card.to_dict(), allow_nan=False)


# --- targets from a plan -----------------------------------------------------------------


def test_weekly_targets_come_from_the_plans_weekly_pace() -> None:
    prior = replace(DEFAULT_PRIORS, average_deal_size=10_000)
    empty = FunnelHistory(0, 0, 0, 0, 0, 0, window_days=180)
    goal = Goal(100_000, GoalKind.REVENUE, date(2025, 1, 1), date(2025, 12, 31))
    rates = compute_rates(empty, prior)
    plan = build_plan(goal, rates, WorkWeek(25), ChannelMinutes(4, 60), today=date(2025, 1, 1))
    targets = weekly_targets_from_plan(plan)
    assert targets.sales == plan.amount_per_week == math.ceil(100_000 / (261 / 5))
    assert targets.sales_kind is GoalKind.REVENUE
    assert plan.meetings.per_week is not None and plan.proposals.per_week is not None
    assert targets.base_moves == plan.meetings.per_week + plan.proposals.per_week
    assert targets.conversations == plan.conversations.per_week


def test_weekly_targets_are_none_where_the_plan_cannot_say() -> None:
    empty = FunnelHistory(0, 0, 0, 0, 0, 0, window_days=180)
    goal = Goal(100_000, GoalKind.REVENUE, date(2025, 1, 1), date(2025, 12, 31))
    rates = compute_rates(empty, PriorRates())
    plan = build_plan(goal, rates, WorkWeek(25), ChannelMinutes(4, 60), today=date(2025, 1, 1))
    targets = weekly_targets_from_plan(plan)
    assert (targets.base_moves, targets.conversations) == (None, None)
    assert build_scorecard(A_WEEK, targets).lines[2].met is None
