"""What deal health reads of each deal, kept in step with the records it is worked out from.

Two summaries, both derived and both rebuilt in the transaction that changed their sources:
each deal's interactions summed up (``store.deal_activity``), and the first day each health
rule flags it (``store.deal_flags``), worked out from the deal, its activity, its decision
makers, its open promises, its stage's limits and its owner's time zone.

Whenever a session flushes any of those, the affected deals are refreshed after the flush
(``keep_in_step``, installed on every session factory). Writers that bypass the ORM (imports,
restore, the data generator) call ``refresh`` or ``rebuild_all`` themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from aimfire.store import deal_activity, deal_flags, rep_days
from aimfire.store.bulk import id_chunks
from aimfire.store.models import (
    Commitment,
    Deal,
    DealContact,
    Interaction,
    PipelineStage,
    User,
)

_STALE = "aimfire_stale_deals"  # session.info key: what to refresh after the flush


def refresh(connection: Connection, deal_ids: Iterable[int]) -> None:
    """Rebuild both summaries of these deals, whose interactions (and maybe more) changed."""
    ids = sorted(set(deal_ids))
    lock(connection, ids)
    deal_activity.refresh(connection, ids)
    deal_flags.refresh(connection, ids)


def refresh_flags(connection: Connection, deal_ids: Iterable[int]) -> None:
    """Rebuild the flag days of these deals, whose interactions did not change."""
    ids = sorted(set(deal_ids))
    lock(connection, ids)
    deal_flags.refresh(connection, ids)


def rebuild_all(connection: Connection) -> None:
    """Rebuild every row of both: after a restore or generated data."""
    deal_activity.rebuild_all(connection)
    deal_flags.rebuild_all(connection)


def lock(connection: Connection, deal_ids: Collection[int]) -> None:
    """Two transactions changing one deal must not each rebuild its rows from what they alone
    can see: the second waits here for the first to commit, and on PostgreSQL (read committed)
    its next statements then see the first one's rows. The deals' owners are locked first, as
    ``store.rep_days`` does: their time zone dates the flags, and one order everywhere keeps
    two writers from each holding what the other waits for. NO KEY UPDATE leaves alone the
    key-share locks that inserting records takes on their deal and owner. SQLite has one
    writer at a time and ignores the clause."""
    for chunk in id_chunks(sorted(deal_ids)):
        owners = select(Deal.owner_id).where(Deal.id.in_(chunk)).distinct()
        connection.execute(
            select(User.id)
            .where(User.id.in_(owners))
            .order_by(User.id)
            .with_for_update(key_share=True)
        )
        connection.execute(
            select(Deal.id)
            .where(Deal.id.in_(chunk))
            .order_by(Deal.id)
            .with_for_update(key_share=True)
        )


@dataclass
class _Stale:
    interactions: set[int] = field(default_factory=set)  # deals whose interactions changed
    facts: set[int] = field(default_factory=set)  # deals whose other facts changed
    owners: set[int] = field(default_factory=set)  # users whose time zone changed
    stages: bool = False  # a stage's limits, order or outcome changed: every deal


def keep_in_step(factory: sessionmaker[Session]) -> None:
    """Refresh, after each flush of the factory's sessions, the summaries of the deals whose
    sources were added, changed (including moved from one deal to another) or deleted."""
    event.listen(factory, "after_flush", _note_stale)
    event.listen(factory, "after_flush_postexec", _refresh_stale)


def _note_stale(session: Session, _context: Any) -> None:
    # After the flush, so a deal given as an object has its id; before postexec, so a record
    # moved between deals still shows its old deal in the attribute history.
    stale: _Stale = session.info.setdefault(_STALE, _Stale())
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Interaction):
            stale.interactions.update(_deal_ids(instance))
        elif isinstance(instance, Commitment | DealContact):
            stale.facts.update(_deal_ids(instance))
        elif isinstance(instance, Deal):
            if instance not in session.deleted:  # its rows go with it (ON DELETE CASCADE)
                stale.facts.add(instance.id)
        elif isinstance(instance, PipelineStage):
            stale.stages = True
        elif isinstance(instance, User) and rep_days.zone_changed(session, instance):
            stale.owners.add(instance.id)


def _deal_ids(record: Interaction | Commitment | DealContact) -> Collection[int]:
    history = inspect(record).attrs.deal_id.load_history()
    return {deal_id for deal_id in chain(*history) if deal_id is not None}


def _refresh_stale(session: Session, _context: Any) -> None:
    stale: _Stale | None = session.info.pop(_STALE, None)
    if stale is None:
        return
    connection = session.connection()
    if stale.stages:  # rare (an admin's change): every deal is locked, then worked out again
        connection.execute(select(Deal.id).order_by(Deal.id).with_for_update(key_share=True))
        deal_activity.refresh(connection, stale.interactions)
        deal_flags.rebuild_all(connection)
        return
    if stale.owners:  # their time zone dates every day of their deals
        owned = select(Deal.id).where(Deal.owner_id.in_(sorted(stale.owners)))
        stale.facts.update(connection.scalars(owned))
    changed = stale.interactions | stale.facts
    if changed:
        lock(connection, changed)
        deal_activity.refresh(connection, stale.interactions)
        deal_flags.refresh(connection, changed)
