"""Post-mortem pages: closing a deal with its reasons and lesson, and the loss report."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from aimfire.domain.pipeline import StageOutcome
from aimfire.domain.postmortem import REASON_LABELS, LossReason, Outcome
from aimfire.errors import AppError
from aimfire.services import postmortems
from aimfire.services.access import Actor, get_writable, readable_owners
from aimfire.services.validation import Input, parse_input
from aimfire.store.models import Deal
from aimfire.web import loss_charts
from aimfire.web.deps import DbSession, Form, PageActor
from aimfire.web.forms import form_error
from aimfire.web.templating import redirect, render

router = APIRouter()
CLOSE_FORM = "postmortems/close.html"


def _close_context(deal: Deal) -> dict[str, Any]:
    return {
        "deal": deal,
        "outcomes": list(Outcome),
        "reason_choices": [(reason.value, REASON_LABELS[reason]) for reason in LossReason],
    }


def _outcome_for(deal: Deal, asked: str) -> str:
    if asked in set(Outcome):
        return asked
    return Outcome.WON.value if deal.stage.outcome == StageOutcome.WON else Outcome.LOST.value


@router.get("/deals/{deal_id}/close")
def close_form(
    request: Request, db: DbSession, actor: PageActor, deal_id: int, outcome: str = ""
) -> Response:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    existing = postmortems.get_post_mortem(db, actor, deal.id)
    form: dict[str, Any] = {"outcome": _outcome_for(deal, outcome), "reasons": [], "lesson": ""}
    if existing is not None and not outcome:
        form = {"outcome": existing.outcome, "reasons": existing.reasons, "lesson": existing.lesson}
    return render(request, CLOSE_FORM, {"form": form, **_close_context(deal)})


@router.post("/deals/{deal_id}/close")
def close_deal(
    request: Request, db: DbSession, actor: PageActor, form: Form, deal_id: int
) -> Response:
    deal = get_writable(db, Deal, deal_id, actor, "deal")
    fields: dict[str, Any] = {
        "outcome": str(form.get("outcome", "")),
        "reasons": [str(value) for value in form.getlist("reasons")],
        "lesson": str(form.get("lesson", "")),
    }
    try:
        data = parse_input(postmortems.CloseInput, fields)
        post_mortem = postmortems.close_deal(db, actor, deal_id, data)
    except AppError as error:
        db.rollback()
        deal = get_writable(db, Deal, deal_id, actor, "deal")
        return form_error(request, CLOSE_FORM, fields, error, **_close_context(deal))
    db.commit()
    done = {
        Outcome.WON: "Closed as won. Well done.",
        Outcome.LOST: "Closed as lost, with its lesson.",
        Outcome.ABANDONED: "Closed as abandoned, with its lesson.",
    }
    return redirect(f"/deals/{deal_id}", done[Outcome(post_mortem.outcome)])


class ReportQuery(Input):
    start: date | None = None
    end: date | None = None
    owner_id: int | None = None
    team: bool = False


def _report_context(db: Session, actor: Actor, query: ReportQuery) -> dict[str, Any]:
    report = postmortems.losses_report(
        db, actor, start=query.start, end=query.end, owner_id=query.owner_id, team=query.team
    )
    return {
        "report": report,
        "query": query,
        "owners": readable_owners(db, actor),
        "reasons_chart": loss_charts.reasons_chart(report),
        "factor_charts": {f.key: loss_charts.factor_chart(f) for f in report.factors},
    }


@router.get("/reports/losses")
def losses_page(request: Request, db: DbSession, actor: PageActor) -> Response:
    params = {
        name: request.query_params.get(name, "") for name in ("start", "end", "owner_id", "team")
    }
    params["team"] = "true" if params["team"] in {"1", "true", "on"} else "false"
    query = parse_input(ReportQuery, params)
    return render(request, "postmortems/losses.html", _report_context(db, actor, query))
