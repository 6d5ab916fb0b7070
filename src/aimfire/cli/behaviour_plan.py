"""``aimfire behaviour-plan``: your goals worked back through your own funnel."""

from __future__ import annotations

from typing import Annotated

import typer

from aimfire.cli.common import (
    AsUser,
    JsonFlag,
    acting_user,
    console,
    load_settings,
    print_json,
    print_table,
    session,
)
from aimfire.services import behaviour_plan
from aimfire.services.plan_words import plan_summary
from aimfire.web.api.behaviour_plan import BehaviourPlanOut


def register(app: typer.Typer) -> None:
    app.command("behaviour-plan")(show_behaviour_plan)


def _figure(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def show_behaviour_plan(
    window_days: Annotated[
        int,
        typer.Option(
            min=behaviour_plan.MIN_WINDOW_DAYS,
            max=behaviour_plan.MAX_WINDOW_DAYS,
            help="Days of history the rates come from.",
        ),
    ] = behaviour_plan.DEFAULT_WINDOW_DAYS,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """What your running goals need each week and each working day, from your own rates."""
    currency = load_settings().currency
    with session() as db:
        actor = acting_user(db, as_user)
        view = behaviour_plan.behaviour_plan(db, actor, window_days=window_days)
        if json_output:
            print_json(BehaviourPlanOut.of(view, currency))
            return
        if not view.plans:
            console.print("No goal is running. Set one in the web app (Goals) or the API.")
        for gp in view.plans:
            console.print(f"\n[bold]{gp.name.capitalize()}[/]", highlight=False)
            for sentence in plan_summary(gp, view.basis, currency):
                console.print(sentence, highlight=False)
            rows = [
                (s.stage, _figure(s.period), _figure(s.per_week), _figure(s.per_day))
                for s in gp.plan.stages
            ]
            print_table("What it takes", ("stage", "until the end", "per week", "per day"), rows)
            for conflict in gp.plan.conflicts:
                console.print(f"[bold red]Conflict:[/] {conflict.message}", highlight=False)
            for note in gp.plan.notes:
                console.print(note, highlight=False)
        for conflict in view.overlaps:
            console.print(f"[bold red]Goals overlap:[/] {conflict.message}", highlight=False)
        console.print(f"\n[bold]Rates from the last {window_days} days[/]")
        r = view.basis.rates
        for rate in (r.average_deal_size, r.close, r.proposal, r.meeting, r.connect):
            console.print(f"- {rate.explanation}", highlight=False)
        console.print(view.basis.prior_note, highlight=False)
        console.print(view.basis.minutes_note, highlight=False)
