"""``aimfire users``: create and list the people who log in."""

from __future__ import annotations

from typing import Annotated

import typer

from aimfire.cli.common import AsUser, JsonFlag, acting_user, print_json, print_table, session
from aimfire.services import users
from aimfire.services.validation import parse_input
from aimfire.web.api.schemas import UserOut

app = typer.Typer(help="Create and list users.", no_args_is_help=True)


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="Their login email.")],
    name: Annotated[str, typer.Option(help="Their name as others see it.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
        ),
    ],
    admin: Annotated[bool, typer.Option("--admin", help="Make them an admin.")] = False,
    time_zone: Annotated[str, typer.Option(help="e.g. Europe/Berlin")] = "UTC",
    json_output: JsonFlag = False,
) -> None:
    """Create a user. The first user of an install is always its owner (an admin)."""
    with session(write=True) as db:
        data = parse_input(
            users.NewUser,
            {
                "email": email,
                "name": name,
                "password": password,
                "is_admin": admin,
                "time_zone": time_zone,
            },
        )
        first = users.count_users(db) == 0
        user = users.create_first_owner(db, data) if first else users.create_user(db, data)
        db.commit()
        if json_output:
            print_json(UserOut.model_validate(user))
        else:
            role = "owner (admin)" if first else ("admin" if user.is_admin else "user")
            typer.echo(f"Created {user.name} <{user.email}> as {role}.")


@app.command("list")
def list_users(as_user: AsUser = None, json_output: JsonFlag = False) -> None:
    """List every user (admins only)."""
    with session() as db:
        actor = acting_user(db, as_user)
        people = [UserOut.model_validate(u) for u in users.list_users(db, actor)]
        if json_output:
            print_json(people)
            return
        rows = [
            (u.id, u.name, u.email, "yes" if u.is_admin else "", "yes" if u.is_active else "no")
            for u in people
        ]
        print_table("Users", ("id", "name", "email", "admin", "active"), rows)
