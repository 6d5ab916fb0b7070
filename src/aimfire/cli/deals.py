"""``aimfire deals``: the pipeline from the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from aimfire.cli.common import AsUser, JsonFlag, acting_user, print_json, print_table, session
from aimfire.domain.pipeline import cents_to_amount
from aimfire.services import deals
from aimfire.web.api.schemas import DealOut, PageOut

app = typer.Typer(help="List deals.", no_args_is_help=True)


@app.command("list")
def list_deals(
    query: Annotated[str, typer.Option("--query", "-q", help="Part of the deal title.")] = "",
    stage_id: Annotated[int | None, typer.Option(help="Only deals in this stage.")] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """List your deals, most recently changed first."""
    with session() as db:
        actor = acting_user(db, as_user)
        results = deals.search_deals(
            db, actor, query=query, stage_id=stage_id, page=page, per_page=per_page
        )
        if json_output:
            print_json(PageOut[DealOut].of(results, DealOut.of))
            return
        rows = [
            (
                d.id,
                d.title,
                d.stage.name,
                cents_to_amount(d.value_cents),
                d.contact.full_name if d.contact else "",
            )
            for d in results.items
        ]
        title = f"Deals: page {results.page} of {results.pages} ({results.total} in all)"
        print_table(title, ("id", "title", "stage", "value", "contact"), rows)
