"""Many writers at once (threads and processes) planning and logging outcomes: no lost rows,
no "database is locked" reaching a caller, on SQLite (a WAL file) and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from writers import process_main, write_many

from aimfire.config import Settings
from aimfire.services.setup import Database
from aimfire.store.models import Commitment, Contact, Interaction
from support import Personas

THREADS = 6
PROCESSES = 2
EACH = 12  # plans per writer; each is logged, with a promise and a next plan


def _contacts(db: Session, personas: Personas) -> list[tuple[int, int]]:
    """One contact per writer, alternating between two reps' books."""
    owners = [personas.rita.id, personas.ben.id]
    pairs = []
    for n in range(THREADS + PROCESSES):
        contact = Contact(owner_id=owners[n % 2], first_name=f"Writer {n}")
        db.add(contact)
        db.flush()
        pairs.append((contact.owner_id, contact.id))
    db.commit()
    return pairs


def test_concurrent_writers_lose_nothing_and_never_see_a_lock(
    database: Database, db: Session, personas: Personas, settings: Settings, tmp_path: Path
) -> None:
    pairs = _contacts(db, personas)
    db.close()
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(PROCESSES) as pool, ThreadPoolExecutor(THREADS) as threads:
        processes = [
            pool.apply_async(
                process_main,
                (settings.effective_database_url, str(tmp_path), user, contact, EACH, f"p{n}"),
            )
            for n, (user, contact) in enumerate(pairs[THREADS:])
        ]
        in_threads = [
            threads.submit(write_many, database, user, contact, EACH, f"t{n}")
            for n, (user, contact) in enumerate(pairs[:THREADS])
        ]
        errors = [e for f in in_threads for e in f.result()]
        errors += [e for r in processes for e in r.get(timeout=240)]
    assert errors == []
    writers = THREADS + PROCESSES
    with database.sessions() as check:
        planned_and_next = check.scalar(select(func.count(Interaction.id)))
        promises = check.scalar(select(func.count(Commitment.id)))
        linked = check.scalar(
            select(func.count(Interaction.id)).where(Interaction.next_interaction_id.is_not(None))
        )
    assert (planned_and_next, promises, linked) == (
        writers * EACH * 2,
        writers * EACH,
        writers * EACH,
    )
