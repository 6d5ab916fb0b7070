"""Deterministic data at scale for benchmarks and load tests.

Run by hand: ``python benchmarks/generate.py large`` (or ``small`` / ``team``) with
``--url`` (default: a SQLite file under /tmp) and ``--seed``. The same seed, size and
``--today`` give the same rows. Sizes:

- ``small``: the demo (``aimfire demo``): two reps, a coach, an admin.
- ``large``: one rep's large book: 100,000 contacts, 1,000,000 interactions with outcomes,
  20,000 deals and their people and stage history, 50,000 commitments, a year of goals.
- ``team``: 200 reps (20 teams, each with a coach) with 5,000 contacts each and a year of
  history.

Rows are written straight through the storage layer in batches
(``aimfire.store.bulk.insert_many``: one compiled ``insert(table)`` per table and the driver's
executemany, or a COPY on PostgreSQL), never ORM objects one by one. Every login's password
is ``aimfire-bench``; the large book's rep is ``rep1@bench.example``, its coach
``coach1@bench.example``, the admin ``admin@bench.example``. Generated databases live
outside the repository.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn  # noqa: E402
from sqlalchemy import Table, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from aimfire.domain.contacts import folded, search_text  # noqa: E402
from aimfire.domain.teams import TeamRole  # noqa: E402
from aimfire.services.auth import hash_password  # noqa: E402
from aimfire.store import deal_summaries, rep_days  # noqa: E402
from aimfire.store.bulk import insert_many  # noqa: E402
from aimfire.store.db import make_engine, make_session_factory  # noqa: E402
from aimfire.store.migrate import upgrade  # noqa: E402
from aimfire.store.models import (  # noqa: E402
    Account,
    Base,
    Commitment,
    Contact,
    Deal,
    DealContact,
    DealStageChange,
    Goal,
    Interaction,
    PipelineStage,
    Team,
    TeamMember,
    User,
)

PASSWORD = "aimfire-bench"
DEFAULT_URL = "sqlite:////tmp/aimfire-bench/{size}.db"
BATCH = 10_000
HISTORY_DAYS = 365

FIRST = (
    "Ava",
    "Ben",
    "Carmen",
    "Dev",
    "Elena",
    "Farah",
    "Gus",
    "Hana",
    "Inès",
    "Jörg",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
)
LAST = (
    "Adams",
    "Baptiste",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
)
WORDS = (
    "Harbor",
    "Summit",
    "Cedar",
    "Atlas",
    "Beacon",
    "Lumen",
    "Orchid",
    "Granite",
    "Willow",
    "Falcon",
    "Meridian",
    "Juniper",
    "Aspen",
    "Copper",
    "Delta",
    "Ember",
)
KINDS = ("Dental", "Logistics", "Foods", "Studios", "Clinic", "Motors", "Labs", "Partners")
SOURCES = ("referral", "inbound", "list", "event", "existing_customer", "cold", "other")
REASONS = (
    "asked_to_be_called",
    "referral",
    "inbound_enquiry",
    "renewal",
    "proposal_follow_up",
    "re_engage_stalled",
    "list_or_event",
    "other",
)
CHANNELS = ("phone", "phone", "phone", "email", "email", "meeting", "video", "text")
OBJECTIVES = (
    "I need to understand what is getting in the way of their decision.",
    "Get a firm date for an on-site meeting with the owner.",
    "Learn who else signs off on a purchase of this size.",
    "Find out whether the budget for next season is approved.",
    "Agree on a date to present the proposal in person.",
)
REACHED = ("connected",) * 9 + ("voicemail",) * 5 + ("no_answer",) * 5 + ("bounced",)
RESULTS = ("advance", "advance", "continuation", "continuation", "no_sale", "order")
MET = ("yes", "yes", "partly", "no")


@dataclass(frozen=True, slots=True)
class Size:
    reps: int
    accounts: int  # per rep
    contacts: int
    deals: int
    interactions: int
    commitments: int
    planned_today: int = 40  # planned interactions due on the day of generation, per rep
    planned_ahead: int = 1_000  # planned in the next 30 days, per rep
    team_size: int = 10  # reps per team, each team with one coach


SIZES = {
    "medium": Size(1, 1_000, 10_000, 2_000, 100_000, 5_000),
    "large": Size(1, 10_000, 100_000, 20_000, 1_000_000, 50_000),
    "team": Size(200, 1_000, 5_000, 400, 2_500, 500, planned_today=12, planned_ahead=60),
}


@dataclass
class Stats:
    rows: int = 0
    seconds: float = 0.0


FK_ORDER = [
    Account.__table__,
    Contact.__table__,
    Deal.__table__,
    DealContact.__table__,
    DealStageChange.__table__,
    Interaction.__table__,
    Commitment.__table__,
    Goal.__table__,
]


def default_url(size: str) -> str:
    return DEFAULT_URL.format(size=size)


def generate(
    size: str,
    url: str,
    *,
    seed: int = 8,
    today: date | None = None,
    console: Console | None = None,
) -> Stats:
    """Fill the (new or empty) database at ``url`` with the named size; return what it wrote."""
    console = console or Console(stderr=True)
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as db:
        if db.scalar(select(func.count()).select_from(User)):
            engine.dispose()
            raise NotEmpty(f"{make_url(url).render_as_string()} already holds data")
    from aimfire.services.pipeline import ensure_default_stages
    from aimfire.services.playbooks import ensure_builtin_playbooks

    with sessions.begin() as db:
        ensure_default_stages(db)
        ensure_builtin_playbooks(db)
    today = today or datetime.now(UTC).date()
    started = time.perf_counter()
    stats = Stats()
    try:
        if size == "small":
            from aimfire.services.demo import load_demo

            with sessions.begin() as db:
                load_demo(db, seed=seed, today=today)
                stats.rows = sum(
                    db.scalar(select(func.count()).select_from(table)) or 0
                    for table in (Contact.__table__, Deal.__table__, Interaction.__table__)
                )
        else:
            with sessions() as db:
                stats.rows = _write_book(db, SIZES[size], seed, today, console)
                deal_summaries.rebuild_all(db.connection())
                rep_days.rebuild_all(db.connection())
                db.commit()
            postgresql = engine.dialect.name == "postgresql"
            if postgresql:
                _reset_sequences(engine)
            # On PostgreSQL, VACUUM too: a search reads its index alone only once the table's
            # pages are known to be all visible, as autovacuum soon marks them in a live book.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE" if postgresql else "ANALYZE")
    finally:
        engine.dispose()
    stats.seconds = time.perf_counter() - started
    return stats


def _reset_sequences(engine: Any) -> None:
    with engine.begin() as connection:
        for table in (
            Account,
            Contact,
            Deal,
            DealContact,
            DealStageChange,
            Interaction,
            Commitment,
            Goal,
        ):
            name = table.__tablename__
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
            )


def _next_id(db: Session, table: Table) -> int:
    return (db.scalar(select(func.max(table.c.id))) or 0) + 1


class _Writer:
    """Batches rows per table and writes them with one executemany per batch."""

    def __init__(self, db: Session, progress: Progress, task: Any) -> None:
        self.db, self.progress, self.task = db, progress, task
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.rows = 0

    def add(self, table: Table, row: dict[str, Any]) -> None:
        batch = self.pending.setdefault(table.name, [])
        batch.append(row)
        if len(batch) >= BATCH:  # write what it refers to first
            self.flush_all(*FK_ORDER[: FK_ORDER.index(table) + 1])

    def flush(self, table: Table) -> None:
        batch = self.pending.pop(table.name, [])
        if batch:
            insert_many(self.db, table, batch)
            self.rows += len(batch)
            self.progress.advance(self.task, len(batch))

    def flush_all(self, *tables: Table) -> None:
        for table in tables:  # in foreign-key order
            self.flush(table)


def _users(db: Session, size: Size, password_hash: str) -> tuple[list[int], list[int]]:
    """Create the reps, one coach per team of ``team_size`` reps, and an admin."""
    reps = [
        User(email=f"rep{n}@bench.example", name=f"Rep {n:03d}", password_hash=password_hash)
        for n in range(1, size.reps + 1)
    ]
    coaches_needed = max(1, -(-size.reps // size.team_size))
    coaches = [
        User(email=f"coach{n}@bench.example", name=f"Coach {n:03d}", password_hash=password_hash)
        for n in range(1, coaches_needed + 1)
    ]
    admin = User(
        email="admin@bench.example", name="Admin", password_hash=password_hash, is_admin=True
    )
    db.add_all([*reps, *coaches, admin])
    db.flush()
    for n, coach in enumerate(coaches):
        team = Team(name=f"Bench team {n + 1:03d}")
        members = reps[n * size.team_size : (n + 1) * size.team_size]
        team.members = [TeamMember(user_id=coach.id, role=TeamRole.COACH)] + [
            TeamMember(user_id=rep.id, role=TeamRole.REP) for rep in members
        ]
        db.add(team)
    db.flush()
    return [rep.id for rep in reps], [coach.id for coach in coaches]


def _write_book(db: Session, size: Size, seed: int, today: date, console: Console) -> int:
    rng = random.Random(seed)
    now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)
    rep_ids, _coaches = _users(db, size, hash_password(PASSWORD))
    stages = {s.key: s for s in db.scalars(select(PipelineStage))}
    total = size.reps * (
        size.accounts
        + size.contacts
        + size.deals * 3
        + size.interactions
        + size.planned_ahead
        + size.planned_today
        + size.commitments
        + 5
    )
    ids = {
        t.name: _next_id(db, t)
        for t in (Account.__table__, Contact.__table__, Deal.__table__, Interaction.__table__)
    }
    columns = [
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(f"{size.reps} rep(s)", total=total)
        writer = _Writer(db, progress, task)
        for rep_id in rep_ids:
            _rep_book(writer, rng, rep_id, size, stages, now, ids)
        writer.flush_all(*FK_ORDER)
        progress.update(task, completed=writer.rows, total=writer.rows)
    return writer.rows


def _stamp(at: datetime) -> dict[str, datetime]:
    return {"created_at": at, "updated_at": at}


def _rep_book(
    w: _Writer,
    rng: random.Random,
    rep: int,
    size: Size,
    stages: dict[str, PipelineStage],
    now: datetime,
    ids: dict[str, int],
) -> None:
    start = now - timedelta(days=HISTORY_DAYS)

    def when(days_back: float = HISTORY_DAYS) -> datetime:
        return now - timedelta(seconds=rng.random() * days_back * 86_400)

    account_ids = list(range(ids["accounts"], ids["accounts"] + size.accounts))
    ids["accounts"] += size.accounts
    for account_id in account_ids:
        name = f"{rng.choice(WORDS)} {rng.choice(KINDS)} {account_id}"
        w.add(
            Account.__table__,
            {
                "id": account_id,
                "owner_id": rep,
                "name": name,
                "industry": "",
                "website": "",
                "phone": "",
                "notes": "",
                "archived_at": None,
                "search_text": folded(name),
                **_stamp(when()),
            },
        )
    w.flush(Account.__table__)
    contact_ids = list(range(ids["contacts"], ids["contacts"] + size.contacts))
    ids["contacts"] += size.contacts
    contact_account: dict[int, int | None] = {}
    for cid in contact_ids:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        account = rng.choice(account_ids) if rng.random() < 0.7 else None
        contact_account[cid] = account
        digits = f"1555{cid % 10_000_000:07d}"
        email = f"{first.lower()}.{last.lower()}.{cid}@example.com"
        w.add(
            Contact.__table__,
            {
                "id": cid,
                "owner_id": rep,
                "account_id": account,
                "first_name": first,
                "last_name": f"{last}",
                "email": email,
                "phone": f"+1 555 {digits[4:7]}-{digits[7:]}",
                "phone_digits": digits,
                "title": rng.choice(("Owner", "Buyer", "Office manager", "")),
                "source": rng.choice(SOURCES),
                "role": rng.choice((None, None, "decision_maker", "influencer", "gatekeeper")),
                "notes": "",
                "custom_fields": {},
                "archived_at": None,
                "search_text": search_text(first, last, email, digits),
                **_stamp(when()),
            },
        )
    w.flush_all(Account.__table__, Contact.__table__)
    open_keys = ["new", "qualified", "meeting_set", "needs_analysed", "proposal", "decision"]
    order = [*open_keys, "won", "lost"]
    deal_ids = list(range(ids["deals"], ids["deals"] + size.deals))
    ids["deals"] += size.deals
    deal_contact: dict[int, int] = {}
    for deal_id in deal_ids:
        contact = rng.choice(contact_ids)
        deal_contact[deal_id] = contact
        roll = rng.random()
        key = "won" if roll < 0.25 else "lost" if roll < 0.5 else rng.choice(open_keys)
        stage = stages[key]
        entered = when(200)
        closed = entered if key in ("won", "lost") else None
        position = order.index(key)
        w.add(
            Deal.__table__,
            {
                "id": deal_id,
                "owner_id": rep,
                "title": f"{rng.choice(WORDS)} deal {deal_id}",
                "contact_id": contact,
                "account_id": contact_account[contact],
                "value_cents": rng.randrange(50_000, 5_000_000, 100),
                "stage_id": stage.id,
                "stage_entered_at": entered,
                "decision_maker_met": rng.random() < 0.4,
                "proposal_sent_on": (entered - timedelta(days=3)).date() if position >= 4 else None,
                "expected_close_on": (now + timedelta(days=rng.randrange(5, 120))).date(),
                "closed_at": closed,
                "notes": "",
                "custom_fields": {},
                **_stamp(entered),
            },
        )
        if rng.random() < 0.5:
            w.add(
                DealContact.__table__,
                {"deal_id": deal_id, "contact_id": contact, "role": "decision_maker"},
            )
        path = ["new"]
        if position > 1:
            path.append(open_keys[min(position, 5) - 1])
        if position > 0:
            path.append(key)
        previous = None
        for step, step_key in enumerate(path):
            w.add(
                DealStageChange.__table__,
                {
                    "deal_id": deal_id,
                    "owner_id": rep,
                    "from_stage_id": previous,
                    "to_stage_id": stages[step_key].id,
                    "changed_at": entered - timedelta(days=10 * (len(path) - 1 - step)),
                },
            )
            previous = stages[step_key].id
    w.flush_all(Deal.__table__, DealContact.__table__, DealStageChange.__table__)
    _interactions(w, rng, rep, size, contact_ids, deal_ids, deal_contact, now, start, ids)
    _commitments(w, rng, rep, size, contact_ids, now, ids)
    quarter = date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)
    for n, (period, begin, end, amount) in enumerate(
        (
            (
                "quarter",
                quarter,
                (quarter + timedelta(days=95)).replace(day=1) - timedelta(days=1),
                300_000_00,
            ),
            (
                "month",
                now.date().replace(day=1),
                (now.date().replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
                100_000_00,
            ),
        )
    ):
        w.add(
            Goal.__table__,
            {
                "owner_id": rep,
                "kind": "revenue",
                "amount": amount + n,
                "period": period,
                "start_on": begin,
                "end_on": end,
                **_stamp(now),
            },
        )


def _interactions(
    w: _Writer,
    rng: random.Random,
    rep: int,
    size: Size,
    contact_ids: list[int],
    deal_ids: list[int],
    deal_contact: dict[int, int],
    now: datetime,
    start: datetime,
    ids: dict[str, int],
) -> None:
    span = (now - start).total_seconds()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for n in range(size.interactions):
        iid = ids["interactions"]
        ids["interactions"] += 1
        at = start + timedelta(seconds=span * n / size.interactions)
        w.add(
            Interaction.__table__,
            _interaction(rng, iid, rep, contact_ids, deal_ids, deal_contact, at, done=True),
        )
    for n in range(size.planned_today):
        iid = ids["interactions"]
        ids["interactions"] += 1
        at = day_start + timedelta(hours=8, minutes=10 * n)
        w.add(
            Interaction.__table__,
            _interaction(rng, iid, rep, contact_ids, deal_ids, deal_contact, at, done=False),
        )
    for n in range(size.planned_ahead):
        iid = ids["interactions"]
        ids["interactions"] += 1
        at = day_start + timedelta(days=1 + 30 * n / size.planned_ahead, hours=9)
        w.add(
            Interaction.__table__,
            _interaction(rng, iid, rep, contact_ids, deal_ids, deal_contact, at, done=False),
        )


def _interaction(
    rng: random.Random,
    iid: int,
    rep: int,
    contact_ids: list[int],
    deal_ids: list[int],
    deal_contact: dict[int, int],
    at: datetime,
    *,
    done: bool,
) -> dict[str, Any]:
    deal = rng.choice(deal_ids) if rng.random() < 0.4 else None
    contact = deal_contact[deal] if deal is not None else rng.choice(contact_ids)
    reached = rng.choice(REACHED) if done else None
    connected = reached == "connected"
    rating: Callable[[], int | None] = (lambda: rng.randint(1, 5)) if connected else lambda: None
    return {
        "id": iid,
        "owner_id": rep,
        "contact_id": contact,
        "deal_id": deal,
        "type_id": None,
        "reason": rng.choice(REASONS),
        "channel": rng.choice(CHANNELS),
        "objective": rng.choice(OBJECTIVES),
        "objective_label": "learning",
        "learning_questions": "Who else decides?\nWhat is the timeline?",
        "best_outcome": "",
        "minimum_outcome": "",
        "scheduled_at": at,
        "planned_minutes": None,
        "status": "done" if done else "planned",
        "follows_commitment_id": None,
        "reached": reached,
        "objective_met": (rng.choice(MET) if connected else "no") if done else None,
        "result": rng.choice(RESULTS) if connected else None,
        "answers": [],
        "learned": "",
        "tonality": rating(),
        "emotional_engagement": rating(),
        "business_relevance": rating(),
        "personal_relevance": rating(),
        "depth_of_engagement": rating(),
        "actual_minutes": rng.randint(2, 30) if done else None,
        "logged_at": at + timedelta(minutes=20) if done else None,
        "next_step": ("scheduled" if connected else "none") if done else None,
        "no_next_step_reason": "" if connected or not done else "Not reached; retry later.",
        "next_interaction_id": None,
        **_stamp(at),
    }


def _commitments(
    w: _Writer,
    rng: random.Random,
    rep: int,
    size: Size,
    contact_ids: list[int],
    now: datetime,
    ids: dict[str, int],
) -> None:
    overdue_open = 0
    for n in range(size.commitments):
        due = now.date() - timedelta(days=rng.randrange(-30, HISTORY_DAYS))
        past = due < now.date()
        status = rng.choice(("kept", "kept", "broken")) if past else "open"
        if past and overdue_open < 25 and n % 97 == 0:
            status, overdue_open = "open", overdue_open + 1
        at = datetime.combine(due, datetime.min.time(), UTC) - timedelta(days=5)
        w.add(
            Commitment.__table__,
            {
                "owner_id": rep,
                "contact_id": rng.choice(contact_ids),
                "deal_id": None,
                "interaction_id": None,
                "party": rng.choice(("prospect", "rep")),
                "description": rng.choice(
                    (
                        "Talk to my partner",
                        "Send the case study",
                        "Check the budget",
                        "Ask the owner",
                    )
                ),
                "due_on": due,
                "status": status,
                "resolved_at": None if status == "open" else at + timedelta(days=5),
                **_stamp(at),
            },
        )


class NotEmpty(Exception):
    """The database to fill already holds users (and so, perhaps, a generated book)."""


def drop_everything(url: str) -> None:
    """Empty the database at ``url``: delete a SQLite file, or drop every table of ours."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path((parsed.database or "") + suffix).unlink(missing_ok=True)
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def iter_sizes() -> Iterator[str]:
    yield from ("small", *SIZES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=list(iter_sizes()))
    parser.add_argument("--url", help="database URL (default: a SQLite file under /tmp)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--today", type=date.fromisoformat, help="the day the data is 'now'")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="start from an empty database: delete the SQLite file, or drop aimfire's tables",
    )
    args = parser.parse_args()
    url = args.url or default_url(args.size)
    parsed = make_url(url)
    if args.replace:
        drop_everything(url)
    console = Console(stderr=True)
    try:
        stats = generate(args.size, url, seed=args.seed, today=args.today, console=console)
    except NotEmpty as error:
        raise SystemExit(f"{error}: pass --replace to start from an empty database.") from None
    console.print(
        f"{args.size}: {stats.rows:,} rows in {stats.seconds:.1f} s "
        f"({stats.rows / max(stats.seconds, 1e-9):,.0f} rows/s) into "
        f"{parsed.render_as_string(hide_password=True)}"
    )


if __name__ == "__main__":
    main()
