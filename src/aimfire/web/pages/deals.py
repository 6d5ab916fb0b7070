"""Deal pages: the list, the pipeline board, a deal with the people on it, moving stages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aimfire.domain.contacts import ContactRole
from aimfire.domain.pipeline import cents_to_amount
from aimfire.errors import AppError
from aimfire.services import choices, deals, interactions, postmortems
from aimfire.services.access import readable_owners
from aimfire.services.pipeline import list_stages
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, form_dict
from aimfire.web.forms import form_error, safe_path
from aimfire.web.pages.health import deal_context
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/deals")
FIELDS = ("title", "contact_id", "account_id", "value", "stage_id", "expected_close_on", "notes")
FORM = "deals/form.html"


@router.get("")
def deal_list(
    request: Request,
    db: DbSession,
    actor: PageActor,
    q: str = "",
    owner_id: int | None = None,
    stage_id: int | None = None,
    page: int = 1,
) -> Response:
    results = deals.search_deals(
        db, actor, query=q, owner_id=owner_id, stage_id=stage_id, page=page
    )
    context = {
        "results": results,
        "q": q,
        "owner_id": owner_id,
        "stage_id": stage_id,
        "stages": list_stages(db),
        "owners": readable_owners(db, actor),
    }
    return render(request, "deals/list.html", context)


@router.get("/board")
def deal_board(
    request: Request, db: DbSession, actor: PageActor, owner_id: int | None = None
) -> Response:
    owner = owner_id or actor.id
    columns = deals.pipeline_board(db, actor, owner_id)
    context = {
        "columns": columns,
        "stages": [column.stage for column in columns],  # the move dialog's choices
        "owner_id": owner_id,
        "owners": readable_owners(db, actor),
        "can_move": owner == actor.id,
    }
    return render(request, "deals/board.html", context)


def _choices(db: DbSession, actor: PageActor, form: dict[str, str]) -> dict[str, object]:
    return {
        "contacts": choices.contact_choices(db, actor, form.get("contact_id")),
        "accounts": choices.account_choices(db, actor, form.get("account_id")),
        "stages": list_stages(db),
    }


@router.get("/new")
def new_deal(
    request: Request, db: DbSession, actor: PageActor, contact_id: str = "", account_id: str = ""
) -> Response:
    form = {"contact_id": contact_id, "account_id": account_id}
    return render(request, FORM, {"deal": None, "form": form, **_choices(db, actor, form)})


@router.post("")
def create_deal(request: Request, db: DbSession, actor: PageActor, form: Form) -> Response:
    fields = form_dict(form, *FIELDS)
    try:
        deal = deals.create_deal(db, actor, parse_input(deals.DealInput, fields))
    except AppError as error:
        db.rollback()
        return form_error(request, FORM, fields, error, deal=None, **_choices(db, actor, fields))
    db.commit()
    return redirect(f"/deals/{deal.id}", f"Deal '{deal.title}' created.")


@router.get("/{deal_id}")
def deal_page(request: Request, db: DbSession, actor: PageActor, deal_id: int) -> Response:
    deal = deals.get_deal(db, actor, deal_id)
    context = {
        "deal": deal,
        "stages": list_stages(db),
        "roles": list(ContactRole),
        "contacts": choices.contact_choices(db, actor),
        "decision_maker_identified": deals.decision_maker_identified(deal),
        "timeline": interactions.timeline(db, actor, deal_id=deal.id),
        **deal_context(db, actor, deal),
    }
    return render(request, "deals/detail.html", context)


@router.get("/{deal_id}/edit")
def edit_deal(request: Request, db: DbSession, actor: PageActor, deal_id: int) -> Response:
    deal = deals.get_deal(db, actor, deal_id)
    fields = {name: getattr(deal, name, "") or "" for name in FIELDS}
    fields["value"] = cents_to_amount(deal.value_cents)
    return render(request, FORM, {"deal": deal, "form": fields, **_choices(db, actor, fields)})


@router.post("/{deal_id}")
def update_deal(
    request: Request, db: DbSession, actor: PageActor, form: Form, deal_id: int
) -> Response:
    fields = form_dict(form, *FIELDS)
    deal = deals.get_deal(db, actor, deal_id)
    try:
        deals.update_deal(db, actor, deal_id, parse_input(deals.DealInput, fields))
    except AppError as error:
        db.rollback()
        return form_error(request, FORM, fields, error, deal=deal, **_choices(db, actor, fields))
    db.commit()
    if postmortems.needs_post_mortem(db, deal):
        return redirect(
            f"/deals/{deal_id}/close?outcome=lost", "Deal saved. What did it teach you?"
        )
    return redirect(f"/deals/{deal_id}", "Deal saved.")


@router.post("/{deal_id}/stage")
def move_deal(db: DbSession, actor: PageActor, form: Form, deal_id: int) -> Response:
    move = parse_input(deals.StageMove, form_dict(form, "stage_id"))
    deal = deals.move_deal(db, actor, deal_id, move)
    db.commit()
    if postmortems.needs_post_mortem(db, deal):
        return redirect(
            f"/deals/{deal_id}/close?outcome=lost",
            f"'{deal.title}' moved to {deal.stage.name}. What did it teach you?",
        )
    target = safe_path(form.get("back"), f"/deals/{deal_id}")
    return redirect(target, f"'{deal.title}' moved to {deal.stage.name}.")


@router.post("/{deal_id}/people")
def set_person(db: DbSession, actor: PageActor, form: Form, deal_id: int) -> Response:
    data = parse_input(deals.DealRole, form_dict(form, "contact_id", "role"))
    deals.set_deal_role(db, actor, deal_id, data)
    db.commit()
    return redirect(f"/deals/{deal_id}", "Role saved.")


@router.post("/{deal_id}/people/{contact_id}/remove")
def remove_person(
    db: DbSession, actor: PageActor, _form: Form, deal_id: int, contact_id: int
) -> Response:
    deals.remove_deal_role(db, actor, deal_id, contact_id)
    db.commit()
    return redirect(f"/deals/{deal_id}", "Removed from the deal.")
