"""Imports API: inspect a CSV (preview and guessed mapping), then import it or dry-run it."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, UploadFile
from fastapi import Form as FormField
from pydantic import BaseModel, Field

from aimfire.domain.csv_mapping import Kind, field_names
from aimfire.errors import Invalid
from aimfire.services import imports
from aimfire.services.validation import parse_input
from aimfire.web.api.schemas import ERRORS
from aimfire.web.deps import ApiActor, DbSession

router = APIRouter(prefix="/imports", tags=["imports"], responses=ERRORS)
CsvFile = Annotated[UploadFile, FormField(description="The CSV file.")]
Preset = Annotated[
    str | None, FormField(max_length=40, description="hubspot, salesforce or pipedrive")
]


class InspectionOut(BaseModel):
    kind: Kind
    encoding: str
    delimiter: str
    header_line: int | None = Field(description="Line of the column names; null: none")
    headers: list[str]
    preview: list[list[str]] = Field(description="The first rows after the header")
    detected_preset: str | None
    preset: str | None
    mapping: dict[str, str] = Field(description="Column -> field, 'custom' or 'ignore'")
    day_first: bool | None = Field(description="Guessed date order; null: cannot tell")
    fields: list[str] = Field(description="The fields this kind of row can fill")


class ProblemOut(BaseModel):
    line: int
    reason: str


class ImportReportOut(BaseModel):
    kind: Kind
    dry_run: bool
    rows: int
    created: int
    updated: int
    skipped: int = Field(description="Duplicates left as they were")
    bad: int = Field(description="Rows not imported; each is listed in problems (up to 1,000)")
    accounts_created: int
    mapping: dict[str, str]
    problems: list[ProblemOut]


@contextmanager
def _saved(file: UploadFile) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="aimfire-import-") as folder:
        path = Path(folder) / "upload.csv"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target, 1 << 20)
        yield path


@router.post("/{kind}/inspect", response_model=InspectionOut)
def inspect_csv(
    kind: Kind, _actor: ApiActor, file: CsvFile, preset: Preset = None
) -> InspectionOut:
    """How the file would be read: encoding, delimiter, header, first rows, guessed mapping."""
    with _saved(file) as path:
        inspection = imports.inspect_file(path, kind, preset or None)
    shape = inspection.shape
    return InspectionOut(
        kind=kind,
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        header_line=shape.header_line,
        headers=shape.headers,
        preview=inspection.preview,
        detected_preset=inspection.detected_preset.name if inspection.detected_preset else None,
        preset=inspection.preset.name if inspection.preset else None,
        mapping=dict(zip(shape.headers, inspection.targets, strict=True)),
        day_first=inspection.day_first,
        fields=field_names(kind),
    )


def _mapping(text: str) -> dict[str, str]:
    try:
        mapping = json.loads(text or "{}")
    except json.JSONDecodeError:
        mapping = None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise Invalid.on(
            "mapping", 'Give a JSON object of column -> field, e.g. {"Mail": "email"}.'
        )
    return mapping


@router.post("/{kind}", response_model=ImportReportOut)
def import_csv(
    db: DbSession,
    actor: ApiActor,
    kind: Kind,
    file: CsvFile,
    preset: Preset = None,
    mapping: Annotated[
        str,
        FormField(
            max_length=100_000,
            description='JSON object of column -> field, "custom" or "ignore"; others guessed',
        ),
    ] = "{}",
    on_duplicate: Annotated[imports.OnDuplicate, FormField()] = imports.OnDuplicate.SKIP,
    day_first: Annotated[
        bool | None, FormField(description="03/04/2026 is 3 April (true); default: guess")
    ] = None,
    dry_run: Annotated[bool, FormField(description="Check and report; write nothing")] = False,
) -> ImportReportOut:
    """Import every good row of the file (or, as a dry run, only check them)."""
    options = parse_input(
        imports.ImportOptions,
        {
            "kind": kind,
            "preset": preset,
            "mapping": _mapping(mapping),
            "on_duplicate": on_duplicate,
            "day_first": day_first,
            "dry_run": dry_run,
        },
    )
    with _saved(file) as path:
        report = imports.run_import(db, actor, path, options)
    if dry_run:
        db.rollback()
    else:
        db.commit()
    counts = report.counts
    return ImportReportOut(
        kind=kind,
        dry_run=dry_run,
        rows=counts.rows,
        created=counts.created,
        updated=counts.updated,
        skipped=counts.skipped,
        bad=counts.bad,
        accounts_created=counts.accounts_created,
        mapping=dict(zip(report.headers, report.targets, strict=True)),
        problems=[ProblemOut(line=p.line, reason=p.reason) for p in report.problems],
    )
