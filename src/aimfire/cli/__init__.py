"""The ``aimfire`` command: the same core actions as the web app, for people and scripts."""

from __future__ import annotations

import typer

from aimfire.cli import (
    behaviour_plan,
    contacts,
    deals,
    export,
    health,
    imports,
    interactions,
    objective,
    scorecard,
    server,
    users,
)

app = typer.Typer(
    name="aimfire",
    help="Plan every sales interaction, record it against the plan, review the week.",
    no_args_is_help=True,
    add_completion=False,
)
server.register(app)
app.add_typer(users.app, name="users")
app.add_typer(contacts.app, name="contacts")
app.add_typer(deals.app, name="deals")
interactions.register(app)
objective.register(app)
health.register(app)
behaviour_plan.register(app)
scorecard.register(app)
imports.register(app)
export.register(app)


def main() -> None:
    app()
