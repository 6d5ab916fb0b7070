"""``aimfire health`` and ``aimfire report losses``: stalling deals and the lessons of lost ones."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from aimfire.cli.common import (
    AsUser,
    JsonFlag,
    acting_user,
    console,
    print_json,
    print_table,
    session,
)
from aimfire.services import health, postmortems
from aimfire.web.api.health import DealHealthOut
from aimfire.web.api.postmortems import LossReportOut
from aimfire.web.api.schemas import PageOut

report_app = typer.Typer(help="Reports.", no_args_is_help=True)
OwnerId = Annotated[
    int | None, typer.Option("--owner-id", help="A coached rep's user id; default: your own book.")
]


def register(app: typer.Typer) -> None:
    app.command("health")(health_command)
    app.add_typer(report_app, name="report")


def health_command(
    owner_id: OwnerId = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=200)] = health.HEALTH_PER_PAGE,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """List the flagged open deals, each flag with the question to find the answer to."""
    with session() as db:
        actor = acting_user(db, as_user)
        flagged = health.flagged_deals_page(db, actor, owner_id, page=page, per_page=per_page)
        if json_output:
            print_json(PageOut[DealHealthOut].of(flagged, DealHealthOut.of))
            return
        console.print(
            f"Deal health: {flagged.total} flagged open deals, most urgent first"
            f" (page {flagged.page} of {flagged.pages})."
        )
        for item in flagged.items:
            deal = item.deal
            console.print(
                f"\n[bold]{deal.title}[/] (deal {deal.id}, {deal.stage.name})", highlight=False
            )
            for flag in item.flags:
                console.print(f"  {flag.label}: {flag.reason}", highlight=False)
                console.print(f"    Find out: {flag.question}", highlight=False)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=option) from None


@report_app.command("losses")
def losses(
    since: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default: 90 days ago).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Last day, YYYY-MM-DD (default: today).")
    ] = None,
    owner_id: OwnerId = None,
    team: Annotated[bool, typer.Option("--team", help="You and every rep you coach.")] = False,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Loss reasons ranked, win rates by factor, and the lessons of lost deals over a period."""
    start, end = _day(since, "--since"), _day(until, "--until")
    with session() as db:
        actor = acting_user(db, as_user)
        report = postmortems.losses_report(
            db,
            actor,
            start=start,
            end=end,
            owner_id=owner_id,
            team=team,
        )
        if json_output:
            print_json(LossReportOut.model_validate(report))
            return
        rate = "—" if report.win_rate is None else f"{report.win_rate:.0%}"
        console.print(
            f"{report.start} to {report.end}: {report.closed} closed, {report.won} won, "
            f"{report.lost} lost, {report.abandoned} abandoned; win rate {rate}."
        )
        print_table(
            "Loss reasons",
            ("reason", "deals", "share"),
            [(r.label, r.count, f"{r.share:.0%}") for r in report.reasons],
        )
        print_table(
            "Win rate by factor",
            ("factor", "group", "closed", "won", "win rate"),
            [
                (
                    f.title,
                    g.label,
                    g.closed,
                    g.won,
                    "—" if g.win_rate is None else f"{g.win_rate:.0%}",
                )
                for f in report.factors
                for g in f.groups
            ],
        )
        print_table(
            "Lessons",
            ("deal", "outcome", "reasons", "lesson"),
            [(x.title, x.outcome, "; ".join(x.reasons), x.lesson) for x in report.lessons],
        )
        if report.missing:
            console.print(f"{len(report.missing)} lost deals have no post-mortem yet.")
