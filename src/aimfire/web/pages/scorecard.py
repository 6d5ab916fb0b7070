"""The weekly scorecard: three yes/no lines, rates, quality, trend charts and coach notes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.errors import AppError, NotFound
from aimfire.services import coaching, scorecard
from aimfire.services.access import Actor
from aimfire.services.scorecard import WeekScore
from aimfire.services.validation import parse_input
from aimfire.services.weeks import neighbour_label
from aimfire.web.charts import CHART_CSP, CHARTS, chart_svg, chart_title
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error, safe_path
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/scorecard")
PAGE = "scorecard/page.html"


def scorecard_context(
    db: DbSession, actor: Actor, trend: list[WeekScore], owner_id: int | None = None
) -> dict[str, Any]:
    """What the scorecard partial needs; the coach's view of a rep uses it too."""
    score = trend[-1]
    notes = coaching.notes_for_week(db, score.owner.id, score.week)
    query = f"week={score.week.label}" + (f"&owner_id={owner_id}" if owner_id else "")
    return {
        "score": score,
        "trend": trend,
        "notes": notes,
        "subjects": coaching.note_subjects(db, notes),
        "previous_week": neighbour_label(score.owner, score.week, -1),
        "next_week": neighbour_label(score.owner, score.week, 1),
        "charts": [
            (f"/scorecard/charts/{name}.svg?{query}", chart_title(name, trend)) for name in CHARTS
        ],
        "own": score.owner.id == actor.id,
    }


def _page_context(db: DbSession, actor: Actor, week: str | None) -> dict[str, Any]:
    trend = scorecard.trend(db, actor, week=week or None)
    context = scorecard_context(db, actor, trend)
    hand = scorecard.get_week_targets(db, actor, trend[-1].week.label)
    context["form"] = {
        "sales": "" if hand is None or hand.sales is None else _hand_sales(hand.sales, trend[-1]),
        "base_moves": "" if hand is None or hand.base_moves is None else str(hand.base_moves),
        "conversations": ""
        if hand is None or hand.conversations is None
        else str(hand.conversations),
    }
    return context


def _hand_sales(stored: int, score: WeekScore) -> str:
    return str(stored) if score.targets.sales_kind == "units" else f"{stored / 100:g}"


@router.get("")
def scorecard_page(
    request: Request, db: DbSession, actor: PageActor, week: str | None = None
) -> Response:
    return render(request, PAGE, _page_context(db, actor, week))


@router.get("/charts/{name}.svg")
def chart(
    db: DbSession,
    actor: PageActor,
    name: str,
    week: str | None = None,
    owner_id: int | None = None,
) -> Response:
    if name not in CHARTS:
        raise NotFound("chart")
    trend = scorecard.trend(db, actor, owner_id=owner_id, week=week or None)
    headers = {"Content-Security-Policy": CHART_CSP, "Cache-Control": "private, max-age=60"}
    return Response(chart_svg(name, trend), media_type="image/svg+xml", headers=headers)


@router.post("/targets")
def set_targets(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, "sales", "base_moves", "conversations")
    week = str(form.get("week", ""))
    try:
        data = parse_input(scorecard.WeekTargetsInput, fields)
        saved = scorecard.set_week_targets(db, actor, week, data)
    except AppError as error:
        db.rollback()
        context = _page_context(db, actor, week)
        return form_error(request, PAGE, fields, error, **{**context, "open_targets": True})
    db.commit()
    message = "Targets set by hand." if saved else "Targets follow your behaviour plan again."
    return redirect(f"/scorecard?week={week}", message)


@router.post("/notes/{note_id}/acknowledge")
def acknowledge(db: DbSession, actor: PageActor, form: Form, note_id: int) -> Response:
    note = coaching.acknowledge_note(db, actor, note_id)
    db.commit()
    back = safe_path(form.get("back"), "/scorecard")
    return redirect(back, f"Note from {note.author.name} acknowledged.")
