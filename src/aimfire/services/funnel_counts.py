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
the rep's calendar. Every other query maps (owner, instant) to the span it falls in with one
CASE expression and lets the database group by it, so a book is counted with one query per
kind of event, however many reps or weeks are asked for. Spans of one owner must not overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from aimfire.domain.interactions import CommitmentStatus, Party
from aimfire.domain.pipeline import StageOutcome
from aimfire.store import rep_days
from aimfire.store.models import Commitment, Deal, DealStageChange, PipelineStage, RepDay

Column = QueryableAttribute[Any]


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


def _which_span(spans: Sequence[Span], owner: Column, when: Column) -> ColumnElement[Any]:
    branches = [
        (and_(owner == s.owner_id, when >= s.start_utc, when < s.end_utc), literal(i))
        for i, s in enumerate(spans)
    ]
    return case(*branches, else_=None)


def _which_day_span(spans: Sequence[Span], owner: Column, day: Column) -> ColumnElement[Any]:
    branches = [
        (and_(owner == s.owner_id, day >= s.first_day, day <= s.last_day), literal(i))
        for i, s in enumerate(spans)
    ]
    return case(*branches, else_=None)


def _within(spans: Sequence[Span], owner: Column, when: Column) -> ColumnElement[bool]:
    """A coarse filter the indexes can use before the CASE picks the span."""
    return and_(
        owner.in_({s.owner_id for s in spans}),
        when >= min(s.start_utc for s in spans),
        when < max(s.end_utc for s in spans),
    )


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
    won = (
        select(
            _which_span(spans, Deal.owner_id, Deal.closed_at).label("span"),
            Deal.value_cents,
        )
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(PipelineStage.outcome == StageOutcome.WON)
        .where(_within(spans, Deal.owner_id, Deal.closed_at))
        .subquery()
    )
    grouped = (
        select(won.c.span, func.count(), func.coalesce(func.sum(won.c.value_cents), 0))
        .where(won.c.span.is_not(None))
        .group_by(won.c.span)
    )
    for span, n, value in db.execute(grouped):
        counts[span].won_count = n
        counts[span].won_value_cents = int(value)


def _count_proposals(db: Session, spans: Sequence[Span], counts: list[SpanCounts]) -> None:
    sent = (
        select(_which_day_span(spans, Deal.owner_id, Deal.proposal_sent_on).label("span"))
        .where(Deal.owner_id.in_({s.owner_id for s in spans}))
        .where(Deal.proposal_sent_on >= min(s.first_day for s in spans))
        .where(Deal.proposal_sent_on <= max(s.last_day for s in spans))
        .subquery()
    )
    grouped = select(sent.c.span, func.count()).where(sent.c.span.is_not(None))
    for span, n in db.execute(grouped.group_by(sent.c.span)):
        counts[span].proposals = n


def _count_stage_advances(db: Session, spans: Sequence[Span], counts: list[SpanCounts]) -> None:
    left, entered = aliased(PipelineStage), aliased(PipelineStage)
    moves = (
        select(
            _which_span(spans, DealStageChange.owner_id, DealStageChange.changed_at).label("span")
        )
        .join(left, left.id == DealStageChange.from_stage_id)
        .join(entered, entered.id == DealStageChange.to_stage_id)
        .where(entered.position > left.position)
        .where(entered.outcome.in_((StageOutcome.OPEN, StageOutcome.WON)))
        .where(_within(spans, DealStageChange.owner_id, DealStageChange.changed_at))
        .subquery()
    )
    grouped = select(moves.c.span, func.count()).where(moves.c.span.is_not(None))
    for span, n in db.execute(grouped.group_by(moves.c.span)):
        counts[span].stage_advances = n


def _count_promises(db: Session, spans: Sequence[Span], counts: list[SpanCounts]) -> None:
    resolved = (
        select(
            _which_span(spans, Commitment.owner_id, Commitment.resolved_at).label("span"),
            Commitment.status,
        )
        .where(Commitment.party == Party.PROSPECT)
        .where(Commitment.status.in_((CommitmentStatus.KEPT, CommitmentStatus.BROKEN)))
        .where(_within(spans, Commitment.owner_id, Commitment.resolved_at))
        .subquery()
    )
    grouped = (
        select(resolved.c.span, resolved.c.status, func.count())
        .where(resolved.c.span.is_not(None))
        .group_by(resolved.c.span, resolved.c.status)
    )
    for span, status, n in db.execute(grouped):
        if status == CommitmentStatus.KEPT:
            counts[span].promises_kept = n
        else:
            counts[span].promises_broken = n


@dataclass(frozen=True, slots=True)
class Range:
    owner_id: int
    start_utc: datetime
    end_utc: datetime  # exclusive


def won_in_ranges(db: Session, ranges: Sequence[Range]) -> list[tuple[int, int]]:
    """(won deals, won value in cents) for each range, in one query; ranges may overlap."""
    if not ranges:
        return []
    columns = []
    for r in ranges:
        inside = and_(
            Deal.owner_id == r.owner_id, Deal.closed_at >= r.start_utc, Deal.closed_at < r.end_utc
        )
        columns.append(func.coalesce(func.sum(case((inside, 1), else_=0)), 0))
        columns.append(func.coalesce(func.sum(case((inside, Deal.value_cents), else_=0)), 0))
    query = (
        select(*columns)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(PipelineStage.outcome == StageOutcome.WON)
        .where(Deal.owner_id.in_({r.owner_id for r in ranges}))
        .where(Deal.closed_at >= min(r.start_utc for r in ranges))
        .where(Deal.closed_at < max(r.end_utc for r in ranges))
    )
    row = db.execute(query).one()
    return [(int(row[2 * i]), int(row[2 * i + 1])) for i in range(len(ranges))]
