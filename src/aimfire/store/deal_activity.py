"""Each deal's interactions summed up in one row (``DealActivity``), kept in step with them.

Deal health asks every open deal the same questions on every page that shows flags: the latest
meeting, whether anything is planned, the last conversation, the attempts unanswered since.
Worked out afresh from a large book's million interactions, that took a second and a half a
page; kept here, it is read with the deals.

A row is always rebuilt from all of its deal's interactions, never adjusted by increments, so
it cannot drift. Whenever a session flushes interactions, their deals' rows are rebuilt in the
same transaction (``keep_in_step``, installed on every session factory). Writers that insert
interactions without the ORM (imports, restore, the data generator) call ``refresh`` or
``rebuild_all`` themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, sessionmaker

from aimfire.domain.interactions import MEETING_CHANNELS, Reached, Status
from aimfire.store.bulk import id_chunks
from aimfire.store.models import Deal, DealActivity, Interaction

UNANSWERED = (Reached.VOICEMAIL, Reached.NO_ANSWER, Reached.BOUNCED)
_STALE = "aimfire_stale_deal_activity"  # session.info key: deal ids to rebuild after a flush

_table = DealActivity.__table__
_COLUMNS = [column.name for column in _table.c]  # the order ``summaries`` selects in


def summaries(which: ColumnElement[bool]) -> Select[Any]:
    """The activity of each deal with interactions matching ``which``, in ``_COLUMNS`` order,
    in one pass over them.

    The last conversation is found by a window function: a join to a per-deal "last
    conversation" subquery let PostgreSQL choose a nested loop that took minutes on a book of
    a million interactions, and a second scan of the same rows doubled the time.
    """
    when = func.coalesce(Interaction.logged_at, Interaction.scheduled_at)
    connected = (Interaction.status == Status.DONE) & (Interaction.reached == Reached.CONNECTED)
    history = (
        select(
            Interaction.deal_id.label("deal_id"),
            Interaction.status.label("status"),
            Interaction.reached.label("reached"),
            Interaction.channel.label("channel"),
            Interaction.scheduled_at.label("scheduled_at"),
            when.label("at"),
            func.max(case((connected, when)))
            .over(partition_by=Interaction.deal_id)
            .label("last_talk"),
        )
        .where(Interaction.deal_id.is_not(None), which)
        .subquery()
    )
    h = history.c
    planned = h.status == Status.PLANNED
    held = (h.status == Status.DONE) & (h.reached == Reached.CONNECTED)
    meeting = h.channel.in_(list(MEETING_CHANNELS)) & (planned | held)
    unanswered = (
        (h.status == Status.DONE)
        & h.reached.in_(UNANSWERED)
        & or_(h.last_talk.is_(None), h.at > h.last_talk)
    )
    return select(
        h.deal_id,
        func.max(case((meeting, h.scheduled_at))),
        func.count(case((planned, 1))),
        func.max(h.last_talk),
        func.count(case((unanswered, 1))),
        func.min(case((unanswered, h.at))),
    ).group_by(h.deal_id)


def refresh(connection: Connection, deal_ids: Iterable[int]) -> None:
    """Rebuild the rows of these deals from their interactions."""
    for chunk in id_chunks(sorted(set(deal_ids))):
        # Two transactions writing to one deal's interactions must not each rebuild its row
        # from what they alone can see: the second waits here for the first to commit, and on
        # PostgreSQL (read committed) its next statements then see the first one's rows. NO KEY
        # UPDATE leaves alone the key-share locks that inserting interactions takes on the deal.
        # SQLite has one writer at a time and ignores the clause.
        connection.execute(
            select(Deal.id)
            .where(Deal.id.in_(chunk))
            .order_by(Deal.id)
            .with_for_update(key_share=True)
        )
        connection.execute(delete(_table).where(_table.c.deal_id.in_(chunk)))
        _insert(connection, Interaction.deal_id.in_(chunk))


def rebuild_all(connection: Connection) -> None:
    """Rebuild every row in one pass: after a restore or generated data, where every deal
    changed at once."""
    connection.execute(delete(_table))
    _insert(connection, true())


def _insert(connection: Connection, which: ColumnElement[bool]) -> None:
    connection.execute(insert(_table).from_select(_COLUMNS, summaries(which)))


def keep_in_step(factory: sessionmaker[Session]) -> None:
    """Rebuild, after each flush of the factory's sessions, the rows of the deals whose
    interactions were added, changed (including moved from one deal to another) or deleted."""
    event.listen(factory, "after_flush", _note_stale_deals)
    event.listen(factory, "after_flush_postexec", _refresh_stale_deals)


def _note_stale_deals(session: Session, _context: Any) -> None:
    # After the flush, so a deal given as an object has its id; before postexec, so an
    # interaction moved between deals still shows its old deal in the attribute history.
    stale: set[int] = session.info.setdefault(_STALE, set())
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Interaction):
            stale.update(_deal_ids(instance))


def _deal_ids(interaction: Interaction) -> Collection[int]:
    history = inspect(interaction).attrs.deal_id.load_history()
    return {deal_id for deal_id in chain(*history) if deal_id is not None}


def _refresh_stale_deals(session: Session, _context: Any) -> None:
    if stale := session.info.pop(_STALE, None):
        refresh(session.connection(), stale)
