"""Benchmarks of the main operations against baselines measured in the same run.

Run by hand, after ``python benchmarks/generate.py large``::

    python benchmarks/run.py [--url URL] [--runs 7] [--markdown FILE]

For each operation: our median time over ``--runs`` runs (each in a fresh session, like a
request, with the signed-in user already known: see ``AsUser``), the baseline's median (the
same answer from hand-written SQL through the raw driver, see ``baselines.py``; for HTTP, a
bare endpoint mounted on the same app object by this script that returns as many bytes as
the page), their ratio, and the peak memory of one run of each (tracemalloc, Python
allocations). Targets, at the large-book size: data work at most 2x its raw-SQL baseline and
a median server time of at most 50 ms. Rows that miss a target say so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import baselines  # noqa: E402
from generate import default_url  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from aimfire.config import Settings  # noqa: E402
from aimfire.services.access import Actor, actor_for  # noqa: E402
from aimfire.services.setup import Database, open_database  # noqa: E402
from aimfire.store.models import User  # noqa: E402
from aimfire.store.types import utcnow  # noqa: E402

TARGET_RATIO = 2.0
TARGET_MS = 50.0
REP = "rep1@bench.example"
COACH = "coach1@bench.example"
SEARCH_WORD = "garcía"


@dataclass
class Result:
    name: str
    ours: float  # seconds (median), or items/s for throughput rows
    base: float
    unit: str = "ms"  # "ms" or "rows/s"
    peak_ours: float = 0.0  # MB
    peak_base: float = 0.0
    note: str = ""
    check_time: bool = True
    check_ratio: bool = True
    min_rate: float = 0.0  # for rows/s rows: the target throughput

    @property
    def ratio(self) -> float:
        if self.unit == "ms":
            return self.ours / self.base if self.base else float("inf")
        return self.base / self.ours if self.ours else float("inf")

    @property
    def misses(self) -> list[str]:
        missed = []
        if self.check_ratio and self.ratio > TARGET_RATIO:
            missed.append(f"> {TARGET_RATIO:g}x")
        if self.unit == "ms" and self.check_time and self.ours * 1000 > TARGET_MS:
            missed.append(f"> {TARGET_MS:g} ms")
        if self.unit == "rows/s" and self.ours < self.min_rate:
            missed.append(f"< {self.min_rate:,.0f}/s")
        return missed


def median_time(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    work()  # warm caches and the statement cache
    times, answer = [], None
    for _ in range(runs):
        if isinstance(work, AsUser):
            work.sign_in()  # untimed: the request's authentication, not the page's data
        started = time.perf_counter()
        answer = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def peak_mb(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


class AsUser:
    """A service called as a signed-in user's request calls it: in a session of its own, with
    the user and the reps they coach already known. Knowing them is the request's
    authentication, the same for every page (one query for the user, one for the reps: about
    a millisecond), and the raw baseline does not do it either; ``median_time`` signs in
    before it starts the clock."""

    def __init__(self, database: Database, user_id: int, work: Callable[[Any, Actor], Any]):
        self.database, self.user_id, self.work = database, user_id, work
        self.signed_in: tuple[Any, Actor] | None = None

    def sign_in(self) -> None:
        db = self.database.sessions()
        self.signed_in = (db, actor_for(db, db.get_one(User, self.user_id)))

    def __call__(self) -> Any:
        if self.signed_in is None:
            self.sign_in()
        assert self.signed_in is not None
        db, actor = self.signed_in
        self.signed_in = None
        try:
            return self.work(db, actor)
        finally:
            db.close()


class Bench:
    def __init__(self, url: str, runs: int) -> None:
        self.url, self.runs = url, runs
        self.folder = tempfile.mkdtemp(prefix="aimfire-bench-")
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=Path(self.folder),
            database_url=url,
            secret_key="benchmark",
        )
        self.database: Database = open_database(self.settings)
        self.raw = baselines.Raw(url)
        with self.database.sessions() as db:
            rep = db.scalar(select(User).where(User.email == REP))
            coach = db.scalar(select(User).where(User.email == COACH))
            if rep is None or coach is None:
                raise SystemExit(f"No generated book at {url}: run benchmarks/generate.py first.")
            self.rep_id, self.coach_id = rep.id, coach.id
        self.results: list[Result] = []

    def as_actor(self, user_id: int, work: Callable[[Any, Actor], Any]) -> AsUser:
        return AsUser(self.database, user_id, work)

    def compare(
        self, name: str, ours: Callable[[], Any], base: Callable[[], Any], **extra: Any
    ) -> Result:
        ours_s, ours_answer = median_time(ours, self.runs)
        base_s, base_answer = median_time(base, self.runs)
        note = extra.pop("note", "")
        if ours_answer != base_answer:
            note = f"{note} answers differ: ours {ours_answer}, SQL {base_answer}".strip()
        result = Result(
            name,
            ours_s,
            base_s,
            peak_ours=peak_mb(ours),
            peak_base=peak_mb(base),
            note=note,
            **extra,
        )
        self.results.append(result)
        return result


# --- the operations ------------------------------------------------------------------------


def data_operations(bench: Bench) -> None:
    from aimfire.services import behaviour_plan, coaching, contacts, deals, health, scorecard
    from aimfire.services.today import day_bounds, local_day, today_queue
    from aimfire.services.weeks import local_midnight_utc, user_week

    raw, rep = bench.raw, bench.rep_id
    with bench.database.sessions() as db:
        user = db.get_one(User, rep)
        actor = actor_for(db, user)
        day = local_day(actor)
        _, end = day_bounds(day, user.time_zone)
        week = user_week(user, None, utcnow())
        first = day - timedelta(days=behaviour_plan.DEFAULT_WINDOW_DAYS - 1)
        window = baselines.Span(local_midnight_utc(first, user), end, first, day)
    week_span = baselines.Span(week.start_utc, week.end_utc, week.start_date, week.end_date)

    bench.compare(
        "Today queue (services.today.today_queue)",
        bench.as_actor(rep, lambda db, a: len(today_queue(db, a).rows)),
        lambda: baselines.today_page(raw, rep, end, day),
    )
    bench.compare(
        f"Contact search '{SEARCH_WORD}' (search_contacts)",
        bench.as_actor(rep, lambda db, a: contacts.search_contacts(db, a, query=SEARCH_WORD).total),
        lambda: baselines.contact_search(raw, rep, SEARCH_WORD),
    )
    bench.compare(
        "Pipeline board with flags (deals.pipeline_board)",
        bench.as_actor(
            rep,
            lambda db, a: sum(c.count for c in deals.pipeline_board(db, a)),
        ),
        lambda: baselines.pipeline_board(raw, rep),
    )
    bench.compare(
        "Deal-health scan, first 50 flagged (health.flagged_deals_page)",
        bench.as_actor(rep, lambda db, a: health.flagged_deals_page(db, a).total),
        lambda: baselines.health_page(raw, rep, day),
    )
    bench.compare(
        "Weekly scorecard, rep (scorecard.scorecard)",
        bench.as_actor(rep, lambda db, a: scorecard.scorecard(db, a).card is not None),
        lambda: baselines.scorecard(raw, [rep], week_span, window) >= 0,
    )
    bench.compare(
        "Weekly scorecard, coach's team (coaching.dashboard)",
        bench.as_actor(bench.coach_id, lambda db, a: len(coaching.dashboard(db, a))),
        lambda: _team_scorecard(bench, week_span, window),
    )
    bench.compare(
        "Behaviour plan (behaviour_plan.behaviour_plan)",
        bench.as_actor(rep, lambda db, a: behaviour_plan.behaviour_plan(db, a) is not None),
        lambda: baselines.behaviour_plan(raw, rep, window) >= 0,
    )


def _team_scorecard(bench: Bench, week: baselines.Span, window: baselines.Span) -> int:
    rows = bench.raw.rows(
        "SELECT r.user_id FROM team_members c JOIN team_members r ON r.team_id = c.team_id"
        " WHERE c.user_id = ? AND c.role = 'coach' AND r.role = 'rep'",
        [bench.coach_id],
    )
    reps = [row[0] for row in rows]
    baselines.scorecard(bench.raw, reps, week, window)
    baselines.funnel(bench.raw, reps, week.weeks_before(1))
    bench.raw.rows(
        "SELECT rep_id, COUNT(*) FROM coach_notes WHERE acknowledged_at IS NULL GROUP BY rep_id"
    )
    return len(reps)


def export_operation(bench: Bench) -> None:
    from aimfire.services.export import write_export

    def ours() -> int:
        with bench.database.sessions() as db, open(os.devnull, "w", encoding="utf-8") as sink:
            counts = write_export(db, actor_for(db, db.get_one(User, bench.rep_id)), sink)
            return sum(counts.values())

    def base() -> int:
        with open(os.devnull, "w", encoding="utf-8") as sink:
            return baselines.export(bench.raw, bench.rep_id, sink)

    ours_s, rows = median_time(ours, max(1, bench.runs // 3))
    base_s, base_rows = median_time(base, max(1, bench.runs // 3))
    bench.results.append(
        Result(
            "Export of the book (export.write_export)",
            rows / ours_s,
            base_rows / base_s,
            unit="rows/s",
            peak_ours=peak_mb(ours),
            peak_base=peak_mb(base),
            note=f"{rows:,} rows ({base_rows:,} in SQL)",
        )
    )


def objective_operation(bench: Bench) -> None:
    from objective_check import BASELINE_PATTERN, DATA, per_second

    from aimfire.domain.objective import check_objective
    from aimfire.domain.objective_eval import load_labelled

    texts = [example.text for example in load_labelled(DATA)] * 40
    for text in texts[:300]:
        check_objective(text)
    ours, base = per_second(check_objective, texts), per_second(BASELINE_PATTERN.search, texts)
    bench.results.append(
        Result(
            "Objective check (check_objective)",
            ours,
            base,
            unit="rows/s",
            peak_ours=peak_mb(lambda: [check_objective(t) for t in texts[:2000]]),
            peak_base=peak_mb(lambda: [BASELINE_PATTERN.search(t) for t in texts[:2000]]),
            note="checks/s against one re.search",
            check_ratio=False,
            min_rate=20_000,
        )
    )


def import_operation(bench: Bench, rows: int) -> None:
    from csv_import import measure, write_file

    on_sqlite = make_url(bench.url).get_backend_name() == "sqlite"
    server = None if on_sqlite else bench.url  # a throwaway database beside the bench one
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.csv"
        write_file(path, rows)
        ours, base = measure("aimfire", path, server), measure("baseline", path, server)
    where, driver = ("SQLite file", "sqlite3") if on_sqlite else ("PostgreSQL database", "psycopg")
    bench.results.append(
        Result(
            f"CSV import of {rows:,} contacts (imports.run_import)",
            ours["rows_per_s"],
            base["rows_per_s"],
            unit="rows/s",
            peak_ours=ours["peak_mb"],
            peak_base=base["peak_mb"],
            check_ratio=False,
            min_rate=50_000,
            note=f"fresh {where}; peak = its process's peak RSS; baseline: {driver} executemany",
        )
    )


def http_operations(bench: Bench) -> None:
    from fastapi.responses import Response
    from starlette.testclient import TestClient

    from aimfire.services.auth import start_session
    from aimfire.web.app import create_app
    from aimfire.web.deps import SESSION_COOKIE
    from aimfire.web.page_cache import PageCache

    app = create_app(bench.settings, bench.database)
    padding: dict[int, bytes] = {}

    @app.get("/__bench/bytes/{size}", include_in_schema=False)
    def bare(size: int) -> Response:  # the same app, middleware and server; no work at all
        body = padding.setdefault(size, b"x" * size)
        return Response(body, media_type="text/html; charset=utf-8")

    tokens = {}
    with bench.database.sessions.begin() as db:
        for user_id in (bench.rep_id, bench.coach_id):
            tokens[user_id] = start_session(db, db.get_one(User, user_id), timedelta(hours=2))
    # Today's page is kept between changes (web/page_cache.py): measured as served again, and
    # as worked out afresh, the first visit after a change (here: with nothing kept).
    afresh = "GET /today (first visit after a change)"
    pages = [
        (bench.rep_id, "GET /today (kept: nothing changed)", "/today"),
        (bench.rep_id, afresh, "/today"),
        (bench.rep_id, f"GET /contacts?q={SEARCH_WORD}", f"/contacts?q={SEARCH_WORD}"),
        (bench.rep_id, "GET /contacts", "/contacts"),
        (bench.rep_id, "GET /deals", "/deals"),
        (bench.rep_id, "GET /deals/board", "/deals/board"),
        (bench.rep_id, "GET /interactions/new", "/interactions/new"),
        (bench.rep_id, "GET /commitments", "/commitments"),
        (bench.rep_id, "GET /health", "/health"),
        (bench.rep_id, "GET /scorecard", "/scorecard"),
        (bench.rep_id, "GET /plan", "/plan"),
        (bench.coach_id, "GET /coach (coach)", "/coach"),
        (bench.rep_id, "GET /api/v1/today", "/api/v1/today"),
        (bench.rep_id, "GET /api/v1/deals", "/api/v1/deals"),
    ]
    with TestClient(app) as client:
        client.get("/login")  # the browser cookie
        for user_id, name, path in pages:
            client.cookies.set(SESSION_COOKIE, tokens[user_id])
            response = client.get(path)
            if response.status_code != 200:
                bench.results.append(Result(name, 0, 0, note=f"HTTP {response.status_code}"))
                continue
            size = len(response.content)

            def ours(path: str = path, forget: bool = name == afresh) -> int:
                if forget:
                    app.state.page_cache = PageCache()
                return len(client.get(path).content)

            def base(size: int = size) -> int:
                return len(client.get(f"/__bench/bytes/{size}").content)

            bench.compare(
                name,
                ours,
                base,
                check_ratio=False,
                note=f"{size / 1000:,.0f} kB; baseline: bare endpoint, same bytes",
            )


# --- output ----------------------------------------------------------------------------------


def _cells(result: Result) -> list[str]:
    if result.unit == "ms":
        ours, base = f"{result.ours * 1000:,.1f} ms", f"{result.base * 1000:,.1f} ms"
    else:
        ours, base = f"{result.ours:,.0f}/s", f"{result.base:,.0f}/s"
    verdict = "MISSED " + ", ".join(result.misses) if result.misses else "ok"
    return [
        result.name,
        ours,
        base,
        f"{result.ratio:.1f}x",
        f"{result.peak_ours:,.1f} / {result.peak_base:,.1f}",
        verdict,
        result.note,
    ]


HEADERS = ["operation", "ours (median)", "baseline", "ratio", "peak MB ours/base", "target", "note"]


def print_table(console: Console, title: str, results: list[Result]) -> None:
    table = Table(title=title)
    for header in HEADERS:
        table.add_column(header, overflow="fold")
    for result in results:
        cells = _cells(result)
        style = "red" if result.misses else None
        table.add_row(*cells, style=style)
    console.print(table)


def markdown(title: str, results: list[Result]) -> str:
    lines = [f"**{title}**", "", "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(_cells(result)) + " |" for result in results]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=default_url("large"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["data", "http", "export", "objective", "import"]
    )
    parser.add_argument("--markdown", type=Path, help="also write the table here as Markdown")
    args = parser.parse_args()
    console = Console(width=220)
    bench = Bench(args.url, args.runs)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("data", lambda: data_operations(bench)),
        ("http", lambda: http_operations(bench)),
        ("export", lambda: export_operation(bench)),
        ("objective", lambda: objective_operation(bench)),
        ("import", lambda: import_operation(bench, args.import_rows)),
    ]
    for name, step in steps:
        if name in args.skip:
            continue
        with console.status(f"measuring {name} ..."):
            step()
    url = make_url(args.url).render_as_string(hide_password=True)
    title = f"aimfire benchmarks on {url} (median of {args.runs} runs)"
    print_table(console, title, bench.results)
    if args.markdown:
        args.markdown.write_text(markdown(title, bench.results), encoding="utf-8")
    bench.raw.close()
    bench.database.dispose()
    shutil.rmtree(bench.folder, ignore_errors=True)


if __name__ == "__main__":
    main()
