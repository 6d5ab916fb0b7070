"""Planning pages (one interaction or a calling block) and logging an outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from aimfire.domain.interactions import (
    Channel,
    NextStepKind,
    ObjectiveMet,
    QualityFactor,
    Reached,
    Reason,
    Result,
    joint_meeting_objective,
    someone_else_involved,
)
from aimfire.domain.objective import check_objective
from aimfire.domain.playbooks import split_questions
from aimfire.errors import AppError
from aimfire.services import choices, interactions, playbooks
from aimfire.services.validation import parse_input
from aimfire.store.models import Interaction
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error, safe_path
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/interactions")
PLAN_FIELDS = (
    "contact_id", "deal_id", "type_id", "reason", "channel", "objective", "learning_questions",
    "best_outcome", "minimum_outcome", "scheduled_at", "planned_minutes", "follows_commitment_id",
)  # fmt: skip
PLAN_FORM = "interactions/plan.html"
LOG_FORM = "interactions/log.html"
COMMITMENT_ROWS = 3


def local_input_value(moment: datetime, time_zone: str) -> str:
    """An instant as the value of an <input type="datetime-local"> in the user's zone."""
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%dT%H:%M")


def _plan_choices(db: DbSession, actor: PageActor, form: dict[str, str]) -> dict[str, Any]:
    return {
        "contacts": choices.contact_choices(db, actor, form.get("contact_id")),
        "deals": choices.deal_choices(db, actor, form.get("deal_id")),
        "playbooks": playbooks.playbooks_for(db, actor),
        "reasons": list(Reason),
        "channels": list(Channel),
    }


def _plan_page(request: Request, db: DbSession, actor: PageActor, **context: Any) -> Response:
    form = context.get("form", {})
    check = check_objective(form.get("objective", ""), channel=form.get("channel") or None)
    page = {"interaction": None, "check": check, **_plan_choices(db, actor, form), **context}
    return render(request, PLAN_FORM, page)


@router.get("/new")
def new_plan(request: Request, db: DbSession, actor: PageActor) -> Response:
    form = {name: request.query_params.get(name, "") for name in PLAN_FIELDS}
    if not form["scheduled_at"]:
        soon = datetime.now(ZoneInfo(actor.user.time_zone)).replace(second=0, microsecond=0)
        form["scheduled_at"] = local_input_value(soon + timedelta(hours=1), actor.user.time_zone)
    return _plan_page(request, db, actor, form=form)


@router.post("")
def create_plan(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, *PLAN_FIELDS)
    try:
        planned = interactions.plan_interaction(
            db, actor, parse_input(interactions.PlanInput, fields)
        )
    except AppError as error:
        db.rollback()
        return form_error(request, PLAN_FORM, fields, error, **_plan_context(db, actor, fields))
    db.commit()
    return redirect(f"/interactions/{planned.id}", "Planned.")


def _plan_context(db: DbSession, actor: PageActor, fields: dict[str, str]) -> dict[str, Any]:
    check = check_objective(fields.get("objective", ""), channel=fields.get("channel") or None)
    return {"interaction": None, "check": check, **_plan_choices(db, actor, fields)}


@router.get("/{interaction_id}")
def interaction_page(
    request: Request, db: DbSession, actor: PageActor, interaction_id: int
) -> Response:
    interaction = interactions.get_interaction(db, actor, interaction_id)
    context = {
        "interaction": interaction,
        "problems": interactions.plan_problems(interaction),
        "check": check_objective(interaction.objective, channel=interaction.channel),
        "questions": split_questions(interaction.learning_questions),
    }
    return render(request, "interactions/detail.html", context)


@router.get("/{interaction_id}/edit")
def edit_plan(request: Request, db: DbSession, actor: PageActor, interaction_id: int) -> Response:
    interaction = interactions.get_interaction(db, actor, interaction_id)
    form = {name: getattr(interaction, name) for name in PLAN_FIELDS if name != "scheduled_at"}
    form = {name: "" if value is None else str(value) for name, value in form.items()}
    form["scheduled_at"] = local_input_value(interaction.scheduled_at, actor.user.time_zone)
    return _plan_page(request, db, actor, form=form, interaction=interaction)


@router.post("/{interaction_id}")
def update_plan(
    request: Request, db: DbSession, actor: PageActor, form: Form, interaction_id: int
) -> Response:
    fields = form_dict(form, *PLAN_FIELDS)
    interaction = interactions.get_interaction(db, actor, interaction_id)
    try:
        interactions.update_plan(
            db, actor, interaction_id, parse_input(interactions.PlanInput, fields)
        )
    except AppError as error:
        db.rollback()
        context = _plan_context(db, actor, fields) | {"interaction": interaction}
        return form_error(request, PLAN_FORM, fields, error, **context)
    db.commit()
    return redirect(safe_path(form.get("back"), f"/interactions/{interaction_id}"), "Plan saved.")


@router.post("/{interaction_id}/cancel")
def cancel_plan(db: DbSession, actor: PageActor, _form: Form, interaction_id: int) -> Response:
    interactions.cancel_interaction(db, actor, interaction_id)
    db.commit()
    return redirect("/today", "Cancelled.")


def log_context(db: DbSession, actor: PageActor, interaction: Interaction) -> dict[str, Any]:
    suggested = playbooks.type_for_stage(db, actor, interaction.deal) or interaction.type
    return {
        "interaction": interaction,
        "questions": split_questions(interaction.learning_questions),
        "reached": list(Reached),
        "met": list(ObjectiveMet),
        "results": list(Result),
        "factors": list(QualityFactor),
        "channels": list(Channel),
        "next_kinds": list(NextStepKind),
        "types": playbooks.types_for(db, actor),
        "suggested_type": suggested,
        "commitment_rows": range(COMMITMENT_ROWS),
        "history": [
            past
            for past in interactions.timeline(db, actor, contact_id=interaction.contact_id)
            if past.status == "done"
        ][:5],
    }


def log_defaults(interaction: Interaction, context: dict[str, Any], zone: str) -> dict[str, str]:
    suggested = context["suggested_type"]
    tomorrow = datetime.now(ZoneInfo(zone)).replace(hour=10, minute=0) + timedelta(days=1)
    return {
        "next_channel": suggested.default_channel if suggested else interaction.channel or "",
        "next_objective": suggested.default_objective if suggested else "",
        "next_type_id": str(suggested.id) if suggested else "",
        "next_scheduled_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        "actual_minutes": str(interaction.planned_minutes or ""),
    }


@router.get("/{interaction_id}/log")
def log_page(request: Request, db: DbSession, actor: PageActor, interaction_id: int) -> Response:
    interaction = interactions.get_interaction(db, actor, interaction_id)
    context = log_context(db, actor, interaction)
    form = log_defaults(interaction, context, actor.user.time_zone)
    return render(request, LOG_FORM, {**context, "form": form})


def outcome_from_form(form: FormData) -> dict[str, Any]:
    """The outcome form's flat fields as the nested shape OutcomeInput expects."""
    text = {key: str(value) for key, value in form.items()}
    data: dict[str, Any] = {
        name: text.get(name, "")
        for name in ("reached", "objective_met", "result", "learned", "actual_minutes")
    }
    data.update({factor.value: text.get(factor.value, "") for factor in QualityFactor})
    data["answers"] = [str(a) for a in form.getlist("answers")]
    data["commitments"] = [
        {
            "party": text.get(f"c{row}_party", ""),
            "description": text[f"c{row}_description"],
            "due_on": text.get(f"c{row}_due_on", ""),
        }
        for row in range(COMMITMENT_ROWS)
        if text.get(f"c{row}_description", "").strip()
    ]
    data["next_step"] = text.get("next_step", "")
    data["no_next_step_reason"] = text.get("no_next_step_reason", "")
    if data["next_step"] == NextStepKind.SCHEDULED:
        data["next"] = {
            "scheduled_at": text.get("next_scheduled_at", ""),
            "channel": text.get("next_channel", ""),
            "objective": text.get("next_objective", ""),
            "type_id": text.get("next_type_id", ""),
        }
    return data


def joint_meeting_hint(data: dict[str, Any]) -> str | None:
    """When a prospect's promise hangs on someone else, suggest meeting with them too."""
    for promise in data["commitments"]:
        if promise["party"] == "prospect" and (
            who := someone_else_involved(promise["description"])
        ):
            return joint_meeting_objective(who)
    return None


@router.post("/{interaction_id}/log")
def log_outcome(
    request: Request, db: DbSession, actor: PageActor, form: Form, interaction_id: int
) -> Response:
    interaction = interactions.get_interaction(db, actor, interaction_id)
    data = outcome_from_form(form)
    try:
        interactions.log_outcome(
            db, actor, interaction_id, parse_input(interactions.OutcomeInput, data)
        )
    except AppError as error:
        db.rollback()
        fields: dict[str, Any] = {key: str(value) for key, value in form.items()}
        fields["answers"] = data["answers"]
        context = log_context(db, actor, interaction) | {"joint_hint": joint_meeting_hint(data)}
        return form_error(request, LOG_FORM, fields, error, **context)
    db.commit()
    back = safe_path(form.get("back"), f"/interactions/{interaction_id}")
    return redirect(back, "Outcome logged.")
