"""``aimfire lint``: the objective check from a terminal, one text or a JSON-lines stream."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from aimfire.cli.common import console, fail, print_json
from aimfire.domain.objective import ObjectiveCheck, check_objective
from aimfire.domain.objective_eval import evaluate, format_report, load_labelled


def register(app: typer.Typer) -> None:
    app.command()(lint)


def lint(
    text: Annotated[str | None, typer.Argument(help="The objective to check.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    jsonl: Annotated[
        str | None,
        typer.Option(help="Read one JSON object with a 'text' field per line ('-' = stdin)."),
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="phone, email, meeting, video or text.")
    ] = None,
    evaluate_file: Annotated[
        Path | None,
        typer.Option("--evaluate", help="A labelled JSON-lines set: print accuracy and errors."),
    ] = None,
) -> None:
    """Check an objective: label it and explain each problem, with a rewrite."""
    if evaluate_file is not None:
        typer.echo(format_report(evaluate(load_labelled(evaluate_file))))
        return
    if jsonl is not None:
        if jsonl == "-":
            _lint_stream(sys.stdin)
        else:
            with Path(jsonl).open(encoding="utf-8") as stream:
                _lint_stream(stream)
        return
    if text is None:
        fail("Give an objective to check, or --jsonl FILE.", code=2)
        return
    result = check_objective(text, channel=channel)
    if json_output:
        print_json(result.to_dict())
    else:
        _print_human(result)


def _lint_stream(stream: TextIO) -> None:
    """One result per input line, in input order; a bad line gets an error object."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            error = {"line": number, "error": "expected a JSON object with a string 'text' field"}
            sys.stdout.write(json.dumps(error) + "\n")
            continue
        channel = item.get("channel") if isinstance(item.get("channel"), str) else None
        result = check_objective(text, channel=channel).to_dict()
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def _print_human(result: ObjectiveCheck) -> None:
    style = "green" if result.is_good else "red"
    console.print(f"[bold {style}]{result.label.value}[/]  {result.text}", highlight=False)
    for finding in result.findings:
        phrase = result.text[finding.start : finding.end]
        console.print(f"  [{finding.rule}] {finding.message} ({phrase!r})", highlight=False)
        if finding.suggestion:
            console.print(f"    try: {finding.suggestion}", highlight=False)
