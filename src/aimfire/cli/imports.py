"""``aimfire import``: bring contacts, accounts, deals and interaction history in from CSV."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from aimfire.cli.common import (
    AsUser,
    JsonFlag,
    acting_user,
    console,
    fail,
    print_json,
    print_table,
    session,
)
from aimfire.domain.csv_mapping import Kind, parse_map_option
from aimfire.services import imports
from aimfire.services.validation import parse_input


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)


def _mapping(options: list[str]) -> dict[str, str]:
    mapping = {}
    for option in options:
        try:
            header, target = parse_map_option(option)
        except ValueError as error:
            fail(str(error))
        mapping[header] = target
    return mapping


def report_data(report: imports.ImportReport) -> dict:
    counts = report.counts
    return {
        "kind": str(report.kind),
        "dry_run": report.dry_run,
        "rows": counts.rows,
        "created": counts.created,
        "updated": counts.updated,
        "skipped": counts.skipped,
        "bad": counts.bad,
        "accounts_created": counts.accounts_created,
        "mapping": dict(zip(report.headers, report.targets, strict=True)),
        "problems": [{"line": p.line, "reason": p.reason} for p in report.problems],
        "problems_listed": len(report.problems),
    }


def import_file(
    kind: Annotated[Kind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file.")],
    preset: Annotated[
        str | None,
        typer.Option(help="Column names of a CRM's export: hubspot, salesforce or pipedrive."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="Column=field (or Column=custom, Column=ignore); repeat for more columns.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
    on_duplicate: Annotated[
        imports.OnDuplicate,
        typer.Option(help="A contact with the same email or phone (an account: same name)."),
    ] = imports.OnDuplicate.SKIP,
    day_first: Annotated[
        bool | None,
        typer.Option(
            "--day-first/--month-first",
            help="Whether 03/04/2026 is 3 April or March 4 (default: guessed from the file).",
            show_default=False,
        ),
    ] = None,
    problems: Annotated[
        Path | None,
        typer.Option(help="Write every bad row (line, problem, the row itself) to this CSV."),
    ] = None,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Import a CSV file: every good row, or on a fatal error nothing; bad rows are reported."""
    with session(write=True) as db:
        actor = acting_user(db, as_user)
        options = parse_input(
            imports.ImportOptions,
            {
                "kind": kind,
                "preset": preset,
                "mapping": _mapping(map_ or []),
                "on_duplicate": on_duplicate,
                "day_first": day_first,
                "dry_run": dry_run,
            },
        )
        inspection = imports.inspect_file(file, kind, preset)
        targets = imports.plan_targets(kind, inspection.shape.headers, options)
        if not json_output:
            _print_plan(inspection, targets)
        sink = problems.open("w", newline="", encoding="utf-8") if problems else None
        try:
            report = _run(db, actor, file, options, sink, quiet=json_output)
        finally:
            if sink is not None:
                sink.close()
        if not dry_run:
            db.commit()
        data = report_data(report)
        if json_output:
            print_json(data)
        else:
            _print_report(data, problems)


def _run(db: Any, actor: Any, file: Path, options: Any, sink: Any, *, quiet: bool) -> Any:
    if quiet:
        return imports.run_import(db, actor, file, options, problems_csv=sink)
    size = os.path.getsize(file)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Checking" if options.dry_run else "Importing", total=size, rows=0)

        def progress(rows: int, done: int) -> None:
            bar.update(task, completed=done, rows=rows)

        return imports.run_import(db, actor, file, options, progress=progress, problems_csv=sink)


def _print_plan(inspection: imports.Inspection, targets: list[str]) -> None:
    shape = inspection.shape
    where = f"header on line {shape.header_line}" if shape.header_line else "no header row"
    delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}[shape.delimiter]
    preset = inspection.preset.label if inspection.preset else "no preset"
    console.print(f"{shape.encoding}, {delimiter}-separated, {where}; {preset}.", highlight=False)
    print_table("Columns", ("column", "becomes"), list(zip(shape.headers, targets, strict=True)))


def _print_report(data: dict, problems: Path | None) -> None:
    verb = "would be" if data["dry_run"] else "were"
    console.print(
        f"{data['rows']:,} rows read: {data['created']:,} {verb} added, "
        f"{data['updated']:,} updated, {data['skipped']:,} skipped as duplicates, "
        f"{data['bad']:,} bad (not imported); {data['accounts_created']:,} new accounts.",
        highlight=False,
    )
    if data["bad"]:
        rows = [(p["line"], p["reason"]) for p in data["problems"]]
        print_table("Bad rows", ("line", "problem"), rows)
        if data["problems_listed"] < data["bad"]:
            more = data["bad"] - data["problems_listed"]
            hint = f"; all are in {problems}" if problems else "; --problems FILE lists all"
            console.print(f"... and {more:,} more{hint}.", highlight=False)
    if data["dry_run"]:
        console.print("Dry run: nothing was written.")
