"""``aimfire export`` and ``aimfire restore``: everything as one JSON file, and back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from aimfire.cli.common import AsUser, JsonFlag, acting_user, console, print_json, session
from aimfire.services import export


def register(app: typer.Typer) -> None:
    app.command("export")(export_file)
    app.command("restore")(restore_file)


def export_file(
    file: Annotated[str, typer.Argument(help="The JSON file to write ('-' for the screen).")],
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Export everything you own (an admin: the whole instance) as versioned JSON."""
    with session() as db:
        actor = acting_user(db, as_user)
        if file == "-":
            export.write_export(db, actor, sys.stdout)
            return
        with Path(file).open("w", encoding="utf-8", newline="\n") as out:
            counts = export.write_export(db, actor, out)
    scope = "the whole instance" if actor.is_admin else f"the book of {actor.user.email}"
    if json_output:
        print_json({"file": file, "scope": scope, "tables": counts})
    else:
        rows = sum(counts.values())
        console.print(f"Exported {rows:,} rows of {scope} to {file}.", highlight=False)


def restore_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A file from aimfire export.")
    ],
    json_output: JsonFlag = False,
) -> None:
    """Load an export into an empty database (a database with data is refused)."""
    with session(write=True) as db, file.open(encoding="utf-8") as source:
        report = export.restore(db, source)
        db.commit()
    if json_output:
        print_json({"file": str(file), "scope": report.scope, "tables": report.counts})
    else:
        rows = sum(report.counts.values())
        users = report.counts.get("users", 0)
        console.print(f"Restored {rows:,} rows ({users} users) from {file}.", highlight=False)
