"""Import pages: upload a CSV, see its first rows and the guessed mapping, dry run, import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from aimfire.domain import csv_mapping as cm
from aimfire.domain.csv_mapping import Kind
from aimfire.errors import AppError, Invalid, NotFound
from aimfire.services import import_store, imports
from aimfire.services.validation import parse_input
from aimfire.web.deps import DbSession, Form, PageActor, get_settings
from aimfire.web.forms import form_error
from aimfire.web.templating import redirect, render

router = APIRouter(prefix="/import")
START = "imports/start.html"
MAPPING = "imports/mapping.html"
KIND_LABELS = {
    Kind.CONTACTS: "Contacts",
    Kind.ACCOUNTS: "Accounts (companies)",
    Kind.DEALS: "Deals",
    Kind.INTERACTIONS: "Interaction history (calls, emails, meetings and their outcomes)",
}
PRESET_LABELS = {"hubspot": "HubSpot", "salesforce": "Salesforce", "pipedrive": "Pipedrive"}


def _folder(request: Request) -> Path:
    return get_settings(request).data_dir / "imports"


def _start_context() -> dict[str, Any]:
    return {"kinds": KIND_LABELS, "preset_labels": PRESET_LABELS}


@router.get("")
def start_page(request: Request, _actor: PageActor, kind: str = "contacts") -> Response:
    return render(request, START, {**_start_context(), "form": {"kind": kind}})


@router.post("")
def upload(request: Request, actor: PageActor, form: Form) -> Response:
    fields = {name: str(form.get(name, "")) for name in ("kind", "preset")}
    file = form.get("file")
    try:
        if fields["kind"] not in set(Kind):
            raise Invalid.on("kind", "Choose what the file holds.")
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid.on("file", "Choose a CSV file to upload.")
        stored = import_store.save_upload(
            _folder(request), actor, Kind(fields["kind"]), file.filename, file.file
        )
    except AppError as error:
        return form_error(request, START, fields, error, **_start_context())
    query = f"?preset={fields['preset']}" if fields["preset"] in PRESET_LABELS else ""
    return redirect(f"/import/{stored.token}{query}")


def _targets(choices: dict[str, Any], inspection: imports.Inspection) -> list[str]:
    columns = choices.get("columns")
    return list(columns) if columns else inspection.targets


def _mapping_page(
    request: Request,
    stored: import_store.StoredImport,
    inspection: imports.Inspection,
    choices: dict[str, Any],
    error: AppError | None = None,
) -> Response:
    kind = stored.kind
    targets = _targets(choices, inspection)
    samples = [
        [row[i] for row in inspection.preview if i < len(row) and row[i].strip()][:3]
        for i in range(len(inspection.shape.headers))
    ]
    options = [(f.name, f.label) for f in cm.FIELDS[kind]]
    if kind in cm.KEEPS_CUSTOM_FIELDS:
        options.append((cm.CUSTOM, "Keep as a custom field"))
    options.append((cm.IGNORE, "Leave out"))
    context = {
        "upload": stored,
        "kind_label": KIND_LABELS[kind],
        "inspection": inspection,
        "columns": list(zip(inspection.shape.headers, targets, samples, strict=True)),
        "field_options": options,
        "presets": [p.name.split("_")[0] for p in cm.presets_for(kind)],
        "preset_labels": PRESET_LABELS,
        "choices": choices,
        "delimiter_name": {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}[
            inspection.shape.delimiter
        ],
        "dedupes": kind in (Kind.CONTACTS, Kind.ACCOUNTS),
        "error": error,
    }
    return render(request, MAPPING, context, status=error.status if error else 200)


def _inspect(
    request: Request, stored: import_store.StoredImport, preset: str
) -> imports.Inspection | Response:
    try:
        return imports.inspect_file(stored.csv_path, stored.kind, preset or None)
    except AppError as error:
        form = {"kind": stored.kind.value, "preset": preset}
        return form_error(request, START, form, error, **_start_context())


def _stored(request: Request, actor: PageActor, token: str) -> import_store.StoredImport:
    return import_store.load_upload(_folder(request), actor, token)


@router.get("/{token}")
def mapping_page(request: Request, actor: PageActor, token: str, preset: str = "") -> Response:
    stored = _stored(request, actor, token)
    if stored.done:
        return redirect("/import", "That file was imported already; upload it again to redo.")
    preset = preset if preset in PRESET_LABELS else ""
    inspection = _inspect(request, stored, preset)
    if isinstance(inspection, Response):
        return inspection
    choices = {"preset": preset, "day_first": "", "on_duplicate": "skip", "columns": []}
    return _mapping_page(request, stored, inspection, choices)


def _choices(form: Any, width: int) -> dict[str, Any]:
    return {
        "preset": str(form.get("preset", "")),
        "day_first": str(form.get("day_first", "")),
        "on_duplicate": str(form.get("on_duplicate", "skip")),
        "columns": [str(form.get(f"column-{i}", cm.IGNORE)) for i in range(width)],
    }


@router.post("/{token}")
def run(request: Request, db: DbSession, actor: PageActor, form: Form, token: str) -> Response:
    stored = _stored(request, actor, token)
    if stored.done:
        return redirect("/import", "That file was imported already; upload it again to redo.")
    dry_run = form.get("action") != "import"
    preset = str(form.get("preset", ""))
    inspection = _inspect(request, stored, preset if preset in PRESET_LABELS else "")
    if isinstance(inspection, Response):
        return inspection
    headers = inspection.shape.headers
    choices = _choices(form, len(headers))
    try:
        options = parse_input(
            imports.ImportOptions,
            {
                "kind": stored.kind,
                "preset": choices["preset"],
                "mapping": dict(zip(headers, choices["columns"], strict=True)),
                "on_duplicate": choices["on_duplicate"],
                "day_first": choices["day_first"],
                "dry_run": dry_run,
            },
        )
        with stored.problems_path.open("w", newline="", encoding="utf-8") as sink:
            report = imports.run_import(db, actor, stored.csv_path, options, problems_csv=sink)
    except AppError as error:
        db.rollback()
        return _mapping_page(request, stored, inspection, choices, error)
    if dry_run:
        db.rollback()
    else:
        db.commit()
        stored = import_store.mark_done(stored)
    context = {
        "upload": stored,
        "kind_label": KIND_LABELS[stored.kind],
        "report": report,
        "counts": report.counts,
        "choices": choices,
    }
    return render(request, "imports/report.html", context)


@router.get("/{token}/problems.csv")
def problems_csv(request: Request, actor: PageActor, token: str) -> Response:
    stored = _stored(request, actor, token)
    if not stored.problems_path.exists():
        raise NotFound("report")
    name = Path(stored.filename).stem or "import"
    return FileResponse(
        stored.problems_path,
        media_type="text/csv; charset=utf-8",
        filename=f"{name}-bad-rows.csv",
    )
