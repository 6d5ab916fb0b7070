"""The first day each health rule flags each open deal (``DealFlagDays``), kept in step with the
deal's facts.

Flags only add up as days pass (``domain.health.first_flag_days``), so the flags of a whole
book on any day are a comparison of stored days with that day: the health page, Today and the
coach's overview count and rank flagged deals in one query, and judge only the deals they show.
Judging every open deal of a large book on every page took half a second.

A row is always worked out afresh from the deal's facts (``store.health_facts``), never
adjusted, so it cannot drift; ``store.deal_summaries`` decides when.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, select

from aimfire.domain.health import Rule, first_flag_days
from aimfire.store.bulk import id_chunks
from aimfire.store.health_facts import OpenDeal, open_deal_facts
from aimfire.store.models import Deal, DealFlagDays, User

_table = DealFlagDays.__table__
DEALS_PER_PASS = 5000  # facts held in memory at once while the whole table is rebuilt


def first_day(rule: Rule) -> ColumnElement[Any]:
    """The column holding the first day ``rule`` flags a deal."""
    return _table.c[rule.value]


RULES = tuple(Rule)  # most urgent first; a tuple, as each board card goes through them
FIRST_DAYS = tuple(first_day(rule) for rule in RULES)


def flagged_on(day: date, first_days: Sequence[date | None]) -> list[Rule]:
    """The rules flagging a deal on ``day``, most urgent first, from its stored first days
    (read in the order of ``FIRST_DAYS``; all None for a deal with no row)."""
    return [
        rule
        for rule, first in zip(RULES, first_days, strict=True)
        if first is not None and first <= day
    ]


def refresh(connection: Connection, deal_ids: Iterable[int]) -> None:
    """Work out afresh the rows of these deals (a closed or deleted deal loses its row)."""
    for chunk in id_chunks(sorted(set(deal_ids))):
        connection.execute(delete(_table).where(_table.c.deal_id.in_(chunk)))
        _insert(connection, chunk)


def rebuild_all(connection: Connection) -> None:
    """Every row, a few thousand deals at a time: after a restore or generated data, or when
    a stage's limits changed."""
    connection.execute(delete(_table))
    last = 0
    while True:
        ids = connection.scalars(
            select(Deal.id).where(Deal.id > last).order_by(Deal.id).limit(DEALS_PER_PASS)
        ).all()
        if not ids:
            return
        _insert(connection, ids)
        last = ids[-1]


def _insert(connection: Connection, deal_ids: Sequence[int]) -> None:
    """Rows for those of these deals that are open."""
    deals = open_deal_facts(connection, deal_ids)
    if deals:
        zones = _zones(connection, {deal.owner_id for deal in deals})
        connection.execute(insert(_table), [_row(deal, zones[deal.owner_id]) for deal in deals])


def _zones(connection: Connection, owner_ids: set[int]) -> dict[int, str]:
    rows = connection.execute(select(User.id, User.time_zone).where(User.id.in_(sorted(owner_ids))))
    return {owner_id: zone for owner_id, zone in rows}


def _row(deal: OpenDeal, time_zone: str) -> dict[str, Any]:
    days = first_flag_days(deal.facts, time_zone=time_zone)
    return {
        "deal_id": deal.deal_id,
        "owner_id": deal.owner_id,
        "value_cents": deal.value_cents,
        "reachable": deal.reachable,
        **{rule.value: days.get(rule) for rule in Rule},
    }
