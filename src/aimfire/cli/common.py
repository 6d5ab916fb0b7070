"""What every command shares: the database session, who is acting, errors and output."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.config import Settings
from aimfire.errors import AppError
from aimfire.services.access import Actor, actor_for
from aimfire.services.setup import open_database
from aimfire.store.db import begin_write
from aimfire.store.models import User

console = Console()
errors = Console(stderr=True)

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="AIMFIRE_USER",
        help="Email of the user to act as (default: the only user, on a one-person install).",
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def load_settings() -> Settings:
    """The settings from the environment, or a clear message naming the bad variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"AIMFIRE_{'_'.join(str(p) for p in item['loc']).upper()}: {item['msg']}"
            for item in error.errors(include_url=False)
        )
        fail(f"Bad setting: {problems}")
        raise  # unreachable: fail() exits


@contextmanager
def session(*, write: bool = False) -> Iterator[Session]:
    """A database session for one command; the command commits, errors end it cleanly."""
    database = open_database(load_settings())
    try:
        with database.sessions() as db:
            if write:
                begin_write(db)
            yield db
    except AppError as error:
        fail(error.message)
    finally:
        database.dispose()


def fail(message: str, code: int = 1) -> None:
    errors.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def acting_user(db: Session, email: str | None) -> Actor:
    if email:
        user = db.scalar(select(User).where(User.email == email.strip().lower(), User.is_active))
        if user is None:
            fail(f"No active user with the email {email}.")
    else:
        active = list(db.scalars(select(User).where(User.is_active).limit(2)))
        if len(active) != 1:
            fail("Say who you are with --as EMAIL (or set AIMFIRE_USER).")
        user = active[0]
    assert user is not None
    return actor_for(db, user)


def print_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [d.model_dump(mode="json") if isinstance(d, BaseModel) else d for d in data]
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    console.print(table)
