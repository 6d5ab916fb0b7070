"""The proposal guard: no proposal leaves without a firm, scheduled follow-up meeting.

Marking a proposal as sent asks, in the same step, for the follow-up meeting (when, in person
or on video, its objective). The rep may skip it; the deal is then flagged by deal health
until a meeting is booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole
from aimfire.domain.health import PROPOSAL_FOLLOW_UP_OBJECTIVE, PROPOSAL_STAGE_KEY, MeetingChannel
from aimfire.domain.interactions import Channel, Reason, local_today
from aimfire.domain.pipeline import StageOutcome
from aimfire.errors import Conflict, Invalid
from aimfire.services.access import Actor, get_writable
from aimfire.services.deals import StageMove, move_deal
from aimfire.services.interactions import PlanInput, local_instant, plan_interaction
from aimfire.services.validation import Input
from aimfire.store.models import Contact, Deal, Interaction, PipelineStage
from aimfire.store.types import utcnow


class FollowUpInput(Input):
    scheduled_at: datetime = Field(
        description="When the follow-up meeting is: an instant, or local time in your time zone"
    )
    channel: MeetingChannel = MeetingChannel.MEETING
    objective: str = Field(default=PROPOSAL_FOLLOW_UP_OBJECTIVE, min_length=1, max_length=2000)
    contact_id: int | None = Field(
        default=None, description="Who the meeting is with; default: the deal's decision maker"
    )
    planned_minutes: int | None = Field(default=None, ge=1, le=24 * 60)


class ProposalInput(Input):
    sent_on: date | None = Field(default=None, description="Default: today, in your time zone")
    follow_up: FollowUpInput | None = Field(
        default=None,
        description="The follow-up meeting. Leave it out to skip it: the deal is then flagged "
        "until a meeting is booked.",
    )


@dataclass(frozen=True, slots=True)
class ProposalSent:
    deal: Deal
    follow_up: Interaction | None


def _meeting_contact(db: Session, actor: Actor, deal: Deal, contact_id: int | None) -> int:
    if contact_id is not None:
        contact = db.get(Contact, contact_id)
        if contact is None or contact.owner_id != actor.id:
            raise Invalid.on("follow_up.contact_id", "Choose one of your own contacts.")
        return contact.id
    decider = next((p for p in deal.people if p.role == ContactRole.DECISION_MAKER), None)
    if decider is not None:
        return decider.contact_id
    if deal.contact_id is not None:
        return deal.contact_id
    raise Invalid.on("follow_up.contact_id", "Choose who the follow-up meeting is with.")


def _proposal_stage(db: Session) -> PipelineStage | None:
    return db.scalar(
        select(PipelineStage).where(
            PipelineStage.key == PROPOSAL_STAGE_KEY, PipelineStage.is_active
        )
    )


def mark_proposal_sent(
    db: Session, actor: Actor, deal_id: int, data: ProposalInput
) -> ProposalSent:
    """Record the proposal's date, move the deal up to the proposal stage when it is earlier,
    and book the follow-up meeting unless the rep skipped it."""
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    if deal.stage.outcome != StageOutcome.OPEN:
        raise Conflict(f"This deal is closed ({deal.stage.name}); reopen it before a proposal.")
    zone = actor.user.time_zone
    today = local_today(utcnow(), zone)
    sent_on = data.sent_on or today
    if sent_on > today:
        raise Invalid.on("sent_on", "Mark a proposal sent once it has gone out, not ahead.")
    plan = None
    if data.follow_up is not None:
        when = local_instant(data.follow_up.scheduled_at, zone)
        if when <= utcnow():
            raise Invalid.on(
                "follow_up.scheduled_at", "Book the follow-up meeting for a time still to come."
            )
        plan = PlanInput(
            contact_id=_meeting_contact(db, actor, deal, data.follow_up.contact_id),
            deal_id=deal.id,
            reason=Reason.PROPOSAL_FOLLOW_UP,
            channel=Channel(data.follow_up.channel.value),
            objective=data.follow_up.objective,
            scheduled_at=when,
            planned_minutes=data.follow_up.planned_minutes,
        )
    deal.proposal_sent_on = sent_on
    stage = _proposal_stage(db)
    if stage is not None and deal.stage.position < stage.position:
        move_deal(db, actor, deal.id, StageMove(stage_id=stage.id))
    follow_up = plan_interaction(db, actor, plan) if plan is not None else None
    db.flush()
    return ProposalSent(deal, follow_up)
