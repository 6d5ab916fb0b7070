"""The coach's pages: every coached rep's week at a glance, and one rep read-only with notes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.domain.coaching import NOTE_PURPOSE, NoteKind
from aimfire.errors import AppError, Invalid
from aimfire.services import behaviour_plan, coaching, goals, health, scorecard
from aimfire.services.access import Actor
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error, whole_number
from aimfire.web.pages.behaviour_plan import plan_context
from aimfire.web.pages.scorecard import scorecard_context
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/coach")
REP_PAGE = "coaching/rep.html"


@router.get("")
def dashboard_page(
    request: Request, db: DbSession, actor: PageActor, week: str | None = None
) -> Response:
    rows = coaching.dashboard(db, actor, week=week or None)
    context = {
        "rows": rows,
        "flagged": {row.rep.id: health.flagged_count(db, actor, row.rep.id) for row in rows},
        "rollups": goals.team_rollups(db, actor),
        "week": week or "",
    }
    return render(request, "coaching/dashboard.html", context)


def _rep_context(
    request: Request, db: DbSession, actor: Actor, rep_id: int, week: str | None
) -> dict[str, Any]:
    rep = coaching.coached_rep(db, actor, rep_id)
    trend = scorecard.trend(db, actor, owner_id=rep.id, week=week or None)
    plan = behaviour_plan.behaviour_plan(db, actor, owner_id=rep.id)
    deals = coaching.open_deals(db, actor, rep.id)
    outcomes = coaching.recent_outcomes(db, actor, rep.id)
    return {
        "rep": rep,
        **scorecard_context(db, actor, trend, owner_id=rep.id),
        **plan_context(request, plan),
        "deals": deals,
        "outcomes": outcomes,
        "note_kinds": [
            (k.value, f"{k.value.replace('_', ' ').capitalize()}: {NOTE_PURPOSE[k]}")
            for k in NoteKind
        ],
        "note_subjects": [("week", f"Their week {trend[-1].week.label}")]
        + [(f"deal:{d.id}", f"Deal: {d.title}") for d in deals]
        + [
            (f"interaction:{i.id}", f"{_what(i.channel)} with {i.contact.full_name}")
            for i in outcomes
        ],
    }


def _what(channel: str | None) -> str:
    return coaching.CHANNEL_NOUNS.get(channel or "", "interaction").capitalize()


@router.get("/reps/{rep_id}")
def rep_page(
    request: Request, db: DbSession, actor: PageActor, rep_id: int, week: str | None = None
) -> Response:
    context = _rep_context(request, db, actor, rep_id, week)
    return render(request, REP_PAGE, {**context, "form": {"kind": "coach", "about": "week"}})


@router.post("/reps/{rep_id}/notes")
def write_note(
    request: Request, db: DbSession, actor: PageActor, form: Form, rep_id: int
) -> Response:
    fields = form_dict(form, "kind", "body", "about", "week")
    about = fields.get("about", "week")
    data = {"kind": fields.get("kind", ""), "body": fields.get("body", "")}
    kind, _, ident = about.partition(":")
    try:
        if kind in ("deal", "interaction"):
            if whole_number(ident) is None:
                raise Invalid.on("about", "Choose what the note is about.")
            data[f"{kind}_id"] = ident
        else:
            data["week"] = fields.get("week", "")
        note = coaching.write_note(db, actor, rep_id, parse_input(coaching.NoteInput, data))
    except AppError as error:
        db.rollback()
        context = _rep_context(request, db, actor, rep_id, fields.get("week"))
        return form_error(request, REP_PAGE, fields, error, **context)
    rep = coaching.coached_rep(db, actor, rep_id)
    db.commit()
    kind_words = note.kind.replace("_", " ")
    return redirect(f"/coach/reps/{rep_id}#notes", f"Note ({kind_words}) sent to {rep.name}.")
