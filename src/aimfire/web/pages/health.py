"""Deal health pages: the flagged deals of a book, the proposal guard, per-stage thresholds."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole
from aimfire.domain.health import PROPOSAL_FOLLOW_UP_OBJECTIVE, MeetingChannel
from aimfire.domain.interactions import local_today
from aimfire.domain.pipeline import StageOutcome
from aimfire.domain.postmortem import REASON_LABELS
from aimfire.errors import AppError, FieldProblem, Invalid
from aimfire.services import choices, health, postmortems, proposals
from aimfire.services.access import Actor, get_writable, readable_owners
from aimfire.services.deals import get_deal
from aimfire.services.validation import parse_input
from aimfire.store.models import Contact, Deal
from aimfire.store.types import utcnow
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error
from aimfire.web.templating import redirect, render

router = APIRouter()
PROPOSAL_FIELDS = (
    "sent_on", "follow_up_at", "follow_up_channel", "follow_up_objective", "follow_up_contact_id",
)  # fmt: skip
# Where the service names a problem -> the form field that shows it.
PROPOSAL_FIELD_NAMES = {
    "follow_up.scheduled_at": "follow_up_at",
    "follow_up.channel": "follow_up_channel",
    "follow_up.objective": "follow_up_objective",
    "follow_up.contact_id": "follow_up_contact_id",
}
LIMITS = ("max_days_in_stage", "stall_attempts", "stall_days")


@router.get("/health")
def health_page(
    request: Request, db: DbSession, actor: PageActor, owner_id: int | None = None, page: int = 1
) -> Response:
    flagged = health.flagged_deals_page(db, actor, owner_id, page=page)
    context = {
        "flagged": flagged,
        "owner_id": owner_id,
        "owners": readable_owners(db, actor),
        "mine": (owner_id or actor.id) == actor.id,
    }
    return render(request, "health/list.html", context)


def _proposal_defaults(actor: Actor, deal: Deal) -> dict[str, str]:
    decider = next((p for p in deal.people if p.role == ContactRole.DECISION_MAKER), None)
    contact_id = decider.contact_id if decider else deal.contact_id
    return {
        "sent_on": local_today(utcnow(), actor.user.time_zone).isoformat(),
        "follow_up_channel": MeetingChannel.MEETING.value,
        "follow_up_objective": PROPOSAL_FOLLOW_UP_OBJECTIVE,
        "follow_up_contact_id": str(contact_id or ""),
        "follow_up_at": "",
    }


def _meeting_contacts(db: Session, actor: Actor, fields: dict[str, str]) -> list[Contact]:
    return choices.contact_choices(db, actor, fields.get("follow_up_contact_id"))


def deal_context(db: Session, actor: Actor, deal: Deal) -> dict[str, Any]:
    """What the deal page shows about health: flags, the proposal guard, the post-mortem."""
    mine = deal.owner_id == actor.id
    is_open = deal.stage.outcome == StageOutcome.OPEN
    proposal = _proposal_defaults(actor, deal) if mine and is_open else None
    return {
        "health": health.deal_health(db, actor, deal.id),
        "post_mortem": postmortems.get_post_mortem(db, actor, deal.id),
        "proposal_form": proposal,
        "meeting_channels": list(MeetingChannel),
        "meeting_contacts": _meeting_contacts(db, actor, proposal) if proposal else [],
        "reason_labels": {reason.value: label for reason, label in REASON_LABELS.items()},
    }


@router.get("/deals/{deal_id}/proposal")
def proposal_form(request: Request, db: DbSession, actor: PageActor, deal_id: int) -> Response:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    return _proposal_page(request, db, actor, deal, _proposal_defaults(actor, deal))


def _proposal_page(
    request: Request,
    db: Session,
    actor: Actor,
    deal: Deal,
    fields: dict[str, str],
    error: AppError | None = None,
) -> Response:
    context = {
        "deal": deal,
        "proposal_form": fields,
        "meeting_channels": list(MeetingChannel),
        "meeting_contacts": _meeting_contacts(db, actor, fields),
    }
    if error is None:
        return render(request, "health/proposal.html", context)
    return form_error(request, "health/proposal.html", fields, error, **context)


def _proposal_data(fields: dict[str, str], skip: bool) -> dict[str, object]:
    data: dict[str, object] = {"sent_on": fields.get("sent_on", "")}
    if skip:
        return data
    if not fields.get("follow_up_at"):
        raise Invalid.on(
            "follow_up_at",
            "Give the follow-up meeting the date and time you agreed with them, or choose "
            "“Mark sent without a meeting”.",
        )
    data["follow_up"] = {
        "scheduled_at": fields["follow_up_at"],
        "channel": fields.get("follow_up_channel", ""),
        "objective": fields.get("follow_up_objective", ""),
        "contact_id": fields.get("follow_up_contact_id", ""),
    }
    return data


def _on_form_fields(error: AppError) -> AppError:
    """The same error, naming the form's fields instead of the service's."""
    renamed = [
        FieldProblem(PROPOSAL_FIELD_NAMES.get(p.field, p.field), p.message) for p in error.fields
    ]
    return AppError(error.message, error.status, error.code, renamed)


@router.post("/deals/{deal_id}/proposal")
def mark_proposal_sent(
    request: Request, db: DbSession, actor: PageActor, form: Form, deal_id: int
) -> Response:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    fields = form_dict(form, *PROPOSAL_FIELDS)
    skip = form.get("action") == "skip"
    try:
        data = parse_input(proposals.ProposalInput, _proposal_data(fields, skip))
        sent = proposals.mark_proposal_sent(db, actor, deal_id, data)
    except AppError as error:
        db.rollback()
        deal = get_deal(db, actor, deal_id)
        return _proposal_page(request, db, actor, deal, fields, _on_form_fields(error))
    db.commit()
    if sent.follow_up is None:
        message = (
            "Proposal marked sent with no follow-up meeting: the deal stays flagged until "
            "one is booked."
        )
    else:
        when = sent.follow_up.scheduled_at.astimezone(ZoneInfo(actor.user.time_zone))
        message = f"Proposal marked sent; follow-up meeting booked for {when:%a %d %b, %H:%M}."
    return redirect(f"/deals/{deal.id}", message)


@router.get("/health/thresholds")
def thresholds_page(request: Request, db: DbSession, actor: PageActor) -> Response:
    return render(request, "health/thresholds.html", {"rows": health.stage_thresholds(db)})


@router.post("/health/thresholds/{stage_id}")
def set_thresholds(
    request: Request, db: DbSession, actor: PageActor, form: Form, stage_id: int
) -> Response:
    fields = form_dict(form, *LIMITS)
    try:
        data = parse_input(health.StageThresholdsInput, fields)
        stage = health.set_stage_thresholds(db, actor, stage_id, data)
    except AppError as error:
        db.rollback()
        rows = health.stage_thresholds(db)
        return form_error(
            request, "health/thresholds.html", fields, error, rows=rows, failed=stage_id
        )
    db.commit()
    return redirect("/health/thresholds", f"Limits for {stage.name} saved.")
