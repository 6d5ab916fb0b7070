"""Weekly scorecard: the week's window in the rep's time zone, and the week's numbers.

Quantity first: three yes/no lines (sales, base moves, conversations) against targets,
then the rates and conversation-quality averages that say how well the week went.
Pure arithmetic, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aimfire.domain.behaviour_plan import BehaviourPlan, GoalKind
from aimfire.domain.funnel_rates import JsonDataclass

QUALITY_FACTORS = (
    "tonality",
    "emotional_engagement",
    "business_relevance",
    "personal_relevance",
    "depth_of_engagement",
)
PARTLY_MET_WEIGHT = 0.5
"""An objective met "partly" counts as half a hit in the objective hit rate."""

_WEEK_LABEL = re.compile(r"([0-9]{4})-W([0-9]{2})")


@dataclass(frozen=True)
class WeekWindow(JsonDataclass):
    """One week in local dates and the UTC instants that bound it (end exclusive)."""

    label: str  # "2024-W13"
    week_start: int  # 0 = Monday .. 6 = Sunday
    timezone: str
    start_date: date
    end_date: date  # the last local day, inclusive
    start_utc: datetime
    end_utc: datetime

    @property
    def hours(self) -> float:
        """168, or 167 / 169 for a week in which the clocks change."""
        return (self.end_utc - self.start_utc).total_seconds() / 3600

    def contains(self, instant: datetime) -> bool:
        if instant.tzinfo is None:
            raise ValueError("compare aware datetimes only; a naive time has no place in a week")
        return self.start_utc <= instant < self.end_utc


def week_bounds(
    iso_week: str | None, *, today: date, week_start: int = 0, tz: ZoneInfo
) -> WeekWindow:
    """The week labelled `iso_week` ("YYYY-Www"), or the week containing `today`.

    With weeks starting on Monday the label is the ISO week. With another start day, the
    week labelled YYYY-Www starts on that weekday on or before the ISO Monday of YYYY-Www
    (a Sunday-start "2024-W14" runs Sunday 31 March to Saturday 6 April 2024), so every
    label names exactly one week and every day falls in exactly one labelled week.
    """
    if not (isinstance(week_start, int) and 0 <= week_start <= 6):
        raise ValueError(f"week_start must be 0 (Monday) to 6 (Sunday), got {week_start!r}")
    monday = None if iso_week is None else _iso_monday(iso_week)
    try:
        if monday is None:
            first = today - timedelta(days=(today.weekday() - week_start) % 7)
        else:
            first = monday - timedelta(days=_days_before_monday(week_start))
        return _window(first, week_start, tz)
    except OverflowError as error:
        raise ValueError(f"week {iso_week or today} lies outside the supported dates") from error


def _days_before_monday(week_start: int) -> int:
    """How many days a week starting on `week_start` begins before its ISO Monday."""
    return (0 - week_start) % 7


def _iso_monday(iso_week: str) -> date:
    match = _WEEK_LABEL.fullmatch(iso_week) if isinstance(iso_week, str) else None
    if match is None:
        raise ValueError(
            f"week must look like 2024-W07 (year, 'W', two-digit week), not {iso_week!r}"
        )
    year, week = int(match[1]), int(match[2])
    if year < 1:
        raise ValueError(f"{iso_week!r} has no year 0000")
    weeks_in_year = date(year, 12, 28).isocalendar().week  # 28 December is always in the last week
    if not 1 <= week <= weeks_in_year:
        raise ValueError(
            f"{iso_week!r} does not exist: ISO year {year} has weeks 01 to {weeks_in_year}"
        )
    return date.fromisocalendar(year, week, 1)


def _window(first: date, week_start: int, tz: ZoneInfo) -> WeekWindow:
    monday = first + timedelta(days=_days_before_monday(week_start))
    year, week, _ = monday.isocalendar()
    return WeekWindow(
        label=f"{year:04d}-W{week:02d}",
        week_start=week_start,
        timezone=tz.key,
        start_date=first,
        end_date=first + timedelta(days=6),
        start_utc=_local_midnight_utc(first, tz),
        end_utc=_local_midnight_utc(first + timedelta(days=7), tz),
    )


def _local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of `day` in `tz`, as UTC.

    Where the clocks jump over midnight, 00:00 does not exist; fold=0 reads it with the
    offset from before the jump, which lands on the first instant that does exist. Where
    midnight happens twice, fold=0 picks the earlier one. Either way weeks adjoin exactly.
    """
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class WeekCounts(JsonDataclass):
    """What happened in one week, counted by the caller."""

    won_value: float = 0.0
    won_units: int = 0
    meetings_set: int = 0  # interactions that ended in an advance (most often a meeting set)
    stage_advances: int = 0  # deals moved forward a pipeline stage
    connected_conversations: int = 0
    objectives_met: int = 0
    objectives_partly_met: int = 0
    objectives_missed: int = 0
    prospect_promises_kept: int = 0
    prospect_promises_broken: int = 0
    # Factor -> rating -> how many times it was given: a week of a busy book holds tens of
    # thousands of ratings, and a tally is all an average needs.
    quality_ratings: Mapping[str, Mapping[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name != "quality_ratings" and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a non-negative number, got {value!r}")
        unknown = set(self.quality_ratings) - set(QUALITY_FACTORS)
        if unknown:
            raise ValueError(f"unknown quality factor(s): {', '.join(sorted(unknown))}")
        ratings = {k: dict(v) for k, v in self.quality_ratings.items()}  # a private copy
        if not all(
            math.isfinite(rating) and times >= 0
            for given in ratings.values()
            for rating, times in given.items()
        ):
            raise ValueError("quality ratings must be finite numbers, given zero or more times")
        object.__setattr__(self, "quality_ratings", ratings)

    @property
    def advances(self) -> int:
        return self.meetings_set + self.stage_advances


@dataclass(frozen=True)
class WeekTargets(JsonDataclass):
    """Weekly targets; None means no target, so that line gets no yes or no."""

    sales: float | None = None  # money for a revenue goal, units for a units goal
    sales_kind: GoalKind = GoalKind.REVENUE
    base_moves: int | None = None
    conversations: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sales_kind", GoalKind(self.sales_kind))


@dataclass(frozen=True)
class ScorecardLine(JsonDataclass):
    name: str
    actual: float
    target: float | None
    met: bool | None  # None when there is no target
    explanation: str


@dataclass(frozen=True)
class ScorecardRate(JsonDataclass):
    name: str
    value: float | None  # None when there was nothing to divide by
    numerator: float
    denominator: float
    explanation: str


@dataclass(frozen=True)
class QualityAverage(JsonDataclass):
    factor: str
    average: float | None  # None when nothing was rated
    ratings: int


@dataclass(frozen=True)
class Scorecard(JsonDataclass):
    lines: tuple[ScorecardLine, ...]
    rates: tuple[ScorecardRate, ...]
    quality: tuple[QualityAverage, ...]

    @property
    def all_met(self) -> bool | None:
        """Yes only when every line with a target was met; None when no line has one."""
        verdicts = [line.met for line in self.lines if line.met is not None]
        return all(verdicts) if verdicts else None


def build_scorecard(counts: WeekCounts, targets: WeekTargets) -> Scorecard:
    return Scorecard(
        lines=(
            _sales_line(counts, targets),
            _line("base_moves", counts.advances, targets.base_moves, _base_moves_words(counts)),
            _line(
                "conversations",
                counts.connected_conversations,
                targets.conversations,
                _number(counts.connected_conversations, "connected conversation"),
            ),
        ),
        rates=(_objective_hit_rate(counts), _advance_rate(counts), _promise_keeping_rate(counts)),
        quality=tuple(_quality_average(counts, factor) for factor in QUALITY_FACTORS),
    )


def _amount(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _number(n: float, noun: str) -> str:
    return f"{_amount(n)} {noun}" if n == 1 else f"{_amount(n)} {noun}s"


def _sales_line(counts: WeekCounts, targets: WeekTargets) -> ScorecardLine:
    if targets.sales_kind is GoalKind.UNITS:
        actual, words = float(counts.won_units), f"{_number(counts.won_units, 'unit')} sold"
    else:
        actual, words = counts.won_value, f"{_amount(counts.won_value)} won"
    return _line("sales", actual, targets.sales, words)


def _base_moves_words(counts: WeekCounts) -> str:
    return (
        f"{_number(counts.advances, 'base move')} "
        f"({_number(counts.meetings_set, 'advance')} logged, "
        f"{_number(counts.stage_advances, 'deal')} moved forward a stage)"
    )


def _line(name: str, actual: float, target: float | None, actual_words: str) -> ScorecardLine:
    title = name.replace("_", " ").capitalize()
    if target is None:
        return ScorecardLine(name, actual, None, None, f"{title}: {actual_words}; no target set.")
    met = actual >= target
    verdict = "yes" if met else f"no, {_amount(target - actual)} short"
    words = f"{title}: {actual_words} against a target of {_amount(target)} — {verdict}."
    return ScorecardLine(name, actual, target, met, words)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _objective_hit_rate(counts: WeekCounts) -> ScorecardRate:
    hits = counts.objectives_met + PARTLY_MET_WEIGHT * counts.objectives_partly_met
    judged = counts.objectives_met + counts.objectives_partly_met + counts.objectives_missed
    value = _ratio(hits, judged)
    if value is None:
        words = "Objective hit rate: no outcome this week has a met / partly / not-met verdict."
    else:
        words = (
            f"Objective hit rate {value:.0%}: {counts.objectives_met} met and "
            f"{counts.objectives_partly_met} partly met (each counted as half) out of "
            f"{_number(judged, 'outcome')} with a verdict."
        )
    return ScorecardRate("objective_hit_rate", value, hits, judged, words)


def _advance_rate(counts: WeekCounts) -> ScorecardRate:
    """The share of connected conversations that ended in an advance (stage moves made
    outside a conversation are base moves, but not part of this rate)."""
    advances, talks = counts.meetings_set, counts.connected_conversations
    value = _ratio(min(advances, talks), talks)
    if value is None:
        words = "Advance rate: no connected conversations this week."
    else:
        words = (
            f"Advance rate {value:.0%}: {_amount(advances)} of "
            f"{_number(talks, 'connected conversation')} ended in an advance."
        )
    return ScorecardRate("advance_rate", value, advances, talks, words)


def _promise_keeping_rate(counts: WeekCounts) -> ScorecardRate:
    kept, broken = counts.prospect_promises_kept, counts.prospect_promises_broken
    value = _ratio(kept, kept + broken)
    if value is None:
        words = "Prospect promise-keeping: no prospect promise was kept or broken this week."
    else:
        words = f"Prospect promise-keeping {value:.0%}: {kept} kept, {broken} broken."
    return ScorecardRate("promise_keeping_rate", value, kept, kept + broken, words)


def _quality_average(counts: WeekCounts, factor: str) -> QualityAverage:
    given = counts.quality_ratings.get(factor, {})
    times = sum(given.values())
    total = sum(rating * n for rating, n in given.items())
    return QualityAverage(factor, _ratio(total, times), times)


def weekly_targets_from_plan(plan: BehaviourPlan) -> WeekTargets:
    """Targets for one week at the plan's pace.

    Base moves count every meeting set and every proposal (a deal moved forward a stage),
    so their target is meetings per week plus proposals per week.
    """
    meetings, proposals = plan.meetings.per_week, plan.proposals.per_week
    return WeekTargets(
        sales=plan.amount_per_week,
        sales_kind=plan.goal.kind,
        base_moves=None if meetings is None or proposals is None else meetings + proposals,
        conversations=plan.conversations.per_week,
    )
