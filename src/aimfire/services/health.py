"""Deal health for a book: each open deal's facts gathered in a few aggregate queries, judged
by ``domain.health``, and the diagnosis interactions Today suggests for the flagged ones.

However many deals a book holds, the flags cost the same handful of queries (deals, decision
makers, interaction aggregates, unanswered attempts, overdue promises); nothing is queried per
deal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from pydantic import Field
from sqlalchemy import ColumnElement, Select, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole
from aimfire.domain.health import (
    PROPOSAL_STAGE_KEY,
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
from aimfire.services.pipeline import get_stage, list_stages
from aimfire.services.validation import Input
from aimfire.store.models import (
    Commitment,
    Contact,
    Deal,
    DealContact,
    Interaction,
    PipelineStage,
    User,
)
from aimfire.store.types import UTCDateTime, utcnow

UNANSWERED = (Reached.VOICEMAIL, Reached.NO_ANSWER, Reached.BOUNCED)


@dataclass(frozen=True, slots=True)
class DealHealth:
    deal: Deal
    flags: list[Flag]
    facts: DealFacts | None = None  # None for a closed deal

    def contact_for(self, flag: Flag) -> int | None:
        """Who the diagnosis interaction is with: the flag's person, else the deal's contact."""
        if flag.contact_id is not None:
            return flag.contact_id
        if self.deal.contact_id is not None:
            return self.deal.contact_id
        return self.facts.decision_maker_contact_id if self.facts else None

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
) -> list[DealHealth]:
    zone = _owner_zone(db, actor, owner_id)
    day = today if today is not None else local_today(utcnow(), zone)
    return _gather(db, scope, today=day, time_zone=zone)


def _open_scope(*where: ColumnElement[bool]) -> Select[tuple[int]]:
    return (
        select(Deal.id)
        .join(PipelineStage, PipelineStage.id == Deal.stage_id)
        .where(PipelineStage.outcome == StageOutcome.OPEN, *where)
    )


def _gather(
    db: Session, scope: Select[tuple[int]], *, today: date, time_zone: str
) -> list[DealHealth]:
    deals = list(db.scalars(select(Deal).where(Deal.id.in_(scope)).order_by(Deal.id)).unique())
    if not deals:
        return []
    proposal_position = db.scalar(
        select(PipelineStage.position).where(PipelineStage.key == PROPOSAL_STAGE_KEY)
    )
    deciders = _decision_makers(db, scope)
    activity = _activity(db, scope)
    silence = _unanswered(db, scope)
    promises = _overdue_promises(db, scope, today)
    result = []
    for deal in deals:
        stage = deal.stage
        decider = deciders.get(deal.id)
        latest_meeting, planned, last_conversation = activity.get(deal.id, (None, 0, None))
        attempts, first_unanswered = silence.get(deal.id, (0, None))
        facts = DealFacts(
            stage_key=stage.key,
            stage_name=stage.name,
            stage_position=stage.position,
            stage_entered_at=deal.stage_entered_at,
            thresholds=stage_thresholds_of(stage),
            stage_outcome=stage.outcome,
            proposal_stage_position=proposal_position,
            proposal_sent_on=deal.proposal_sent_on,
            latest_meeting_at=latest_meeting,
            next_step_planned=planned > 0,
            unanswered_attempts=attempts,
            last_conversation_at=last_conversation,
            first_unanswered_at=first_unanswered,
            decision_maker_identified=decider is not None,
            decision_maker_met=deal.decision_maker_met,
            decision_maker_contact_id=decider[0] if decider else None,
            decision_maker_name=decider[1] if decider else "",
            promises=tuple(promises.get(deal.id, ())),
        )
        result.append(DealHealth(deal, evaluate(facts, today=today, time_zone=time_zone), facts))
    return result


def _decision_makers(db: Session, scope: Select[tuple[int]]) -> dict[int, tuple[int, str]]:
    rows = db.execute(
        select(DealContact.deal_id, Contact.id, Contact.first_name, Contact.last_name)
        .join(Contact, Contact.id == DealContact.contact_id)
        .where(DealContact.deal_id.in_(scope), DealContact.role == ContactRole.DECISION_MAKER)
        .order_by(DealContact.deal_id.desc(), DealContact.id.desc())
    )
    # Ordered last to first, so the first-named decision maker of each deal is kept.
    return {deal_id: (cid, f"{first} {last}".strip()) for deal_id, cid, first, last in rows}


def _when() -> ColumnElement[object]:
    return func.coalesce(Interaction.logged_at, Interaction.scheduled_at)


_CONNECTED = (Interaction.status == Status.DONE) & (Interaction.reached == Reached.CONNECTED)


def _activity(db: Session, scope: Select[tuple[int]]) -> dict[int, tuple[object, int, object]]:
    """Per deal: the latest meeting planned or held, planned interactions, last conversation."""
    meeting = Interaction.channel.in_(list(MEETING_CHANNELS)) & (
        (Interaction.status == Status.PLANNED) | _CONNECTED
    )
    rows = db.execute(
        select(
            Interaction.deal_id,
            type_coerce(func.max(case((meeting, Interaction.scheduled_at))), UTCDateTime),
            func.count(case((Interaction.status == Status.PLANNED, Interaction.id))),
            type_coerce(func.max(case((_CONNECTED, _when()))), UTCDateTime),
        )
        .where(Interaction.deal_id.in_(scope))
        .group_by(Interaction.deal_id)
    )
    return {deal_id: (meeting_at, planned, talked) for deal_id, meeting_at, planned, talked in rows}


def _unanswered(db: Session, scope: Select[tuple[int]]) -> dict[int, tuple[int, object]]:
    """Per deal: attempts that reached nobody since the last conversation, and the first one.

    One pass over the deals' interactions, the last conversation found by a window function:
    a join to a per-deal "last conversation" subquery let PostgreSQL choose a nested loop
    that took minutes on a book of a million interactions.
    """
    when = _when()
    history = (
        select(
            Interaction.deal_id.label("deal_id"),
            Interaction.id.label("id"),
            when.label("at"),
            (Interaction.status == Status.DONE).label("done"),
            Interaction.reached.label("reached"),
            func.max(case((_CONNECTED, when)))
            .over(partition_by=Interaction.deal_id)
            .label("last_talk"),
        )
        .where(Interaction.deal_id.in_(scope))
        .subquery()
    )
    rows = db.execute(
        select(
            history.c.deal_id,
            func.count(history.c.id),
            type_coerce(func.min(history.c.at), UTCDateTime),
        )
        .where(
            history.c.done,
            history.c.reached.in_(UNANSWERED),
            or_(history.c.last_talk.is_(None), history.c.at > history.c.last_talk),
        )
        .group_by(history.c.deal_id)
    )
    return {deal_id: (count, first) for deal_id, count, first in rows}


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


def _rank(health: DealHealth) -> tuple[int, int, int]:
    order = list(Rule)
    return (order.index(health.flags[0].rule), -health.deal.value_cents, health.deal.id)


# --- the public functions ----------------------------------------------------------------


def deal_health(
    db: Session, actor: Actor, deal_id: int, *, today: date | None = None
) -> DealHealth:
    """One deal's flags (none for a closed deal). 404 when the deal is not the actor's to see."""
    deal = get_readable(db, Deal, deal_id, actor, "deal")
    found = _book(db, actor, deal.owner_id, _open_scope(Deal.id == deal.id), today)
    return found[0] if found else DealHealth(deal, [])


def open_deals_health(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> list[DealHealth]:
    """Every open deal of a book with its flags (none when healthy), by deal id."""
    owner = readable_owner(actor, owner_id)
    return _book(db, actor, owner, _open_scope(Deal.owner_id == owner), today)


def deal_flags_for_owner(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> list[DealHealth]:
    """The flagged open deals of a book (the actor's, or a coached rep's), most urgent first."""
    book = open_deals_health(db, actor, owner_id, today=today)
    return sorted((h for h in book if h.flags), key=_rank)


def flags_by_deal(
    db: Session, actor: Actor, owner_id: int | None = None, *, today: date | None = None
) -> dict[int, list[Flag]]:
    """Deal id -> its flags, for badges on the pipeline board (one batch for the whole book)."""
    return {h.deal.id: h.flags for h in deal_flags_for_owner(db, actor, owner_id, today=today)}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A diagnosis interaction Today suggests for a flagged deal with nothing planned."""

    health: DealHealth
    flag: Flag
    contact: Contact | None

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


def suggested_diagnoses(db: Session, actor: Actor, today: date | None = None) -> list[Diagnosis]:
    """For Today: one diagnosis per flagged deal of the actor's that has nothing planned.

    The suggestion uses the deal's most urgent flag. Deals with an overdue promise are left
    out: Today already proposes the follow-up on the promise itself.
    """
    chosen: list[tuple[DealHealth, Flag]] = []
    for health in deal_flags_for_owner(db, actor, today=today):
        if health.facts is None or health.facts.next_step_planned:
            continue
        if any(flag.rule == Rule.PROMISE_OVERDUE for flag in health.flags):
            continue
        chosen.append((health, health.flags[0]))
    wanted = {h.contact_for(f) for h, f in chosen} - {None}
    contacts = {c.id: c for c in db.scalars(select(Contact).where(Contact.id.in_(wanted)))}
    return [Diagnosis(h, f, contacts.get(h.contact_for(f) or 0)) for h, f in chosen]


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
