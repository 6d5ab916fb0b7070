"""The funnel's interaction counts agree with counting the same rows by hand.

Random logged histories for two reps (in different time zones), counted over two weeks of
one rep and one of the other, and over one week of each, on both databases: every measure of
``count_spans`` (summed from the days kept by ``store.rep_days``) equals a plain Python count
of the interactions logged between the first and last instants of the span's days,
quality ratings included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from aimfire.domain.interactions import (
    MEETING_CHANNELS,
    Channel,
    ObjectiveMet,
    QualityFactor,
    Reached,
    Result,
)
from aimfire.services import funnel_counts
from aimfire.services.funnel_counts import Span, SpanCounts, count_spans
from aimfire.services.weeks import local_midnight_utc
from aimfire.store import rep_days
from aimfire.store.models import Deal, DealStageChange, Interaction, User
from health_support import NOW, closed_deal, deal, promise, stage
from support import Personas

WEEK = timedelta(days=7)
START = NOW - 2 * WEEK


@dataclass(frozen=True)
class Logged:
    rep: int  # 0: rita, 1: ben
    hours_after_start: int  # some fall outside every span
    channel: str
    reached: str | None
    result: str | None
    objective_met: str | None
    done: bool
    ratings: tuple[int | None, ...]  # one per quality factor


LOGGED = st.builds(
    Logged,
    rep=st.integers(0, 1),
    hours_after_start=st.integers(-48, 3 * 7 * 24),
    channel=st.sampled_from([c.value for c in Channel]),
    reached=st.sampled_from([None, *(r.value for r in Reached)]),
    result=st.sampled_from([None, *(r.value for r in Result)]),
    objective_met=st.sampled_from([None, *(o.value for o in ObjectiveMet)]),
    done=st.booleans(),
    ratings=st.tuples(*[st.sampled_from([None, 1, 2, 3, 4, 5])] * len(QualityFactor)),
)


def by_hand(rows: list[Logged], span: Span, rep: int) -> SpanCounts:
    expected = SpanCounts()
    for row in rows:
        when = START + timedelta(hours=row.hours_after_start)
        if not (row.done and row.rep == rep and span.start_utc <= when < span.end_utc):
            continue
        expected.attempts += 1
        channels = expected.attempts_by_channel
        channels[row.channel] = channels.get(row.channel, 0) + 1
        if row.reached == Reached.CONNECTED:
            expected.conversations += 1
            expected.meetings += row.channel in MEETING_CHANNELS
        expected.advances += row.result == Result.ADVANCE
        expected.objectives_met += row.objective_met == ObjectiveMet.YES
        expected.objectives_partly_met += row.objective_met == ObjectiveMet.PARTLY
        expected.objectives_missed += row.objective_met == ObjectiveMet.NO
        for factor, rating in zip(QualityFactor, row.ratings, strict=True):
            if rating is not None:
                given = expected.quality.setdefault(factor.value, {})
                given[rating] = given.get(rating, 0) + 1
    return expected


FIELDS = ("attempts", "conversations", "meetings", "advances", "objectives_met",
          "objectives_partly_met", "objectives_missed", "attempts_by_channel")  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(LOGGED, max_size=30))
def test_interaction_counts_match_a_count_by_hand(
    db: Session, personas: Personas, rows: list[Logged]
) -> None:
    reps = [db.get_one(User, personas.rita.id), db.get_one(User, personas.ben.id)]
    reps[1].time_zone = "Pacific/Auckland"
    db.execute(delete(Interaction))
    db.execute(delete(Deal))
    rep_days.rebuild_all(db.connection())  # the deletes above bypass the ORM
    deals = [deal(db, rep) for rep in reps]
    for row in rows:
        when = START + timedelta(hours=row.hours_after_start)
        on = deals[row.rep]
        db.add(
            Interaction(
                owner_id=on.owner_id,
                contact_id=on.contact_id,
                deal_id=on.id,
                channel=row.channel,
                reason="other",
                objective="Learn who signs off",
                scheduled_at=when - timedelta(minutes=30),
                status="done" if row.done else "planned",
                reached=row.reached if row.done else None,
                result=row.result if row.done else None,
                objective_met=row.objective_met if row.done else None,
                logged_at=when if row.done else None,
                **{f.value: r for f, r in zip(QualityFactor, row.ratings, strict=True)},
            )
        )
    db.flush()

    def span(rep: int, weeks_in: int) -> Span:
        """A week of whole days on the rep's calendar."""
        first = START.date() + weeks_in * WEEK
        last = first + WEEK - timedelta(days=1)
        user = reps[rep]
        start, end = local_midnight_utc(first, user), local_midnight_utc(last + WEEK / 7, user)
        return Span(user.id, start, end, first, last)

    # Two spans of one rep (grouped by span), and one span per rep (grouped by rep).
    for spans, owners in (([span(0, 0), span(0, 1), span(1, 1)], (0, 0, 1)),
                          ([span(1, 0), span(0, 1)], (1, 0))):  # fmt: skip
        counted = count_spans(db, spans)
        for found, each, rep in zip(counted, spans, owners, strict=True):
            expected = by_hand(rows, each, rep)
            for name in FIELDS:
                assert getattr(found, name) == getattr(expected, name), name
            assert found.quality == expected.quality
    db.rollback()


def test_events_are_counted_in_their_span_however_many_statements_the_spans_take(
    db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    rita, ben = db.get_one(User, personas.rita.id), db.get_one(User, personas.ben.id)
    forward = [("qualified", "meeting_set"), ("meeting_set", "qualified"), ("proposal", "won")]
    for weeks_in, owner in ((0, rita), (1, rita), (1, rita), (3, ben)):
        when = START + weeks_in * WEEK + timedelta(days=2)
        won = closed_deal(db, owner, closed_at=when, outcome="won", value=500)
        kept = promise(db, won, when.date(), status="kept")
        kept.resolved_at = when
        for left, entered in forward:  # two forward moves and one back
            db.add(
                DealStageChange(
                    deal_id=won.id,
                    owner_id=owner.id,
                    from_stage_id=stage(db, left).id,
                    to_stage_id=stage(db, entered).id,
                    changed_at=when,
                )
            )
    db.flush()

    def week(owner: User, weeks_in: int) -> Span:
        start = START + weeks_in * WEEK
        return Span(
            owner.id, start, start + WEEK, start.date(), (start + WEEK).date() - timedelta(days=1)
        )

    spans = [week(rita, n) for n in range(4)] + [week(ben, n) for n in range(4)]
    together = count_spans(db, spans)
    monkeypatch.setattr(funnel_counts, "SPANS_PER_QUERY", 3)  # three statements, one short
    assert count_spans(db, spans) == together
    assert [c.won_count for c in together] == [1, 2, 0, 0, 0, 0, 0, 1]
    assert [c.won_value_cents for c in together] == [50_000, 100_000, 0, 0, 0, 0, 0, 50_000]
    assert [c.promises_kept for c in together] == [1, 2, 0, 0, 0, 0, 0, 1]
    assert [c.stage_advances for c in together] == [2, 4, 0, 0, 0, 0, 0, 2]
    db.rollback()
