"""Many writers at once (threads and processes) planning and logging outcomes: no lost rows,
no "database is locked" reaching a caller, on SQLite (a WAL file) and on PostgreSQL; and the
summaries every writer rebuilds (its deal's activity and flag days, its rep's day) still
equal ones worked out afresh from all of their records."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from writers import process_main, write_many

from aimfire.config import Settings
from aimfire.services.setup import Database
from aimfire.store.models import Commitment, Contact, DealActivity, Interaction
from health_support import deal, drift
from support import Personas

THREADS = 6
PROCESSES = 2
EACH = 12  # plans per writer; each is logged, with a promise and a next plan


def _contacts(db: Session, personas: Personas) -> list[tuple[int, int, int | None]]:
    """One contact per writer, alternating between two reps' books; half the writers of a book
    plan on its one deal, the other half on no deal (so only their rep's day is shared)."""
    deals = [deal(db, rep, title="Suite for the season") for rep in (personas.rita, personas.ben)]
    writers: list[tuple[int, int, int | None]] = []
    for n in range(THREADS + PROCESSES):
        on = deals[n % 2]
        contact = Contact(owner_id=on.owner_id, first_name=f"Writer {n}")
        db.add(contact)
        db.flush()
        writers.append((on.owner_id, contact.id, on.id if n % 4 < 2 else None))
    db.commit()
    return writers


def test_concurrent_writers_lose_nothing_and_never_see_a_lock(
    database: Database, db: Session, personas: Personas, settings: Settings, tmp_path: Path
) -> None:
    writers = _contacts(db, personas)
    db.close()
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(PROCESSES) as pool, ThreadPoolExecutor(THREADS) as threads:
        processes = [
            pool.apply_async(
                process_main,
                (settings.effective_database_url, str(tmp_path), *writer, EACH, f"p{n}"),
            )
            for n, writer in enumerate(writers[THREADS:])
        ]
        in_threads = [
            threads.submit(write_many, database, *writer, EACH, f"t{n}")
            for n, writer in enumerate(writers[:THREADS])
        ]
        errors = [e for f in in_threads for e in f.result()]
        errors += [e for r in processes for e in r.get(timeout=240)]
    assert errors == []
    count = THREADS + PROCESSES
    with database.sessions() as check:
        planned_and_next = check.scalar(select(func.count(Interaction.id)))
        promises = check.scalar(select(func.count(Commitment.id)))
        linked = check.scalar(
            select(func.count(Interaction.id)).where(Interaction.next_interaction_id.is_not(None))
        )
    assert (planned_and_next, promises, linked) == (
        count * EACH * 2,
        count * EACH,
        count * EACH,
    )
    with database.sessions() as check:
        assert drift(check.connection()) == (set(), set())
        # The next plans of each deal's writers are still planned, on the deal.
        planned = check.scalars(select(DealActivity.planned).order_by(DealActivity.deal_id))
        assert list(planned) == [count // 4 * EACH] * 2
