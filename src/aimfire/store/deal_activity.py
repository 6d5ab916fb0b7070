"""Each deal's interactions summed up in one row (``DealActivity``), kept in step with them.

Deal health asks every open deal the same questions on every page that shows flags: the latest
meeting, whether anything is planned, the last conversation, the attempts unanswered since.
Worked out afresh from a large book's million interactions, that took a second and a half a
page; kept here, it is read with the deals.

A row is always rebuilt from all of its deal's interactions, never adjusted by increments, so
it cannot drift; ``store.deal_summaries`` decides when.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    true,
)

from aimfire.domain.interactions import MEETING_CHANNELS, Reached, Status
from aimfire.store.bulk import id_chunks
from aimfire.store.models import DealActivity, Interaction

UNANSWERED = (Reached.VOICEMAIL, Reached.NO_ANSWER, Reached.BOUNCED)

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
        connection.execute(delete(_table).where(_table.c.deal_id.in_(chunk)))
        _insert(connection, Interaction.deal_id.in_(chunk))


def rebuild_all(connection: Connection) -> None:
    """Rebuild every row in one pass: after a restore or generated data, where every deal
    changed at once."""
    connection.execute(delete(_table))
    _insert(connection, true())


def _insert(connection: Connection, which: ColumnElement[bool]) -> None:
    connection.execute(insert(_table).from_select(_COLUMNS, summaries(which)))
