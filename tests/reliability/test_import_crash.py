"""An import killed with SIGKILL midway leaves the database consistent and can be re-run.

``aimfire import contacts FILE`` runs in its own process on a SQLite file and on PostgreSQL;
it is killed once it is inside its write transaction (SQLite: it holds the write lock;
PostgreSQL: its backend has written rows). Afterwards the database is intact (SQLite's
integrity and foreign-key checks pass), holds none of the file's contacts (the import is one
transaction), and running the same import again imports every row.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

from aimfire.services.setup import Database
from aimfire.store.models import Contact
from support import Personas

ROWS = 100_000  # a couple of seconds of writing, so there is a "midway" to kill it in
SETTLE_S = 0.5  # how long it writes after the check saw it start, before the kill


def _write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Email", "Phone"])
        for n in range(ROWS):
            writer.writerow([f"Ana{n}", "Crash", f"ana.{n}@example.com", f"+1 555 {n:07d}"])


def _import(url: str, data_dir: Path, path: Path, as_user: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AIMFIRE_DATABASE_URL": url,
        "AIMFIRE_DATA_DIR": str(data_dir),
        "AIMFIRE_SECRET_KEY": "crash",
        "AIMFIRE_USER": as_user,
    }
    command = [sys.executable, "-c", "from aimfire.cli import main; main()"]
    command += ["import", "contacts", str(path), "--json"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _writing(database: Database) -> bool:
    """Whether another process is inside a write transaction on this database right now."""
    if database.engine.dialect.name == "sqlite":
        file = database.engine.url.database
        assert file is not None
        probe = sqlite3.connect(file, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": the importer holds it
            return True
        finally:
            probe.close()
    with database.engine.connect() as connection:
        writers = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
        ).scalar()
    return bool(writers)


def _kill_once_writing(process: subprocess.Popen[bytes], database: Database) -> None:
    try:
        deadline = time.monotonic() + 120
        while not _writing(database):
            assert process.poll() is None, "the import ended before it began writing"
            assert time.monotonic() < deadline, "the import never began writing"
            time.sleep(0.05)
        time.sleep(SETTLE_S)
        assert process.poll() is None, "the import finished before it was killed; raise ROWS"
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)


def _finish(process: subprocess.Popen[bytes]) -> str:
    """Wait for a run to end (killing it if it takes too long); what it wrote to stderr."""
    try:
        _, errors = process.communicate(timeout=300)
    finally:
        process.kill()
        process.communicate()
    return errors.decode()[-2000:]


def _contacts(database: Database) -> int:
    with database.sessions() as db:
        return db.scalar(select(func.count(Contact.id))) or 0


def test_a_killed_import_leaves_nothing_half_written_and_runs_again(
    database: Database, personas: Personas, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    _write_csv(path)
    url = database.engine.url.render_as_string(hide_password=False)
    before = _contacts(database)
    _kill_once_writing(_import(url, tmp_path, path, personas.rita.email), database)
    database.engine.dispose()  # forget pooled connections; the killed process's is gone
    assert _contacts(database) == before
    if database.engine.dialect.name == "sqlite":
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    again = _import(url, tmp_path, path, personas.rita.email)
    errors = _finish(again)
    assert again.returncode == 0, errors
    assert _contacts(database) == before + ROWS
