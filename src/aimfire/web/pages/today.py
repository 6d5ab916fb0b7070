"""Today's queue, the readiness check, work mode, calling blocks and commitments."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.domain.interactions import CommitmentStatus, Party
from aimfire.errors import AppError
from aimfire.services import commitments, contacts, interactions, playbooks, today
from aimfire.services.validation import parse_input
from aimfire.store.types import utcnow
from aimfire.web.deps import DbSession, Form, PageActor
from aimfire.web.forms import form_error, whole_number
from aimfire.web.page_cache import kept_page
from aimfire.web.pages.interactions import LOG_FORM, local_input_value, log_context, log_defaults
from aimfire.web.templating import redirect, render

router = APIRouter()


@router.get("/today")
def today_page(request: Request, db: DbSession, actor: PageActor) -> Response:
    now = utcnow()  # the day of the page kept, and of the queue rendered, is the same
    return kept_page(
        request,
        db,
        actor,
        today.local_day(actor, now),
        lambda: render(request, "today/today.html", {"queue": today.today_queue(db, actor, now)}),
    )


@router.post("/today/start")
def start_block(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    raw = str(form.get("attitude", ""))
    attitude = int(raw) if raw in {"1", "2", "3", "4", "5"} else None
    queue = today.today_queue(db, actor)
    readiness = today.check_readiness(queue, attitude)
    if not readiness.ready:
        context = {"queue": queue, "readiness": readiness, "form": {"attitude": raw}}
        return render(request, "today/today.html", context, status=422)
    today.start_work(db, actor, attitude)
    db.commit()
    return redirect("/work", "Block started. One at a time.")


@router.get("/work")
def work_mode(request: Request, db: DbSession, actor: PageActor) -> Response:
    session = today.current_session(db, actor)
    if session is None:
        return redirect("/today", "Start a block from Today first.")
    state = today.work_state(db, actor, session)
    if state.current is None:
        return render(request, "today/work.html", {"state": state})
    context = log_context(db, actor, state.current)
    form = log_defaults(state.current, context, actor.user.time_zone)
    return render(request, LOG_FORM, {**context, "form": form, "state": state, "back": "/work"})


@router.get("/plan-block")
def plan_block_page(
    request: Request, db: DbSession, actor: PageActor, q: str = "", page: int = 1
) -> Response:
    results = contacts.search_contacts(db, actor, query=q, page=page, per_page=50)
    zone = ZoneInfo(actor.user.time_zone)
    start = datetime.now(zone).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    context = {
        "results": results,
        "q": q,
        "types": playbooks.types_for(db, actor),
        "form": {"scheduled_at": local_input_value(start, actor.user.time_zone)},
    }
    return render(request, "today/plan_block.html", context)


@router.post("/plan-block")
def plan_block(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    picked = (whole_number(value) for value in form.getlist("contact_ids"))
    contact_ids = [contact_id for contact_id in picked if contact_id is not None]
    template = {
        "contact_id": contact_ids[0] if contact_ids else 0,
        "type_id": str(form.get("type_id", "")),
        "scheduled_at": str(form.get("scheduled_at", "")),
    }
    try:
        data = parse_input(interactions.PlanInput, template)
        planned = interactions.bulk_plan(db, actor, contact_ids, data)
    except AppError as error:
        db.rollback()
        results = contacts.search_contacts(db, actor, query=str(form.get("q", "")), per_page=50)
        context = {
            "results": results,
            "q": form.get("q", ""),
            "types": playbooks.types_for(db, actor),
        }
        return form_error(request, "today/plan_block.html", template, error, **context)
    db.commit()
    return redirect("/today", f"{len(planned)} interactions planned. Check each row, then start.")


@router.get("/commitments")
def commitments_page(
    request: Request, db: DbSession, actor: PageActor, status: str = "open", page: int = 1
) -> Response:
    chosen = CommitmentStatus(status) if status in set(CommitmentStatus) else None
    context = {
        "promises": commitments.commitments_page(db, actor, status=chosen, page=page),
        "rates": commitments.keeping_rates(db, actor),
        "status": status,
        "today": today.local_day(actor),
        "parties": list(Party),
    }
    return render(request, "today/commitments.html", context)


@router.post("/commitments/{commitment_id}")
def resolve(db: DbSession, actor: PageActor, form: Form, commitment_id: int) -> Response:
    data = parse_input(commitments.Resolution, {"status": str(form.get("status", ""))})
    promise = commitments.resolve_commitment(db, actor, commitment_id, data)
    db.commit()
    return redirect("/commitments", f"Marked {promise.status}: {promise.description}")
