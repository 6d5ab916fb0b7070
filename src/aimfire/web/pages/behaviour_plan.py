"""The behaviour plan page: goals worked back through the rep's own funnel, in words."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.services import behaviour_plan
from aimfire.services.behaviour_plan import PlanView
from aimfire.services.plan_words import plan_summary
from aimfire.web.deps import DbSession, PageActor, get_settings
from aimfire.web.templating import render

router = APIRouter()

RATE_ROWS = (  # attribute, label, what succeeds, out of what (singular, plural)
    ("average_deal_size", "Average deal size", ("", ""), ("won deal", "won deals")),
    ("close", "Close rate", ("sale", "sales"), ("proposal", "proposals")),
    ("proposal", "Proposal rate", ("proposal", "proposals"), ("meeting", "meetings")),
    ("meeting", "Meeting rate", ("meeting", "meetings"), ("conversation", "conversations")),
    ("connect", "Connect rate", ("conversation", "conversations"), ("attempt", "attempts")),
)
SOURCE_WORDS = {
    "own": "your own history",
    "blended": "yours, blended",
    "prior": "fallback only",
    "unknown": "unknown",
}


def plan_context(request: Request, view: PlanView) -> dict[str, Any]:
    """What the plan partial needs; the coach's view of a rep uses it too."""
    currency = get_settings(request).currency
    return {
        "view": view,
        "summaries": {gp.goal.id: plan_summary(gp, view.basis, currency) for gp in view.plans},
        "rate_rows": [
            (getattr(view.basis.rates, attr), label, success, trial)
            for attr, label, success, trial in RATE_ROWS
        ],
        "source_words": SOURCE_WORDS,
    }


@router.get("/plan")
def plan_page(
    request: Request,
    db: DbSession,
    actor: PageActor,
    window_days: int = behaviour_plan.DEFAULT_WINDOW_DAYS,
) -> Response:
    view = behaviour_plan.behaviour_plan(db, actor, window_days=window_days)
    return render(request, "behaviour_plan/page.html", plan_context(request, view))
