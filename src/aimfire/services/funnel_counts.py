"""Counting reps' logged history in SQL, for any number of reps and time spans at once.

The funnel as counted here (each count is one rep's own, inside one span of time):

- attempts: interactions logged (status done, ``logged_at`` in the span), reached or not;
- conversations: attempts that reached the person (``reached = connected``);
- meetings: connected interactions on the in-person meeting or video channel;
- proposals: the rep's deals whose ``proposal_sent_on`` falls on a day of the span;
- sales: the rep's deals now in a won stage that closed (``closed_at``) in the span, with
  their value;
- base moves: interactions logged with the result *advance*, plus forward stage moves
  (a ``DealStageChange`` from one stage to an open or won stage further along the pipeline);
- objective verdicts (met / partly / not met), prospect promises resolved in the span as
  kept or broken, and the five quality ratings (1 to 5) of logged interactions.

Interactions are summed from each rep's days (``store.rep_days``), so a span is whole days of
the rep's calendar. Every other kind of event is counted span by span, each span's count a
range of an index by owner and time, all of them in one UNION ALL statement however many reps
or weeks are asked for (``_per_span``). Spans of one owner must not overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    bindparam,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from aimfire.domain.interactions import CommitmentStatus, Party
from aimfire.domain.pipeline import StageOutcome
from aimfire.store import rep_days
from aimfire.store.models import Commitment, Deal, DealStageChange, PipelineStage, RepDay

# SQLite runs at most 500 SELECTs in one compound statement.
SPANS_PER_QUERY = 200


@dataclass(frozen=True, slots=True)
class Span:
    """One owner's stretch of time: UTC instants (end exclusive) and the local days in it."""

    owner_id: int
    start_utc: datetime
    end_utc: datetime
    first_day: date
    last_day: date


@dataclass(slots=True)
class SpanCounts:
    attempts: int = 0
    conversations: int = 0
    meetings: int = 0
    advances: int = 0
    objectives_met: int = 0
    objectives_partly_met: int = 0
    objectives_missed: int = 0
    won_count: int = 0
    won_value_cents: int = 0
    stage_advances: int = 0
    proposals: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    attempts_by_channel: dict[str, int] = field(default_factory=dict)
    quality: dict[str, dict[int, int]] = field(default_factory=dict)  # factor -> rating -> times


def count_spans(db: Session, spans: Sequence[Span], *, detail: bool = True) -> list[SpanCounts]:
    """Counts for each span, in the order given. `detail` adds stage moves, promises and
    quality ratings, which the funnel rates do not need."""
    counts = [SpanCounts() for _ in spans]
    if not spans:
        return counts
    _check_no_overlap(spans)
    _count_interactions(db, spans, counts, quality=detail)
    _count_won(db, spans, counts)
    _count_proposals(db, spans, counts)
    if detail:
        _count_stage_advances(db, spans, counts)
        _count_promises(db, spans, counts)
    return counts


def _check_no_overlap(spans: Sequence[Span]) -> None:
    by_owner: dict[int, list[Span]] = {}
    for span in spans:
        by_owner.setdefault(span.owner_id, []).append(span)
    for own in by_owner.values():
        ordered = sorted(own, key=lambda s: s.start_utc)
        if any(a.end_utc > b.start_utc for a, b in pairwise(ordered)):
            raise ValueError("spans of one owner overlap; each event must fall in one span")


# A span's owner and the bounds of its stretch of time, as a counting query takes them: the
# first instant and the end (exclusive), or the first and last day.
Bounds = tuple[int, Any, Any]
Counting = Callable[[ColumnElement[int], ColumnElement[Any], ColumnElement[Any]], Select[Any]]


def _per_span(
    db: Session, bounds: Sequence[Bounds], counting: Counting
) -> Iterator[tuple[Any, ...]]:
    """Each span's own counting query, labelled with the span's index and run together as
    one UNION ALL: each is then a range of an index by owner and time. A CASE picking the span
    of every event in the whole stretch took two to six times as long for a twelve-week
    trend, on SQLite and PostgreSQL alike."""
    for first in range(0, len(bounds), SPANS_PER_QUERY):
        chunk = bounds[first : first + SPANS_PER_QUERY]
        values: dict[str, Any] = {}
        for i, (owner, low, high) in enumerate(chunk):
            values.update({f"owner_{i}": owner, f"low_{i}": low, f"high_{i}": high})
        for *counted, i in db.execute(_union(counting, len(chunk)), values):
            yield (*counted, first + i)


@cache
def _union(counting: Counting, spans: int) -> CompoundSelect:
    """``spans`` counting queries in one UNION ALL, their bounds bound at run time: built
    once for each kind of count and number of spans, as building a twelve-week trend's
    statements took longer than running them."""
    return union_all(
        *(
            counting(
                bindparam(f"owner_{i}"), bindparam(f"low_{i}"), bindparam(f"high_{i}")
            ).add_columns(literal(i).label("span"))
            for i in range(spans)
        )
    )


def _instants(span: Span | Range) -> Bounds:
    return (span.owner_id, span.start_utc, span.end_utc)


def _count_interactions(
    db: Session, spans: Sequence[Span], counts: list[SpanCounts], *, quality: bool
) -> None:
    """Every interaction measure of each span (and, with ``quality``, how often each rating
    was given per factor), summed from the rep's days (``store.rep_days``). Counting the
    interactions themselves took a third of a second for the plan window of a large book."""
    spans_of: dict[int, list[tuple[Span, SpanCounts]]] = {}
    for span, count in zip(spans, counts, strict=True):
        spans_of.setdefault(span.owner_id, []).append((span, count))
    days = select(RepDay.__table__).where(
        RepDay.owner_id.in_(list(spans_of)),
        RepDay.day >= min(s.first_day for s in spans),
        RepDay.day <= max(s.last_day for s in spans),
    )
    for row in db.connection().execute(days):
        span_count = next(
            (c for s, c in spans_of[row.owner_id] if s.first_day <= row.day <= s.last_day), None
        )
        if span_count is not None:
            _add_day(span_count, row, quality=quality)


def _add_day(count: SpanCounts, day: Any, *, quality: bool) -> None:
    for name in rep_days.COUNTS:
        setattr(count, name, getattr(count, name) + getattr(day, name))
    for channel, n in day.by_channel.items():
        count.attempts_by_channel[channel] = count.attempts_by_channel.get(channel, 0) + n
    for factor, tally in day.quality.items() if quality else ():
        into = count.quality.setdefault(factor, {})
        for rating, n in tally.items():
            into[int(rating)] = into.get(int(rating), 0) + n


def _count_won(db: Session, spans: Sequence[Span], counts: list[SpanCounts]) -> None:
    for n, value_cents, span in _per_span(db, [_instants(s) for s in spans], _won):
        counts[span].won_count = n
        counts[span].won_value_cents = int(value_cents)


def _won(owner: Any, start: Any, end: Any) -> Select[Any]:
    return (
        select(func.count(), func.coalesce(func.sum(Deal.value_cents), 0))
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(PipelineStage.outcome == StageOutcome.WON)
        .where(Deal.owner_id == owner, Deal.closed_at >= start, Deal.closed_at < end)
    )


def _count_proposals(db: Session, spans: Sequence[Span], counts: list[SpanCounts]) -> None:
    days = [(span.owner_id, span.first_day, span.last_day) for span in spans]
    for n, span in _per_span(db, days, _proposals_sent):
        counts[span].proposals = n


def _proposals_sent(owner: Any, first_day: Any, last_day: Any) -> Select[Any]:
    return select(func.count()).where(
        Deal.owner_id == owner,
        Deal.proposal_sent_on >= first_day,
        Deal.proposal_sent_on <= last_day,
    )


def _count_stage_advances(db: Session, spans: Sequence[Span], counts: list[SpanCounts]) -> None:
    for n, span in _per_span(db, [_instants(s) for s in spans], _forward_moves):
        counts[span].stage_advances = n


_LEFT, _ENTERED = aliased(PipelineStage), aliased(PipelineStage)


def _forward_moves(owner: Any, start: Any, end: Any) -> Select[Any]:
    return (
        select(func.count())
        .select_from(DealStageChange)
        .join(_LEFT, _LEFT.id == DealStageChange.from_stage_id)
        .join(_ENTERED, _ENTERED.id == DealStageChange.to_stage_id)
        .where(_ENTERED.position > _LEFT.position)
        .where(_ENTERED.outcome.in_((StageOutcome.OPEN, StageOutcome.WON)))
        .where(
            DealStageChange.owner_id == owner,
            DealStageChange.changed_at >= start,
            DealStageChange.changed_at < end,
        )
    )


def _count_promises(db: Session, spans: Sequence[Span], counts: list[SpanCounts]) -> None:
    for status, n, span in _per_span(db, [_instants(s) for s in spans], _promises_resolved):
        if status == CommitmentStatus.KEPT:
            counts[span].promises_kept = n
        else:
            counts[span].promises_broken = n


def _promises_resolved(owner: Any, start: Any, end: Any) -> Select[Any]:
    return (
        select(Commitment.status, func.count())
        .where(Commitment.party == Party.PROSPECT)
        .where(Commitment.status.in_((CommitmentStatus.KEPT, CommitmentStatus.BROKEN)))
        .where(
            Commitment.owner_id == owner,
            Commitment.resolved_at >= start,
            Commitment.resolved_at < end,
        )
        .group_by(Commitment.status)
    )


@dataclass(frozen=True, slots=True)
class Range:
    owner_id: int
    start_utc: datetime
    end_utc: datetime  # exclusive


def won_in_ranges(db: Session, ranges: Sequence[Range]) -> list[tuple[int, int]]:
    """(won deals, won value in cents) for each range, in one query; ranges may overlap."""
    won = [(0, 0)] * len(ranges)
    for n, value_cents, i in _per_span(db, [_instants(r) for r in ranges], _won):
        won[i] = (n, int(value_cents))
    return won
