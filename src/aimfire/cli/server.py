"""Running the app and looking after its database: ``serve``, ``demo`` and ``db upgrade``."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from aimfire.cli.common import console, fail, load_settings
from aimfire.config import Settings, masked_url
from aimfire.services.demo import DEFAULT_SEED, DEMO_LOGINS, DEMO_PASSWORD, demo_loaded, load_demo
from aimfire.services.setup import open_database
from aimfire.services.users import count_users
from aimfire.store.migrate import current_revision

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(demo)
    app.add_typer(db_app, name="db")


def _load_demo(settings: Settings, seed: int) -> bool:
    """Load the demo data unless it is there already; True when it was loaded now."""
    database = open_database(settings)
    try:
        with database.sessions.begin() as db:
            if demo_loaded(db):
                return False
            load_demo(db, seed=seed)
            return True
    finally:
        database.dispose()


def _print_demo_logins() -> None:
    console.print("Demo logins (password for all: [bold]" + DEMO_PASSWORD + "[/]):")
    for login in DEMO_LOGINS:
        console.print(f"  {login.email:<26} {login.name}, {login.role}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Use a separate demo database filled with demo data.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (PostgreSQL).")] = 1,
) -> None:
    """Start the web app (migrating the database first)."""
    settings = load_settings()
    if demo:
        settings = settings.for_demo()
        # Worker processes build their own app from the environment: point them at it too.
        os.environ["AIMFIRE_DATABASE_URL"] = settings.effective_database_url
        if _load_demo(settings, DEFAULT_SEED):
            console.print("Loaded the demo data.")
    else:
        open_database(settings).dispose()
    console.print(f"Database: {masked_url(settings.effective_database_url)}")
    if demo:
        _print_demo_logins()
    url = f"http://{'localhost' if host in {'127.0.0.1', '0.0.0.0'} else host}:{port}/"
    console.print(f"aimfire is running at [bold link={url}]{url}[/]  (Ctrl+C stops it)")
    uvicorn.run(
        "aimfire.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="warning",
    )


def demo(
    seed: Annotated[int, typer.Option(help="Random seed for the data.")] = DEFAULT_SEED,
) -> None:
    """Load the demo team and two books into the configured database."""
    settings = load_settings()
    if _load_demo(settings, seed):
        console.print(f"Loaded the demo data into {masked_url(settings.effective_database_url)}.")
    else:
        console.print("The demo data is already there; nothing changed.")
    _print_demo_logins()


@db_app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration."""
    settings = load_settings()
    try:
        database = open_database(settings)
    except Exception as error:  # a bad URL or an unreachable server: say which, no traceback
        fail(f"Could not open {masked_url(settings.effective_database_url)}: {error}")
    revision = current_revision(database.engine)
    with database.sessions() as db:
        users = count_users(db)
    database.dispose()
    console.print(f"Database at revision {revision}; {users} users.")
