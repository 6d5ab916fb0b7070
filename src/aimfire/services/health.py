"""Deal health for a book: each open deal's facts gathered in a few aggregate queries, judged
by ``domain.health``, and the diagnosis interactions Today suggests for the flagged ones.

However many deals a book holds, the flags cost the same three queries (deals with their
activity as kept by ``store.deal_activity``, decision makers, overdue promises); nothing is
queried per deal, and no interaction is read.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from pydantic import Field
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole
from aimfire.domain.health import (
    PROPOSAL_STAGE_KEY,
    URGENCY,
    DealFacts,
    Flag,
    Promise,
    Rule,
    Thresholds,
    evaluate,
    thresholds_for,
)
from aimfire.domain.interactions import (
    MEETING_CHANNELS,
    Party,
    Reached,
    Reason,
    Status,
    local_today,
)
from aimfire.domain.pipeline import StageOutcome
from aimfire.services.access import Actor, get_readable, readable_owner, require_admin
from aimfire.services.paging import Page, page_of
from aimfire.services.pipeline import get_stage, list_stages
from aimfire.services.validation import Input
from aimfire.store.bulk import id_chunks
from aimfire.store.models import (
    Commitment,
    Contact,
    Deal,
    DealActivity,
    DealContact,
    Interaction,
    PipelineStage,
    User,
)
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


@dataclass(frozen=True, slots=True)
class DealHealth:
    deal: Deal
    flags: list[Flag]
    facts: DealFacts | None = None  # None for a closed deal

    def contact_for(self, flag: Flag) -> int | None:
        return _contact_for(flag, self.deal.contact_id, self.facts)

    def plan_url(self, flag: Flag) -> str:
        """The planning page, filled in for a diagnosis of this flag."""
        params: dict[str, object] = {"deal_id": self.deal.id}
        if (contact_id := self.contact_for(flag)) is not None:
            params["contact_id"] = contact_id
        params["reason"] = flag.plan_reason.value
        if flag.plan_channel is not None:
            params["channel"] = flag.plan_channel.value
        params["objective"] = flag.objective
        return "/interactions/new?" + urlencode(params)


def _owner_zone(db: Session, actor: Actor, owner_id: int) -> str:
    """Days and promises are judged on the rep's calendar: the deal owner's time zone."""
    owner = actor.user if owner_id == actor.id else db.get(User, owner_id)
    return owner.time_zone if owner else "UTC"


def _book(
    db: Session, actor: Actor, owner_id: int, scope: Select[tuple[int]], today: date | None
) -> list[Judgement]:
    zone = _owner_zone(db, actor, owner_id)
    day = today if today is not None else local_today(utcnow(), zone)
    return _judge(db, scope, today=day, time_zone=zone)


def _open_scope(*where: ColumnElement[bool]) -> Select[tuple[int]]:
    return (
        select(Deal.id)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(PipelineStage.outcome == StageOutcome.OPEN, *where)
    )


def _judge(
    db: Session, scope: Select[tuple[int]], *, today: date, time_zone: str
) -> list[Judgement]:
    known = (
        select(
            Deal.id,
            Deal.stage_id,
            Deal.stage_entered_at,
            Deal.proposal_sent_on,
            Deal.decision_maker_met,
            Deal.contact_id,
            Deal.value_cents,
            DealActivity.latest_meeting_at,
            DealActivity.planned,
            DealActivity.last_conversation_at,
            DealActivity.unanswered,
            DealActivity.first_unanswered_at,
        )
        .outerjoin(DealActivity, DealActivity.deal_id == Deal.id)  # no row: no interactions yet
        .where(Deal.id.in_(scope))
        .order_by(Deal.id)
    )
    # Through the connection: plain rows, without the ORM's per-row bookkeeping.
    deals = db.connection().execute(known).all()
    if not deals:
        return []
    stages = list(db.scalars(select(PipelineStage)))
    proposal_position = next(
        (stage.position for stage in stages if stage.key == PROPOSAL_STAGE_KEY), None
    )
    # What each stage says about its deals, worked out once rather than once per deal.
    stage_facts = {
        stage.id: {
            "stage_key": stage.key,
            "stage_name": stage.name,
            "stage_position": stage.position,
            "stage_outcome": stage.outcome,
            "thresholds": stage_thresholds_of(stage),
            "proposal_stage_position": proposal_position,
        }
        for stage in stages
    }
    deciders = _decision_makers(db, scope)
    promises = _overdue_promises(db, scope, today)
    result = []
    for (
        deal_id,
        stage_id,
        entered_at,
        proposal_sent_on,
        dm_met,
        contact_id,
        value,
        latest_meeting_at,
        planned,
        last_conversation_at,
        unanswered,
        first_unanswered_at,
    ) in deals:
        decider = deciders.get(deal_id)
        facts = DealFacts(
            **stage_facts[stage_id],
            stage_entered_at=entered_at,
            proposal_sent_on=proposal_sent_on,
            latest_meeting_at=latest_meeting_at,
            next_step_planned=bool(planned),
            unanswered_attempts=unanswered or 0,
            last_conversation_at=last_conversation_at,
            first_unanswered_at=first_unanswered_at,
            decision_maker_identified=decider is not None,
            decision_maker_met=dm_met,
            decision_maker_contact_id=decider[0] if decider else None,
            decision_maker_name=decider[1] if decider else "",
            promises=tuple(promises.get(deal_id, ())),
        )
        flags = evaluate(facts, today=today, time_zone=time_zone)
        result.append(Judgement(deal_id, value, contact_id, facts, flags))
    return result


def _with_deals(db: Session, judged: list[Judgement]) -> list[DealHealth]:
    """The judgements with their deals loaded (stage, contact and account joined), in order."""
    deals: dict[int, Deal] = {}
    for chunk in id_chunks([j.deal_id for j in judged]):
        deals.update((d.id, d) for d in db.scalars(select(Deal).where(Deal.id.in_(chunk))))
    return [DealHealth(deals[j.deal_id], j.flags, j.facts) for j in judged]


def _decision_makers(db: Session, scope: Select[tuple[int]]) -> dict[int, tuple[int, str]]:
    rows = db.execute(
        select(DealContact.deal_id, Contact.id, Contact.first_name, Contact.last_name)
        .join(Contact, Contact.id == DealContact.contact_id)
        .where(DealContact.deal_id.in_(scope), DealContact.role == ContactRole.DECISION_MAKER)
        .order_by(DealContact.deal_id.desc(), DealContact.id.desc())
    )
    # Ordered last to first, so the first-named decision maker of each deal is kept.
    return {deal_id: (cid, f"{first} {last}".strip()) for deal_id, cid, first, last in rows}


def _overdue_promises(
    db: Session, scope: Select[tuple[int]], today: date
) -> dict[int, list[Promise]]:
    rows = db.execute(
        select(Commitment.deal_id, Commitment.description, Commitment.due_on, Commitment.contact_id)
        .where(
            Commitment.deal_id.in_(scope),
            Commitment.party == Party.PROSPECT,
            Commitment.status == "open",
            Commitment.due_on < today,
        )
        .order_by(Commitment.due_on, Commitment.id)
    )
    promises: dict[int, list[Promise]] = {}
    for deal_id, description, due_on, contact_id in rows:
        promises.setdefault(deal_id, []).append(Promise(description, due_on, contact_id))
    return promises


def _rank(judged: Judgement) -> tuple[int, int, int]:
    return (URGENCY[judged.flags[0].rule], -judged.value_cents, judged.deal_id)


def _flagged(
    db: Session, actor: Actor, owner_id: int | None, today: date | None
) -> list[Judgement]:
    book = judge_open_deals(db, actor, owner_id, today=today)
    return sorted((judged for judged in book if judged.flags), key=_rank)


# --- the public functions ----------------------------------------------------------------


def deal_health(
    db: Session, actor: Actor, deal_id: int, *, today: date | None = None
) -> DealHealth:
    """One deal's flags (none for a closed deal). 404 when the deal is not the actor's to see."""
    deal = get_readable(db, Deal, deal_id, actor, "deal")
    found = _book(db, actor, deal.owner_id, _open_scope(Deal.id == deal.id), today)
    return DealHealth(deal, found[0].flags, found[0].facts) if found else DealHealth(deal, [])


def judge_open_deals(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> list[Judgement]:
    """Every open deal of a book judged (flags, none when healthy), by deal id, without
    loading the deals themselves."""
    owner = readable_owner(actor, owner_id)
    return _book(db, actor, owner, _open_scope(Deal.owner_id == owner), today)


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
    """One page of a book's flagged open deals, most urgent first; only its deals are loaded."""
    shown = page_of(_flagged(db, actor, owner_id, today), page, per_page)
    return Page(_with_deals(db, shown.items), shown.total, shown.page, shown.per_page)


def flagged_count(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> int:
    """How many open deals of a book raise at least one flag."""
    return len(_flagged(db, actor, owner_id, today))


def flags_by_deal(
    db: Session,
    actor: Actor,
    owner_id: int | None = None,
    *,
    deal_ids: Collection[int],
    today: date | None = None,
) -> dict[int, list[Flag]]:
    """Deal id -> its flags, for those of ``deal_ids`` that are open deals of the book and
    flagged (the badges on the board's cards: only the cards shown are judged)."""
    owner = readable_owner(actor, owner_id)
    scope = _open_scope(Deal.owner_id == owner, Deal.id.in_(list(deal_ids)))
    return {j.deal_id: j.flags for j in _book(db, actor, owner, scope, today) if j.flags}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A diagnosis interaction Today suggests for a flagged deal with nothing planned."""

    health: DealHealth
    flag: Flag
    contact: Contact

    @property
    def deal(self) -> Deal:
        return self.health.deal

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
        return self.health.plan_url(self.flag)


def suggested_diagnoses(
    db: Session,
    actor: Actor,
    today: date | None = None,
    *,
    page: int = 1,
    per_page: int = HEALTH_PER_PAGE,
) -> Page[Diagnosis]:
    """For Today and the API: one diagnosis per flagged deal of the actor's that has nothing
    planned, most urgent first, a page at a time (only the page's deals are loaded).

    The suggestion uses the deal's most urgent flag and needs someone to get in touch with
    (a deal with no contact is still on the health page). Deals with an overdue promise are
    left out: Today already proposes the follow-up on the promise itself.
    """
    chosen = page_of(
        [
            judged
            for judged in _flagged(db, actor, None, today)
            if not judged.facts.next_step_planned
            and not any(flag.rule == Rule.PROMISE_OVERDUE for flag in judged.flags)
            and judged.contact_for(judged.flags[0]) is not None
        ],
        page,
        per_page,
    )
    shown = _with_deals(db, chosen.items)
    wanted = {h.contact_for(h.flags[0]) for h in shown}
    contacts = {c.id: c for c in db.scalars(select(Contact).where(Contact.id.in_(wanted)))}
    diagnoses = [Diagnosis(h, h.flags[0], contacts[h.contact_for(h.flags[0]) or 0]) for h in shown]
    return Page(diagnoses, chosen.total, chosen.page, chosen.per_page)


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


def stage_thresholds_of(stage: PipelineStage) -> Thresholds:
    return thresholds_for(
        stage.key,
        max_days_in_stage=stage.max_days_in_stage,
        stall_attempts=stage.stall_attempts,
        stall_days=stage.stall_days,
    )


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
