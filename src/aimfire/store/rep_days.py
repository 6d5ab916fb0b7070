"""Each rep's logged interactions counted per day of their calendar (``RepDay``), kept in step.

Scorecards and behaviour plans count a rep's attempts, conversations, meetings, results,
verdicts and quality ratings over weeks and a ninety-day window. Counted afresh from a large
book's million interactions, the window alone took a third of a second a page; summed from
at most ninety rows a rep, it takes a millisecond.

A day's row is always counted afresh from its interactions, never adjusted by increments, so
it cannot drift. Whenever a session flushes interactions, or a user's time zone (which decides
the day each interaction falls on), the days concerned are recounted in the same transaction
(``keep_in_step``, installed on every session factory). Writers that bypass the ORM (imports,
restore, the data generator) call ``refresh`` or ``rebuild_all`` themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from itertools import chain, product
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from aimfire.domain.interactions import (
    MEETING_CHANNELS,
    ObjectiveMet,
    QualityFactor,
    Reached,
    Result,
    Status,
)
from aimfire.store.models import Interaction, RepDay, User

RATINGS = range(1, 6)  # the quality scale; the services refuse any other rating
DAYS_PER_QUERY = 31  # days of one rep counted by one query when only some days changed
ROWS_PER_FETCH = 10_000
_STALE = "aimfire_stale_rep_days"  # session.info key: what to recount after the flush
_table = RepDay.__table__
_VERDICTS: dict[str, str] = {
    ObjectiveMet.YES: "objectives_met",
    ObjectiveMet.PARTLY: "objectives_partly_met",
    ObjectiveMet.NO: "objectives_missed",
}


@dataclass(slots=True)
class DayCount:
    """What one day's logged interactions add up to."""

    attempts: int = 0
    conversations: int = 0
    meetings: int = 0
    advances: int = 0
    objectives_met: int = 0
    objectives_partly_met: int = 0
    objectives_missed: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    quality: dict[str, dict[str, int]] = field(default_factory=dict)  # JSON keys are text

    def add(
        self,
        channel: str | None,
        reached: str | None,
        result: str | None,
        verdict: str | None,
        ratings: Iterable[tuple[str, int | None]],
    ) -> None:
        self.attempts += 1
        if reached == Reached.CONNECTED:
            self.conversations += 1
            if channel in MEETING_CHANNELS:
                self.meetings += 1
        if result == Result.ADVANCE:
            self.advances += 1
        if verdict in _VERDICTS:
            name = _VERDICTS[verdict]
            setattr(self, name, getattr(self, name) + 1)
        key = channel or "unknown"
        self.by_channel[key] = self.by_channel.get(key, 0) + 1
        for factor, rating in ratings:
            if rating in RATINGS:
                tally = self.quality.setdefault(factor, {})
                tally[str(rating)] = tally.get(str(rating), 0) + 1


# DayCount's plain counts, which a span of days adds up (by_channel and quality are tallies).
COUNTS = tuple(f.name for f in fields(DayCount) if f.type == "int")
_FACTORS = [factor.value for factor in QualityFactor]
_COUNTED = select(
    Interaction.logged_at,
    Interaction.channel,
    Interaction.reached,
    Interaction.result,
    Interaction.objective_met,
    *(Interaction.__table__.c[factor] for factor in _FACTORS),
).where(Interaction.status == Status.DONE, Interaction.logged_at.is_not(None))


def count_days(
    connection: Connection,
    owner_id: int,
    zone: ZoneInfo,
    between: tuple[datetime, datetime] | None = None,
) -> dict[date, DayCount]:
    """The owner's interactions logged ``between`` two instants (the second exclusive), or
    ever, counted by the day of the owner's calendar they were logged on."""
    query = _COUNTED.where(Interaction.owner_id == owner_id)
    if between is not None:
        query = query.where(Interaction.logged_at >= between[0], Interaction.logged_at < between[1])
    days: dict[date, DayCount] = {}
    rows = connection.execute(query.execution_options(yield_per=ROWS_PER_FETCH))
    for logged_at, channel, reached, result, verdict, *ratings in rows:
        day = logged_at.astimezone(zone).date()
        count = days.get(day)
        if count is None:
            count = days[day] = DayCount()
        count.add(channel, reached, result, verdict, zip(_FACTORS, ratings, strict=True))
    return days


def refresh(connection: Connection, owner_id: int, logged: Iterable[datetime]) -> None:
    """Recount the days of one rep these instants fall on (where the rep is now)."""
    zone = _lock(connection, owner_id)
    _recount(connection, owner_id, zone, {instant.astimezone(zone).date() for instant in logged})


def _recount(connection: Connection, owner_id: int, zone: ZoneInfo, days: Iterable[date]) -> None:
    for run in _runs(sorted(set(days))):
        connection.execute(
            delete(_table).where(_table.c.owner_id == owner_id, _table.c.day.in_(run))
        )
        between = (_midnight(run[0], zone), _midnight(run[-1] + _DAY, zone))
        counted = count_days(connection, owner_id, zone, between)
        _insert(connection, owner_id, {day: counted[day] for day in run if day in counted})


def rebuild_owner(connection: Connection, owner_id: int) -> None:
    """Recount every day of one rep: their time zone changed, or every record did."""
    zone = _lock(connection, owner_id)
    connection.execute(delete(_table).where(_table.c.owner_id == owner_id))
    _insert(connection, owner_id, count_days(connection, owner_id, zone))


def rebuild_all(connection: Connection) -> None:
    """Recount every day of every rep: after a restore or generated data."""
    for owner_id in connection.scalars(select(User.id).order_by(User.id)).all():
        rebuild_owner(connection, owner_id)


_DAY = timedelta(days=1)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, zone)


def _runs(days: list[date]) -> Iterator[list[date]]:
    """The days in runs spanning at most ``DAYS_PER_QUERY`` days each."""
    run: list[date] = []
    for day in days:
        if run and (day - run[0]).days >= DAYS_PER_QUERY:
            yield run
            run = []
        run.append(day)
    if run:
        yield run


def _lock(connection: Connection, owner_id: int) -> ZoneInfo:
    """Take the rep's row, and read their time zone, before recounting their days.

    Two transactions logging for one rep must not each recount a day from what they alone can
    see (and each insert it): the second waits here for the first to commit, and on
    PostgreSQL (read committed) its next statements then see the first one's rows. NO KEY
    UPDATE leaves alone the key-share locks that inserting the rep's records takes. SQLite has
    one writer at a time and ignores the clause.
    """
    zone = connection.scalar(
        select(User.time_zone).where(User.id == owner_id).with_for_update(key_share=True)
    )
    return ZoneInfo(zone or "UTC")


def _insert(connection: Connection, owner_id: int, days: dict[date, DayCount]) -> None:
    rows = [
        {
            "owner_id": owner_id,
            "day": day,
            **asdict(count),
        }
        for day, count in sorted(days.items())
    ]
    if rows:
        connection.execute(insert(_table), rows)


# --- kept in step with the ORM -------------------------------------------------------------


@dataclass
class _Stale:
    logged: dict[int, set[datetime]] = field(default_factory=dict)  # owner -> instants
    owners: set[int] = field(default_factory=set)  # users whose time zone changed


def keep_in_step(factory: sessionmaker[Session]) -> None:
    """Recount, after each flush of the factory's sessions, the days of the interactions
    added, changed (including moved to another day or rep) or deleted, and every day of a
    user whose time zone changed."""
    event.listen(factory, "after_flush", _note_stale)
    event.listen(factory, "after_flush_postexec", _refresh_stale)


def _note_stale(session: Session, _context: Any) -> None:
    stale: _Stale = session.info.setdefault(_STALE, _Stale())
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Interaction):
            owners, instants = _owners_and_instants(instance)
            for owner_id, instant in product(owners, instants):
                stale.logged.setdefault(owner_id, set()).add(instant)
        elif isinstance(instance, User) and zone_changed(session, instance):
            stale.owners.add(instance.id)


def zone_changed(session: Session, user: User) -> bool:
    """Whether the flush set a user's time zone (which dates every record of theirs). Set on
    a user whose zone was not loaded, the old value is unknown: taken as a change."""
    return user not in session.new and bool(inspect(user).attrs.time_zone.history.added)


def _owners_and_instants(interaction: Interaction) -> tuple[Collection[int], Collection[datetime]]:
    """Every rep and logged instant the interaction had before the flush or has after it."""
    attrs = inspect(interaction).attrs
    owners = {v for v in chain(*attrs.owner_id.load_history()) if v is not None}
    instants = {v for v in chain(*attrs.logged_at.load_history()) if v is not None}
    return owners, instants


def _refresh_stale(session: Session, _context: Any) -> None:
    stale: _Stale | None = session.info.pop(_STALE, None)
    if stale is None:
        return
    connection = session.connection()
    for owner_id in stale.owners:
        rebuild_owner(connection, owner_id)
    for owner_id, instants in stale.logged.items():
        if owner_id not in stale.owners:
            refresh(connection, owner_id, instants)
