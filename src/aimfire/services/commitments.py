"""Promises made in interactions, by prospects and by the rep, and how well they are kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import Field
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, raiseload

from aimfire.domain.interactions import (
    CommitmentStatus,
    Party,
    Status,
    promise_keeping_rate,
)
from aimfire.errors import Invalid
from aimfire.services.access import Actor, get_writable, readable_owner
from aimfire.services.paging import Page, paginate
from aimfire.services.validation import Input
from aimfire.store.models import Commitment, Interaction
from aimfire.store.types import utcnow

PROMISES_PER_PAGE = 100


class Resolution(Input):
    status: CommitmentStatus = Field(description="kept or broken")


def commitments_page(
    db: Session,
    actor: Actor,
    *,
    status: CommitmentStatus | None = CommitmentStatus.OPEN,
    party: Party | None = None,
    contact_id: int | None = None,
    owner_id: int | None = None,
    page: int = 1,
    per_page: int = PROMISES_PER_PAGE,
) -> Page[Commitment]:
    """Promises with this status (any, for None), made by one side or both, with one contact
    or all, in the actor's book or a coached rep's: soonest due first, a page at a time with
    their total."""
    query = _commitments(actor, status, party, contact_id, owner_id)
    return paginate(db, query, page, per_page)


def _commitments(
    actor: Actor,
    status: CommitmentStatus | None,
    party: Party | None,
    contact_id: int | None,
    owner_id: int | None,
) -> Select[tuple[Commitment]]:
    query = select(Commitment).where(Commitment.owner_id == readable_owner(actor, owner_id))
    if status is not None:
        query = query.where(Commitment.status == status)
    if party is not None:
        query = query.where(Commitment.party == party)
    if contact_id is not None:
        query = query.where(Commitment.contact_id == contact_id)
    return query.order_by(Commitment.due_on, Commitment.id)


def resolve_commitment(
    db: Session, actor: Actor, commitment_id: int, data: Resolution
) -> Commitment:
    commitment = get_writable(db, Commitment, commitment_id, actor, "commitment")
    if data.status == CommitmentStatus.OPEN:
        raise Invalid.on("status", "Mark a commitment kept or broken.")
    commitment.status = data.status
    commitment.resolved_at = utcnow()
    return commitment


@dataclass(frozen=True, slots=True)
class KeepingRate:
    party: Party
    kept: int
    broken: int
    open: int

    @property
    def rate(self) -> float | None:
        return promise_keeping_rate(self.kept, self.broken)


def keeping_rates(
    db: Session, actor: Actor, *, contact_id: int | None = None, owner_id: int | None = None
) -> dict[Party, KeepingRate]:
    """Kept against broken promises, for each side, overall or with one contact."""
    query = (
        select(Commitment.party, Commitment.status, func.count(Commitment.id))
        .where(Commitment.owner_id == readable_owner(actor, owner_id))
        .group_by(Commitment.party, Commitment.status)
    )
    if contact_id is not None:
        query = query.where(Commitment.contact_id == contact_id)
    counts = {(party, status): count for party, status, count in db.execute(query)}
    return {
        party: KeepingRate(
            party,
            counts.get((party, CommitmentStatus.KEPT), 0),
            counts.get((party, CommitmentStatus.BROKEN), 0),
            counts.get((party, CommitmentStatus.OPEN), 0),
        )
        for party in Party
    }


def overdue_prospect_promises(db: Session, actor: Actor, today: date) -> list[Commitment]:
    """Open prospect promises past their date with no follow-up planned yet."""
    return list(db.scalars(_OVERDUE, {"owner": actor.id, "today": today}))


# Built once, the owner and the day bound when it runs: every visit to Today asks. Whether a
# follow-up is planned is asked per overdue promise, through the index of follow-ups: a
# handful of lookups, where listing every planned follow-up first read all of the rep's plans.
_FOLLOW_UP_PLANNED = (
    select(Interaction.id)
    .where(
        Interaction.follows_commitment_id == Commitment.id,
        Interaction.status == Status.PLANNED,
        Interaction.owner_id == bindparam("owner"),
    )
    .exists()
)
_OVERDUE = (
    select(Commitment)
    .where(
        Commitment.owner_id == bindparam("owner"),
        Commitment.party == Party.PROSPECT,
        Commitment.status == CommitmentStatus.OPEN,
        Commitment.due_on < bindparam("today"),
        ~_FOLLOW_UP_PLANNED,
    )
    .order_by(Commitment.due_on)
    # Today names the deal and the contact by id (store.names) and shows nothing else of
    # them. Joining the contacts here also let the planner, misjudging how many promises are
    # overdue, read the whole contacts table instead of a dozen of its rows.
    .options(raiseload(Commitment.deal), raiseload(Commitment.contact))
)
