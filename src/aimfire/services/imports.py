"""CSV import of contacts, accounts, deals and interaction history.

A file is inspected first (encoding, delimiter, header row, a preview and a guessed column
mapping), then imported: read as a stream, checked row by row, and written in batches inside
the caller's transaction. A bad row is reported with its line number and reason and never
written; a fatal problem (an unreadable file, a mapping that cannot work, a database error)
raises ``AppError`` and leaves nothing written. A dry run does everything, then undoes it.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from aimfire.domain import csv_mapping as cm
from aimfire.domain.csv_mapping import CUSTOM, IGNORE, Kind, Preset
from aimfire.domain.csv_values import guess_day_first
from aimfire.errors import AppError, Invalid
from aimfire.services.access import Actor
from aimfire.services.import_contacts import ContactWriter
from aimfire.services.import_history import DealWriter, InteractionWriter
from aimfire.services.import_writers import (
    AccountWriter,
    Counts,
    ImportContext,
    Layout,
    Pending,
    RawRow,
    Writer,
)
from aimfire.services.validation import Input
from aimfire.store.bulk import copies_kept_open
from aimfire.store.db import SQLITE_MMAP_BYTES, refresh_sqlite_statistics
from aimfire.store.types import utcnow

BATCH_SIZE = 5000
CHUNK_BYTES = 1 << 20
SAMPLE_CHARS = 64 * 1024
HEADER_SCAN_ROWS = 10
PREVIEW_ROWS = 5
DATE_SAMPLE_ROWS = 1000
LISTED_PROBLEMS = 1000  # kept in memory; every problem also goes to the problems CSV
MAX_FIELD_CHARS = 16 * 1024 * 1024
GC_THRESHOLD = 50_000
SQLITE_CACHE_KIB = 64 * 1024
DATE_FIELDS = frozenset(
    {"created_at", "close_date", "closed_at", "expected_close_on", "proposal_sent_on"}
    | {"scheduled_at", "logged_at", "commitment_due_on"}
)
WRITERS: dict[Kind, type[Writer]] = {
    Kind.CONTACTS: ContactWriter,
    Kind.ACCOUNTS: AccountWriter,
    Kind.DEALS: DealWriter,
    Kind.INTERACTIONS: InteractionWriter,
}


class OnDuplicate(StrEnum):
    SKIP = "skip"
    UPDATE = "update"


class ImportOptions(Input):
    kind: Kind
    preset: str | None = Field(default=None, max_length=40, description="e.g. hubspot")
    mapping: dict[str, str] = Field(
        default_factory=dict,
        description="Column header -> field, 'custom' or 'ignore'; other columns keep the guess",
    )
    on_duplicate: OnDuplicate = Field(
        default=OnDuplicate.SKIP,
        description="A contact (same email or phone) or account (same name) already there",
    )
    day_first: bool | None = Field(
        default=None, description="03/04/2026 is 3 April (true) or 4 March; default: guess"
    )
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class FileShape:
    encoding: str
    delimiter: str
    header_line: int | None  # None: the file has no header row
    headers: list[str]


@dataclass(frozen=True, slots=True)
class Inspection:
    kind: Kind
    shape: FileShape
    preview: list[list[str]]
    detected_preset: Preset | None
    preset: Preset | None
    targets: list[str]
    day_first: bool | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    kind: Kind
    dry_run: bool
    counts: Counts = field(default_factory=Counts)
    problems: list[RowProblem] = field(default_factory=list)  # the first LISTED_PROBLEMS
    headers: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # what each column became

    @property
    def listed_all_problems(self) -> bool:
        return len(self.problems) == self.counts.bad


Progress = Callable[[int, int], None]  # (rows read, bytes read)


# --- reading -------------------------------------------------------------------------------


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as raw:
        while chunk := raw.read(CHUNK_BYTES):
            yield chunk


class _Rows:
    """The file's records with the line each starts on, and how far into the file it is."""

    def __init__(self, path: Path, encoding: str, delimiter: str) -> None:
        csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
        self.raw = path.open("rb")
        self.text = io.TextIOWrapper(self.raw, encoding=encoding, newline="")
        self.reader = csv.reader(self.text, delimiter=delimiter)

    def __enter__(self) -> _Rows:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.text.close()

    @property
    def bytes_read(self) -> int:
        return self.raw.tell()

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        last = 0
        try:
            for cells in self.reader:
                start, last = last + 1, self.reader.line_num
                yield start, cells
        except (csv.Error, UnicodeDecodeError) as error:
            raise Invalid(
                f"The file cannot be read after line {last}: {error}. Nothing was imported."
            ) from None


def read_shape(path: Path, kind: Kind) -> tuple[FileShape, list[tuple[int, list[str]]]]:
    """How the file is written, and its first rows (with line numbers) after the header."""
    if path.stat().st_size == 0:
        raise Invalid("The file is empty.")
    encoding = cm.detect_encoding(_chunks(path))
    try:
        with path.open("r", encoding=encoding, newline="") as text:
            sample = text.read(SAMPLE_CHARS)
    except UnicodeDecodeError:
        raise Invalid(f"The file is not readable as {encoding} text; save it as CSV.") from None
    delimiter = cm.sniff_delimiter(sample)
    with _Rows(path, encoding, delimiter) as rows:
        first = list(itertools.islice(rows, HEADER_SCAN_ROWS + DATE_SAMPLE_ROWS))
    if not any(any(cell.strip() for cell in cells) for _, cells in first):
        raise Invalid("The file has no rows.")
    index = cm.find_header(kind, [cells for _, cells in first[:HEADER_SCAN_ROWS]])
    if index is None:
        width = max(len(cells) for _, cells in first)
        shape = FileShape(encoding, delimiter, None, cm.numbered_headers(width))
        return shape, first
    line, cells = first[index]
    return FileShape(encoding, delimiter, line, cm.unique_headers(cells)), first[index + 1 :]


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def inspect_file(path: Path, kind: Kind, preset_name: str | None = None) -> Inspection:
    shape, rows = read_shape(path, kind)
    detected = cm.detect_preset(kind, shape.headers)
    preset = _preset(kind, preset_name) if preset_name else detected
    targets = cm.guess_mapping(kind, shape.headers, preset)
    data = [cells for _, cells in rows if not _blank(cells)]
    return Inspection(
        kind,
        shape,
        data[:PREVIEW_ROWS],
        detected,
        preset,
        targets,
        _day_first(data, targets),
    )


def _preset(kind: Kind, name: str) -> Preset:
    try:
        return cm.find_preset(name, kind)
    except ValueError as error:
        raise Invalid.on("preset", str(error)) from None


def _day_first(rows: list[list[str]], targets: list[str]) -> bool | None:
    columns = [i for i, target in enumerate(targets) if target in DATE_FIELDS]
    values = (cells[i] for cells in rows for i in columns if i < len(cells))
    return guess_day_first(values)


def plan_targets(kind: Kind, headers: list[str], options: ImportOptions) -> list[str]:
    """The target of every column: the preset's or the guess, with the caller's overrides."""
    preset = _preset(kind, options.preset) if options.preset else cm.detect_preset(kind, headers)
    targets = cm.guess_mapping(kind, headers, preset)
    try:
        targets = cm.apply_overrides(headers, targets, options.mapping)
    except ValueError as error:
        raise Invalid.on("mapping", str(error)) from None
    problems = cm.mapping_problems(kind, targets)
    if problems:
        raise Invalid.on("mapping", " ".join(problems))
    return targets


# --- importing -----------------------------------------------------------------------------


def run_import(
    db: Session,
    actor: Actor,
    path: Path,
    options: ImportOptions,
    *,
    progress: Progress | None = None,
    problems_csv: TextIO | None = None,
) -> ImportReport:
    """Import every good row of the file; report every bad one. A dry run writes nothing."""
    kind = options.kind
    shape, first_rows = read_shape(path, kind)
    targets = plan_targets(kind, shape.headers, options)
    day_first = options.day_first
    if day_first is None:
        day_first = bool(_day_first([cells for _, cells in first_rows], targets))
    report = ImportReport(kind, options.dry_run, headers=shape.headers, targets=targets)
    sink = csv.writer(problems_csv) if problems_csv is not None else None
    if sink is not None:
        sink.writerow(["line", "problem", *shape.headers])

    def reject(pending: Pending, reason: str) -> None:
        report.counts.bad += 1
        if len(report.problems) < LISTED_PROBLEMS:
            report.problems.append(RowProblem(pending.line, reason))
        if sink is not None:
            sink.writerow([pending.line, reason, *pending.cells])

    ctx = ImportContext(
        db=db,
        actor=actor,
        zone=ZoneInfo(actor.user.time_zone),
        day_first=day_first,
        update_duplicates=options.on_duplicate == OnDuplicate.UPDATE,
        now=utcnow(),
        counts=report.counts,
        reject=reject,
        layout=_layout(shape, targets),
    )
    savepoint = db.begin_nested()
    try:
        with _tuned_connection(db), _fewer_collections(), copies_kept_open(db):
            _import_rows(path, shape, WRITERS[kind](ctx), ctx, progress)
    except SQLAlchemyError as error:
        savepoint.rollback()
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        message = f"The database refused the import ({reason}); nothing was imported."
        raise AppError(message) from None
    except BaseException:
        savepoint.rollback()
        raise
    if options.dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return report


@contextmanager
def _tuned_connection(db: Session) -> Iterator[None]:
    """Set the import's connection up for a table that grows by the whole file meanwhile.

    SQLite: index pages of a big book no longer fit the default 2 MB cache; an import that
    inserts into five indexes then waits on reads, so the cache is made larger, and the
    memory map is switched off meanwhile: every page it touched stayed resident, so the
    process grew with the database (327 MB at a million rows instead of a flat ~190 MB).
    PostgreSQL: psycopg prepares a statement after a few runs and the server may then keep
    one generic plan; planned while the table was nearly empty, the duplicate lookups stay
    sequential scans as it fills (minutes, not seconds, for 100,000 rows). Each lookup is
    planned afresh instead.
    """
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        connection.exec_driver_sql("PRAGMA mmap_size=0")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        return
    driver = connection.connection.driver_connection
    threshold = driver.prepare_threshold  # type: ignore[union-attr]
    driver.prepare_threshold = None  # type: ignore[union-attr]
    try:
        yield
    finally:
        driver.prepare_threshold = threshold  # type: ignore[union-attr]


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Rows make many short-lived objects; collecting the app's long-lived ones every few
    hundred of them cost more than the import itself, so they are set aside meanwhile."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _layout(shape: FileShape, targets: list[str]) -> Layout:
    return Layout(
        width=len(shape.headers),
        fields=tuple((i, t) for i, t in enumerate(targets) if t not in (CUSTOM, IGNORE)),
        custom=tuple((i, shape.headers[i]) for i, t in enumerate(targets) if t == CUSTOM),
    )


def _import_rows(
    path: Path, shape: FileShape, writer: Writer, ctx: ImportContext, progress: Progress | None
) -> None:
    counts = ctx.counts
    batch: list[RawRow] = []
    refresh_at = 2 * BATCH_SIZE  # then each time the rows have doubled
    with _Rows(path, shape.encoding, shape.delimiter) as rows:
        for line, cells in rows:
            if shape.header_line is not None and line <= shape.header_line:
                continue
            if _blank(cells):
                continue
            counts.rows += 1
            batch.append((line, cells))
            if len(batch) >= BATCH_SIZE:
                writer.take(batch)
                batch = []
                if counts.rows >= refresh_at:
                    writer.tables_grew()
                    refresh_at = 2 * counts.rows
                gc.collect()  # cheap while the app's objects are frozen; keeps memory flat
                if progress is not None:
                    progress(counts.rows, rows.bytes_read)
        if batch:
            writer.take(batch)
        writer.finish()
        refresh_sqlite_statistics(ctx.db.connection())  # the book may be ten times bigger
        if progress is not None:
            progress(counts.rows, rows.bytes_read)
