"""Crafting deal histories straight in the database, for deal-health and post-mortem tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import astuple
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, true
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole, folded, search_text
from aimfire.domain.health import Rule, first_flag_days
from aimfire.domain.objective import check_objective
from aimfire.services.pipeline import ensure_default_stages
from aimfire.store import deal_activity, rep_days
from aimfire.store.health_facts import open_deal_facts
from aimfire.store.models import (
    Account,
    Commitment,
    Contact,
    Deal,
    DealActivity,
    DealContact,
    DealFlagDays,
    Interaction,
    PipelineStage,
    PostMortem,
    RepDay,
    User,
)

NOW = datetime.now(UTC).replace(microsecond=0)


def stage(db: Session, key: str) -> PipelineStage:
    ensure_default_stages(db)
    found = db.scalar(select(PipelineStage).where(PipelineStage.key == key))
    assert found is not None
    return found


def contact(db: Session, owner: User, first: str = "Dana", **fields: object) -> Contact:
    person = Contact(owner_id=owner.id, first_name=first, last_name="Whitfield", **fields)
    db.add(person)
    db.flush()
    return person


def deal(
    db: Session,
    owner: User,
    *,
    stage_key: str = "needs_analysed",
    title: str = "Season tickets",
    days_in_stage: float = 1,
    value: int = 1000,
    person: Contact | None = None,
    decision_maker: bool | None = None,
    **fields: object,
) -> Deal:
    """A deal with a main contact; ``decision_maker`` True names them decision maker."""
    person = person or contact(db, owner)
    where = stage(db, stage_key)
    new = Deal(
        owner_id=owner.id,
        title=title,
        contact_id=person.id,
        value_cents=value * 100,
        stage_id=where.id,
        stage_entered_at=NOW - timedelta(days=days_in_stage),
        **fields,
    )
    db.add(new)
    db.flush()
    if decision_maker:
        db.add(DealContact(deal_id=new.id, contact_id=person.id, role=ContactRole.DECISION_MAKER))
        db.flush()
    return new


def interaction(
    db: Session,
    on: Deal,
    *,
    when: datetime,
    channel: str = "phone",
    status: str = "planned",
    reached: str | None = None,
    objective: str = "Learn who signs off and when they decide",
    result: str | None = None,
    person_id: int | None = None,
) -> Interaction:
    done = status == "done"
    row = Interaction(
        owner_id=on.owner_id,
        contact_id=person_id or on.contact_id,
        deal_id=on.id,
        channel=channel,
        reason="other",
        objective=objective,
        objective_label=check_objective(objective).label,
        scheduled_at=when,
        status=status,
        reached=reached,
        result=result,
        logged_at=when + timedelta(minutes=10) if done else None,
    )
    db.add(row)
    db.flush()
    return row


def promise(
    db: Session, on: Deal, due_on: date, *, party: str = "prospect", status: str = "open"
) -> Commitment:
    assert on.contact_id is not None
    row = Commitment(
        owner_id=on.owner_id,
        contact_id=on.contact_id,
        deal_id=on.id,
        party=party,
        description="Talk to my wife about the seats",
        due_on=due_on,
        status=status,
    )
    db.add(row)
    db.flush()
    return row


def closed_deal(
    db: Session,
    owner: User,
    *,
    closed_at: datetime,
    outcome: str,
    reasons: list[str] | None = None,
    lesson: str = "",
    post_mortem: bool = True,
    **fields: object,
) -> Deal:
    """A deal closed at ``closed_at``: outcome won, lost or abandoned (in the lost stage)."""
    row = deal(db, owner, stage_key="won" if outcome == "won" else "lost", **fields)
    row.closed_at = closed_at
    row.stage_entered_at = closed_at
    if post_mortem:
        db.add(PostMortem(deal_id=row.id, outcome=outcome, reasons=reasons or [], lesson=lesson))
    db.flush()
    return row


Rows = set[tuple[object, ...]]


def drift(connection: Connection) -> tuple[Rows, Rows]:
    """Rows kept but not worked out afresh, and rows worked out afresh but not kept, of every
    summary kept on write (deal activity, deal flag days, rep days, search texts),
    each tagged with its table."""
    kept = select(*DealActivity.__table__.c)
    fresh = deal_activity.summaries(true())
    activity = (
        {("deal_activity", *row) for row in connection.execute(kept.except_(fresh))},
        {("deal_activity", *row) for row in connection.execute(fresh.except_(kept))},
    )
    flags_kept = {("deal_flag_days", *row) for row in connection.execute(select(DealFlagDays))}
    flags_fresh = {("deal_flag_days", *row) for row in _fresh_flag_days(connection)}
    days_kept = {("rep_days", *_comparable(row)) for row in connection.execute(select(RepDay))}
    days_fresh = {("rep_days", *row) for row in _fresh_rep_days(connection)}
    c = Contact.__table__.c
    people = connection.execute(
        select(c.id, c.search_text, c.first_name, c.last_name, c.email, c.phone_digits)
    ).all()
    names = connection.execute(select(Account.id, Account.search_text, Account.name)).all()
    texts_kept = {("contacts.search_text", row[0], row[1]) for row in people}
    texts_kept |= {("accounts.search_text", row[0], row[1]) for row in names}
    texts_fresh = {("contacts.search_text", row[0], search_text(*row[2:])) for row in people}
    texts_fresh |= {("accounts.search_text", row[0], folded(row[2])) for row in names}
    return (
        activity[0]
        | (flags_kept - flags_fresh)
        | (days_kept - days_fresh)
        | (texts_kept - texts_fresh),
        activity[1]
        | (flags_fresh - flags_kept)
        | (days_fresh - days_kept)
        | (texts_fresh - texts_kept),
    )


def _comparable(row: Sequence[object]) -> tuple[object, ...]:
    """A row with its JSON made hashable and its keys in one order."""
    return tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row)


def _fresh_rep_days(connection: Connection) -> list[tuple[object, ...]]:
    """Each rep's logged interactions counted by day, afresh."""
    rows = []
    for user_id, zone in connection.execute(select(User.id, User.time_zone)):
        for day, count in rep_days.count_days(connection, user_id, ZoneInfo(zone)).items():
            rows.append(_comparable((user_id, day, *astuple(count))))
    return rows


def _fresh_flag_days(connection: Connection) -> list[tuple[object, ...]]:
    """Each open deal's first flag days, worked out from its facts as they stand."""
    zones = {user_id: zone for user_id, zone in connection.execute(select(User.id, User.time_zone))}
    rows = []
    every_deal = connection.scalars(select(Deal.id)).all()
    for found in open_deal_facts(connection, every_deal):
        days = first_flag_days(found.facts, time_zone=zones[found.owner_id])
        head = (found.deal_id, found.owner_id, found.value_cents, found.reachable)
        rows.append((*head, *(days.get(rule) for rule in Rule)))
    return rows
