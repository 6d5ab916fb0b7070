"""``aimfire scorecard``: a week's three yes/no lines, rates and quality, from a terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from aimfire.cli.common import AsUser, JsonFlag, acting_user, console, print_json, session
from aimfire.services import scorecard
from aimfire.web.api.scorecard import ScorecardOut

VERDICTS = {True: "[green]YES[/]", False: "[red]NO[/]", None: "no target"}


def register(app: typer.Typer) -> None:
    app.command("scorecard")(show_scorecard)


def show_scorecard(
    week: Annotated[
        str | None, typer.Option(help="The week as YYYY-Www, e.g. 2026-W07; default: this one.")
    ] = None,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Your week, yes or no: sales, base moves and conversations against their targets."""
    with session() as db:
        actor = acting_user(db, as_user)
        score = scorecard.scorecard(db, actor, week=week)
        if json_output:
            print_json(ScorecardOut.of(score))
            return
        w = score.week
        state = " (still running)" if score.in_progress else ""
        console.print(
            f"[bold]Week {w.label}[/]: {w.start_date:%a %d %b} to {w.end_date:%a %d %b %Y}{state}",
            highlight=False,
        )
        console.print(score.target_source, highlight=False)
        for line in score.card.lines:
            verdict = VERDICTS[line.met]
            if line.met is False and score.in_progress:
                verdict = "[yellow]NOT YET[/]"
            console.print(f"{verdict}  {line.explanation}", highlight=False)
        for rate in score.card.rates:
            console.print(f"- {rate.explanation}", highlight=False)
        rated = [q for q in score.card.quality if q.average is not None]
        if rated:
            averages = ", ".join(f"{q.factor.replace('_', ' ')} {q.average:.1f}" for q in rated)
            console.print(f"- Quality (1 to 5): {averages}.", highlight=False)
        else:
            console.print("- Quality: no conversation was rated this week.")
