"""How fast a contacts CSV imports, and whether memory stays flat as the file grows.

Run by hand: ``python benchmarks/csv_import.py`` (or ``--rows 10000 100000``), on SQLite; with
``--url postgresql+psycopg://postgres@127.0.0.1:5432/test`` on PostgreSQL, where each
measurement gets a throwaway database created next to the one named. For each size it writes a
HubSpot-style contacts export, then, each in a fresh process so peak memory is that run's own:
imports it with ``aimfire import``'s service into a new database, and, as the baseline,
inserts the same rows into a plain table with the raw driver's executemany (``sqlite3`` or
``psycopg``; no checks, no accounts, no de-duplication), and, as a second baseline, inserts
them with the raw driver into aimfire's own ``contacts`` table with its indexes (what the
target asks of the database itself). Reports rows per second, the ratios to the baselines, and
peak memory (the process's peak resident size, VmHWM).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
TARGET = 50_000
HEADER = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Job Title",
    "Company Name",
    "Original Source",
    "Create Date",
]
FIRST = ("Ava", "Ben", "Carmen", "Dev", "Elena", "Farah", "Gus", "Hana", "Inès", "Jörg")
LAST = ("Adams", "Baptiste", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Haddad")
TITLES = ("Owner", "Office Manager", "Operations Director", "Buyer", "")
SOURCES = ("Referrals", "Organic Search", "Offline Sources", "Direct Traffic")


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    companies = [f"Company {n} Ltd" for n in range(max(10, rows // 20))]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            writer.writerow(
                [
                    100_000 + n,
                    first,
                    last,
                    f"{first.lower()}.{last.lower()}.{n}@example.com",
                    f"+1 (555) {n // 10_000 % 1000:03d}-{n % 10_000:04d}",
                    rng.choice(TITLES),
                    rng.choice(companies),
                    rng.choice(SOURCES),
                    f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 09:30",
                ]
            )


def peak_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss
    would carry over the peak of the parent that started us (run.py, say)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


@contextmanager
def scratch_url(server: str | None, workdir: Path) -> Iterator[str]:
    """The URL of an empty database for one measurement: a file in ``workdir``, or on the
    PostgreSQL server of ``server`` a database created for it and dropped afterwards."""
    if server is None:
        yield f"sqlite:///{workdir / 'aimfire.db'}"
        return
    name = f"aimfire_csv_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fresh_database(url: str, workdir: Path) -> Any:
    """A new aimfire database at ``url`` (migrated), with the one user who imports."""
    from aimfire.config import Settings
    from aimfire.services.setup import open_database
    from aimfire.store.models import User

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=workdir,
        database_url=url,
        secret_key="benchmark",
    )
    database = open_database(settings)
    with database.sessions.begin() as db:
        db.add(User(email="bench@example.com", name="Bench", password_hash="-"))
    return database


def run_aimfire(path: Path, url: str, workdir: Path) -> dict[str, float]:
    from sqlalchemy import func, select

    from aimfire.domain.csv_mapping import Kind
    from aimfire.services.access import actor_for
    from aimfire.services.imports import ImportOptions, run_import
    from aimfire.store.db import begin_write
    from aimfire.store.models import Contact, User

    database = fresh_database(url, workdir)
    before = peak_mb()
    started = time.perf_counter()
    with database.sessions() as db:
        begin_write(db)
        actor = actor_for(db, db.scalar(select(User)))
        report = run_import(db, actor, path, ImportOptions(kind=Kind.CONTACTS))
        db.commit()
    elapsed = time.perf_counter() - started
    # The import's own peak: on SQLite the check below reads the whole table through its
    # memory map, whose pages count as resident too.
    peak = peak_mb()
    with database.sessions() as db:
        stored = db.scalar(select(func.count(Contact.id)))
    database.dispose()
    assert report.counts.created == stored, (report.counts, stored)
    return {
        "rows": report.counts.rows,
        "seconds": elapsed,
        "rows_per_s": report.counts.rows / elapsed,
        "peak_mb": peak,
        "peak_before_mb": before,
    }


def raw_connection(url: str) -> Any:
    """The raw driver's connection to ``url``, committing only when told to."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database or "", isolation_level=None)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA cache_size=-65536")  # as the import sets it
        return connection
    import psycopg

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


def run_baseline(path: Path, url: str, workdir: Path) -> dict[str, float]:
    connection = raw_connection(url)
    if make_url(url).get_backend_name() == "sqlite":
        connection.execute("PRAGMA journal_mode=WAL")
        key = "id INTEGER PRIMARY KEY"
    else:
        key = "id serial PRIMARY KEY"
    columns = ", ".join(f"c{n} TEXT" for n in range(len(HEADER)))
    connection.execute(f"CREATE TABLE contacts ({key}, {columns})")
    names = [f"c{n}" for n in range(len(HEADER))]
    return _insert_file(connection, path, _insert(connection, names), lambda batch: batch)


def run_schema_baseline(path: Path, url: str, workdir: Path) -> dict[str, float]:
    """The raw driver into the app's contacts table (its four indexes, same settings), with the
    phone digits and search text worked out as the import does; no checks, accounts or
    duplicate lookups."""
    from aimfire.domain.contacts import phone_digits, search_text

    fresh_database(url, workdir).dispose()
    connection = raw_connection(url)
    names = "owner_id first_name last_name email phone phone_digits title source notes"
    names += " custom_fields created_at updated_at search_text"
    now = "2026-11-23 09:30:00.000000"

    def values(batch: list[list[str]]) -> list[tuple[Any, ...]]:
        rows = []
        for r in batch:
            digits = phone_digits(r[4])
            rows.append(
                (1, r[1], r[2], r[3], r[4], digits, r[5], "other", "",
                 json.dumps({"Record ID": r[0]}), now, now, search_text(r[1], r[2], r[3], digits))
            )  # fmt: skip
        return rows

    return _insert_file(connection, path, _insert(connection, names.split()), values)


def _insert(connection: Any, names: list[str]) -> str:
    mark = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    return f"INSERT INTO contacts ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"


def _insert_file(
    connection: Any,
    path: Path,
    insert: str,
    values: Callable[[list[list[str]]], Sequence[Sequence[Any]]],
) -> dict[str, float]:
    """Time reading the file's rows in batches of 2,000 and inserting them in one transaction."""
    started = time.perf_counter()
    rows = 0
    cursor = connection.cursor()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        cursor.execute("BEGIN")
        while batch := [row for _, row in zip(range(2000), reader, strict=False)]:
            cursor.executemany(insert, values(batch))
            rows += len(batch)
        cursor.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed, "peak_mb": peak_mb()}


RUNNERS = {"aimfire": run_aimfire, "baseline": run_baseline, "schema": run_schema_baseline}


def one(kind: str, path: Path, server: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder, scratch_url(server, Path(folder)) as url:
        sys.stdout.write(json.dumps(RUNNERS[kind](path, url, Path(folder))) + "\n")


def measure(kind: str, path: Path, server: str | None = None) -> dict[str, float]:
    command = [sys.executable, __file__, "--one", kind, str(path)]
    if server is not None:
        command += ["--url", server]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=list(DEFAULT_SIZES))
    parser.add_argument(
        "--url",
        help="a PostgreSQL database whose server gets a throwaway database per measurement "
        "(default: SQLite files in a temporary folder)",
    )
    parser.add_argument("--one", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], Path(args.one[1]), args.url)
        return
    console = Console()
    where = "SQLite" if args.url is None else "PostgreSQL"
    table = Table(title=f"Contacts CSV import, {where}, target {TARGET:,} rows/s")
    for heading in ("rows", "aimfire rows/s", "raw, plain table", "ratio", "raw, same table",
                    "ratio", "peak MB", "baseline MB", "file MB", "target"):  # fmt: skip
        table.add_column(heading, justify="right")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.rows:
            path = Path(folder) / f"contacts_{size}.csv"
            write_file(path, size)
            ours = measure("aimfire", path, args.url)
            base = measure("baseline", path, args.url)
            schema = measure("schema", path, args.url)
            table.add_row(
                f"{size:,}",
                f"{ours['rows_per_s']:,.0f}",
                f"{base['rows_per_s']:,.0f}",
                f"{base['rows_per_s'] / ours['rows_per_s']:.1f}x",
                f"{schema['rows_per_s']:,.0f}",
                f"{schema['rows_per_s'] / ours['rows_per_s']:.1f}x",
                f"{ours['peak_mb']:.0f}",
                f"{base['peak_mb']:.0f}",
                f"{path.stat().st_size / 1e6:.1f}",
                "met" if ours["rows_per_s"] >= TARGET else "NOT met",
            )
            path.unlink()
            console.log(f"{size:,} rows measured")
    console.print(table)


if __name__ == "__main__":
    main()
