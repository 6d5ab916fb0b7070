"""Deal health for a book: which open deals are flagged, most urgent first, their flags in
words (``domain.health``), and the diagnosis interactions Today suggests for them.

Which deals are flagged on a day, and how urgently, is read from the first days stored for
each deal (``store.deal_flags``) in one query however large the book; only the deals a page
shows are then judged in full, from facts read in a few aggregate queries
(``store.health_facts``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from pydantic import Field
from sqlalchemy import ColumnElement, Date, bindparam, case, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload

from aimfire.domain.contacts import ContactRole
from aimfire.domain.health import (
    URGENCY,
    DealFacts,
    Flag,
    Rule,
    Thresholds,
    evaluate,
)
from aimfire.domain.interactions import MEETING_CHANNELS, Reached, Reason, Status, local_today
from aimfire.domain.pipeline import StageOutcome
from aimfire.services.access import Actor, get_readable, readable_owner, require_admin
from aimfire.services.paging import Page, Paged, paginate
from aimfire.services.pipeline import get_stage, list_stages
from aimfire.services.validation import Input
from aimfire.store.bulk import id_chunks, one_of
from aimfire.store.deal_flags import first_day
from aimfire.store.health_facts import open_deal_facts, stage_thresholds_of
from aimfire.store.models import (
    Contact,
    Deal,
    DealContact,
    DealFlagDays,
    Interaction,
    PipelineStage,
    User,
)
from aimfire.store.names import contact_names, deal_titles
from aimfire.store.types import utcnow

HEALTH_PER_PAGE = 50


def _contact_for(flag: Flag, deal_contact_id: int | None, facts: DealFacts | None) -> int | None:
    """Who the diagnosis interaction is with: the flag's person, else the deal's contact."""
    if flag.contact_id is not None:
        return flag.contact_id
    if deal_contact_id is not None:
        return deal_contact_id
    return facts.decision_maker_contact_id if facts else None


@dataclass(frozen=True, slots=True)
class Judgement:
    """An open deal's facts and flags, judged from a few of its columns: a book of ten
    thousand deals is judged without building its ORM objects."""

    deal_id: int
    value_cents: int
    contact_id: int | None
    facts: DealFacts
    flags: list[Flag]

    def contact_for(self, flag: Flag) -> int | None:
        return _contact_for(flag, self.contact_id, self.facts)

    def plan_url(self, flag: Flag) -> str:
        return _plan_url(self.deal_id, self.contact_for(flag), flag)


@dataclass(frozen=True, slots=True)
class DealHealth:
    deal: Deal
    flags: list[Flag]
    facts: DealFacts | None = None  # None for a closed deal

    def contact_for(self, flag: Flag) -> int | None:
        return _contact_for(flag, self.deal.contact_id, self.facts)

    def plan_url(self, flag: Flag) -> str:
        return _plan_url(self.deal.id, self.contact_for(flag), flag)


def _plan_url(deal_id: int, contact_id: int | None, flag: Flag) -> str:
    """The planning page, filled in for a diagnosis of this flag."""
    params: dict[str, object] = {"deal_id": deal_id}
    if contact_id is not None:
        params["contact_id"] = contact_id
    params["reason"] = flag.plan_reason.value
    if flag.plan_channel is not None:
        params["channel"] = flag.plan_channel.value
    params["objective"] = flag.objective
    return "/interactions/new?" + urlencode(params)


@dataclass(frozen=True, slots=True)
class _Calendar:
    """The rep's day and time zone: days are judged on the deal owner's calendar."""

    day: date
    time_zone: str


def _calendar(db: Session, actor: Actor, owner_id: int, today: date | None) -> _Calendar:
    owner = actor.user if owner_id == actor.id else db.get(User, owner_id)
    zone = owner.time_zone if owner else "UTC"
    return _Calendar(today if today is not None else local_today(utcnow(), zone), zone)


def _judge(db: Session, deal_ids: Collection[int], calendar: _Calendar) -> list[Judgement]:
    return [
        Judgement(
            deal.deal_id,
            deal.value_cents,
            deal.contact_id,
            deal.facts,
            evaluate(deal.facts, today=calendar.day, time_zone=calendar.time_zone),
        )
        for deal in open_deal_facts(db.connection(), deal_ids)
    ]


# The deals health lists show: their stage, contact and account joined; not their people, nor
# their contact's company, which no health view shows.
_DEALS = (
    select(Deal)
    .where(one_of(Deal.id))
    .options(raiseload(Deal.people), joinedload(Deal.contact).lazyload(Contact.account))
)


def _with_deals(db: Session, judged: list[Judgement]) -> list[DealHealth]:
    """The judgements with their deals loaded, in order."""
    deals: dict[int, Deal] = {}
    for chunk in id_chunks([j.deal_id for j in judged]):
        deals.update((d.id, d) for d in db.scalars(_DEALS, {"ids": chunk}))
    return [DealHealth(deals[j.deal_id], j.flags, j.facts) for j in judged]


def _judged_in_order(db: Session, deal_ids: list[int], calendar: _Calendar) -> list[Judgement]:
    """These open deals judged in full, in the order given; any the rules no longer flag
    (their stored days out of step, which the tests guard against) are left out."""
    by_id = {j.deal_id: j for j in _judge(db, deal_ids, calendar)}
    return [j for deal_id in deal_ids if (j := by_id.get(deal_id)) is not None and j.flags]


# --- flagged deals, from the stored first days ---------------------------------------------


# Built once, the owner and the day bound when they run (``_on``): every page with flags asks.
_DAY = bindparam("day", type_=Date)


def _flagged(*where: ColumnElement[bool]) -> Paged:
    """The ids of the owner's deals flagged on the day: the most urgent flag first, then the
    largest deal, then the oldest."""
    # None where no rule flags the deal on the day.
    most_urgent = case(*((first_day(rule) <= _DAY, URGENCY[rule]) for rule in Rule))
    return Paged.of(
        select(DealFlagDays.deal_id)
        .where(DealFlagDays.owner_id == bindparam("owner"), most_urgent.is_not(None), *where)
        .order_by(most_urgent, DealFlagDays.value_cents.desc(), DealFlagDays.deal_id)
    )


def _on(owner_id: int, day: date) -> dict[str, object]:
    return {"owner": owner_id, "day": day}


_FLAGGED = _flagged()
_PROMISE_OVERDUE = first_day(Rule.PROMISE_OVERDUE)
# Today's diagnoses: flagged deals with nothing planned, no overdue promise (Today proposes
# the follow-up on the promise itself) and someone to get in touch with.
_UNPLANNED = _flagged(
    first_day(Rule.NO_NEXT_STEP).is_not(None),
    or_(_PROMISE_OVERDUE.is_(None), _PROMISE_OVERDUE > _DAY),
    DealFlagDays.reachable,
)


# --- the public functions ----------------------------------------------------------------


def deal_health(
    db: Session, actor: Actor, deal_id: int, *, today: date | None = None
) -> DealHealth:
    """One deal's flags (none for a closed deal). 404 when the deal is not the actor's to see."""
    deal = get_readable(db, Deal, deal_id, actor, "deal")
    calendar = _calendar(db, actor, deal.owner_id, today)
    found = _judge(db, [deal.id], calendar)
    return DealHealth(deal, found[0].flags, found[0].facts) if found else DealHealth(deal, [])


def judge_open_deals(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> list[Judgement]:
    """Every open deal of a book judged in full (flags, none when healthy), by deal id,
    without loading the deals themselves."""
    owner = readable_owner(actor, owner_id)
    book = db.scalars(select(Deal.id).where(Deal.owner_id == owner)).all()
    return _judge(db, book, _calendar(db, actor, owner, today))


def open_deals_health(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> list[DealHealth]:
    """Every open deal of a book with its flags (none when healthy), by deal id."""
    return _with_deals(db, judge_open_deals(db, actor, owner_id, today=today))


def flagged_deals_page(
    db: Session,
    actor: Actor,
    owner_id: int | None = None,
    *,
    page: int = 1,
    per_page: int = HEALTH_PER_PAGE,
    today: date | None = None,
) -> Page[DealHealth]:
    """One page of a book's flagged open deals, most urgent first; only its deals are judged
    and loaded."""
    owner = readable_owner(actor, owner_id)
    calendar = _calendar(db, actor, owner, today)
    ids = paginate(db, _FLAGGED, page, per_page, _on(owner, calendar.day))
    shown = _with_deals(db, _judged_in_order(db, ids.items, calendar))
    return Page(shown, ids.total, ids.page, ids.per_page)


def flagged_count(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> int:
    """How many open deals of a book raise at least one flag."""
    owner = readable_owner(actor, owner_id)
    day = _calendar(db, actor, owner, today).day
    return db.scalar(_FLAGGED.count, _on(owner, day)) or 0


def book_day(db: Session, actor: Actor, owner_id: int | None = None) -> date:
    """Today on the calendar of the book's owner, the day its flags are read for."""
    owner = readable_owner(actor, owner_id)
    return _calendar(db, actor, owner, None).day


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A diagnosis interaction Today suggests for a flagged deal with nothing planned."""

    judgement: Judgement
    flag: Flag
    deal_title: str
    contact_id: int
    contact_name: str

    @property
    def deal_id(self) -> int:
        return self.judgement.deal_id

    @property
    def reason(self) -> Reason:
        return self.flag.plan_reason

    @property
    def objective(self) -> str:
        return self.flag.objective

    @property
    def why(self) -> str:
        return self.flag.reason

    @property
    def question(self) -> str:
        return self.flag.question

    @property
    def plan_url(self) -> str:
        return self.judgement.plan_url(self.flag)


def suggested_diagnoses(
    db: Session,
    actor: Actor,
    today: date | None = None,
    *,
    page: int = 1,
    per_page: int = HEALTH_PER_PAGE,
) -> Page[Diagnosis]:
    """For Today and the API: one diagnosis per flagged deal of the actor's that has nothing
    planned, most urgent first, a page at a time (only the page's deals are judged and loaded).

    The suggestion uses the deal's most urgent flag and needs someone to get in touch with
    (a deal with no contact is still on the health page). Deals with an overdue promise are
    left out: Today already proposes the follow-up on the promise itself.
    """
    calendar = _calendar(db, actor, actor.id, today)
    ids = paginate(db, _UNPLANNED, page, per_page, _on(actor.id, calendar.day))
    judged = _judged_in_order(db, ids.items, calendar)
    titles = deal_titles(db, [j.deal_id for j in judged])
    people = contact_names(db, [j.contact_for(j.flags[0]) for j in judged])
    diagnoses = [
        Diagnosis(j, j.flags[0], titles[j.deal_id], contact_id, people[contact_id])
        for j in judged
        if (contact_id := j.contact_for(j.flags[0])) in people
    ]
    return Page(diagnoses, ids.total, ids.page, ids.per_page)


def record_decision_maker_met(db: Session, interaction: Interaction) -> bool:
    """Mark the deal's decision maker as met when this logged meeting or video call reached a
    contact who holds the decision-maker role on the deal. True when the deal is now marked."""
    if (
        interaction.deal_id is None
        or interaction.status != Status.DONE
        or interaction.reached != Reached.CONNECTED
        or interaction.channel not in MEETING_CHANNELS
    ):
        return False
    holds_role = db.scalar(
        select(DealContact.id).where(
            DealContact.deal_id == interaction.deal_id,
            DealContact.contact_id == interaction.contact_id,
            DealContact.role == ContactRole.DECISION_MAKER,
        )
    )
    if holds_role is None:
        return False
    deal = db.get(Deal, interaction.deal_id)
    if deal is None:
        return False
    deal.decision_maker_met = True
    db.flush()
    return True


# --- thresholds per stage ----------------------------------------------------------------


class StageThresholdsInput(Input):
    """A stage's health limits; leave one out (or empty) to use the default."""

    max_days_in_stage: int | None = Field(default=None, ge=1, le=365)
    stall_attempts: int | None = Field(default=None, ge=1, le=50)
    stall_days: int | None = Field(default=None, ge=1, le=365)


def stage_thresholds(db: Session) -> list[tuple[PipelineStage, Thresholds]]:
    """The open stages with the limits in force (their own or the defaults)."""
    return [
        (stage, stage_thresholds_of(stage))
        for stage in list_stages(db)
        if stage.outcome == StageOutcome.OPEN
    ]


def set_stage_thresholds(
    db: Session, actor: Actor, stage_id: int, data: StageThresholdsInput
) -> PipelineStage:
    require_admin(actor)
    stage = get_stage(db, stage_id)
    stage.max_days_in_stage = data.max_days_in_stage
    stage.stall_attempts = data.stall_attempts
    stage.stall_days = data.stall_days
    db.flush()
    return stage
