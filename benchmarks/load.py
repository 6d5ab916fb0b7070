"""A bounded load test on loopback: the app under uvicorn with several workers, a fixed
number of requests (and a time limit) over the main pages and the API, as one rep.

Run by hand, after ``python benchmarks/generate.py large`` (or any size)::

    python benchmarks/load.py [--url URL] [--requests 2000] [--threads 8] [--workers 2]

Reports errors (anything but a 200, or no answer), p50/p99 latency and requests per second
per URL; then the Today page against a bare endpoint returning as many bytes, mounted on the
same app object by this script (never part of the product), in several rounds taken in turn,
and the median of their ratios. Only 127.0.0.1 is used. Exits non-zero when any request
failed.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import cycle
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx2 as httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

REP = "rep1@bench.example"
PAGES = [
    "/today",
    "/contacts?q=garc",
    "/deals/board",
    "/commitments",
    "/interactions/new",
    "/api/v1/today",
    "/api/v1/contacts?q=harbor",
    "/api/v1/deals",
    "/api/v1/pipeline/board",
    "/api/v1/commitments",
]


def bench_app() -> Any:
    """The app as ``aimfire serve`` builds it, plus the bare endpoint to compare with."""
    from fastapi.responses import Response

    from aimfire.web.app import create_app

    app = create_app()
    padding: dict[int, bytes] = {}

    @app.get("/__bench/bytes/{size}", include_in_schema=False)
    def bare(size: int) -> Response:
        return Response(padding.setdefault(size, b"x" * size), media_type="text/html")

    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def credentials(url: str, email: str = REP) -> tuple[str, str]:
    """A web session and an API token for the generated rep."""
    from sqlalchemy import select

    from aimfire.services.access import actor_for
    from aimfire.services.auth import issue_api_token, start_session
    from aimfire.store.db import make_engine, make_session_factory
    from aimfire.store.models import User

    engine = make_engine(url)
    with make_session_factory(engine).begin() as db:
        user = db.scalar(select(User).where(User.email == email))
        if user is None:
            raise SystemExit(f"No generated book at {url}: run benchmarks/generate.py first.")
        session = start_session(db, user, timedelta(hours=2))
        token = issue_api_token(db, actor_for(db, user), "load test").secret
    engine.dispose()
    return session, token


def start_server(url: str, port: int, workers: int, folder: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AIMFIRE_DATABASE_URL": url,
        "AIMFIRE_SECRET_KEY": "load-test",
        "AIMFIRE_DATA_DIR": folder,
        "PYTHONPATH": str(ROOT / "src"),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "load:bench_app",
        "--factory",
        "--app-dir",
        str(ROOT / "benchmarks"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


class Driver:
    def __init__(self, base: str, session: str, token: str, limit_s: float) -> None:
        self.base, self.session, self.token = base, session, token
        self.deadline = time.monotonic() + limit_s
        self.local = threading.local()
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(
                base_url=self.base,
                timeout=60,
                cookies={"aimfire_session": self.session},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        client: httpx.Client = self.local.client
        return client

    def hit(self, path: str) -> None:
        if time.monotonic() > self.deadline:
            return
        started = time.perf_counter()
        try:
            response = self.client().get(path)
            problem = None if response.status_code == 200 else f"HTTP {response.status_code}"
        except httpx.HTTPError as error:
            problem = type(error).__name__
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latency[path].append(elapsed)
            if problem:
                self.errors[path].append(problem)

    def run(self, paths: list[str], count: int, threads: int) -> float:
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            for path, _ in zip(cycle(paths), range(count), strict=False):
                pool.submit(self.hit, path)
        return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:////tmp/aimfire-bench/large.db")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--email", default=REP, help="who the requests act as")
    parser.add_argument("--limit", type=float, default=300, help="seconds before giving up")
    parser.add_argument(
        "--rounds", type=int, default=5, help="Today-then-bare rounds to take the median of"
    )
    args = parser.parse_args()
    console = Console(width=160)
    session, token = credentials(args.url, args.email)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(args.url, port, args.workers, folder)
        try:
            base = f"http://127.0.0.1:{port}"
            driver = Driver(base, session, token, args.limit)
            for path in PAGES:  # warm every worker's caches
                driver.client().get(path)
            wall = driver.run(PAGES, args.requests, args.threads)
            mixed = driver
            today_bytes = len(driver.client().get("/today").content)
            compare = Driver(base, session, token, args.limit)
            share = max(50, args.requests // 10)
            # Rounds in turn, so that a slow spell of the machine falls on both alike.
            rates = [
                (
                    share / compare.run(["/today"], share, args.threads),
                    share / compare.run([f"/__bench/bytes/{today_bytes}"], share, args.threads),
                )
                for _ in range(args.rounds)
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
    table = Table(
        title=f"{args.requests:,} requests, {args.threads} threads, "
        f"{args.workers} uvicorn workers, {args.url}"
    )
    for header in ("path", "requests", "errors", "p50 ms", "p99 ms"):
        table.add_column(header)
    total = errors = 0
    for path in PAGES:
        times = mixed.latency[path]
        total += len(times)
        errors += len(mixed.errors[path])
        table.add_row(
            path,
            str(len(times)),
            str(len(mixed.errors[path])),
            f"{percentile(times, 0.5) * 1000:,.1f}",
            f"{percentile(times, 0.99) * 1000:,.1f}",
        )
    everything = [t for times in mixed.latency.values() for t in times]
    table.add_row(
        "all",
        str(total),
        str(errors),
        f"{percentile(everything, 0.5) * 1000:,.1f}",
        f"{percentile(everything, 0.99) * 1000:,.1f}",
        style="bold",
    )
    console.print(table)
    console.print(f"throughput: {total / wall:,.1f} requests/s over {wall:,.1f} s")
    for today_rps, bare_rps in rates:
        console.print(
            f"Today page {today_rps:,.1f} req/s against a bare endpoint of the same "
            f"{today_bytes:,} bytes {bare_rps:,.1f} req/s: {today_rps / bare_rps:.0%}"
        )
    share_of_bare = statistics.median(today / bare for today, bare in rates)
    verdict = "met" if share_of_bare >= 0.5 else "NOT met"
    console.print(
        f"Today page, median of {len(rates)} rounds: {share_of_bare:.0%} of the bare "
        f"endpoint's requests/s (target 50 %: {verdict})"
    )
    compare_errors = sum(len(v) for v in compare.errors.values())
    if errors or compare_errors or total < args.requests:
        console.print(f"[red]{errors + compare_errors} errors; {total} of {args.requests} sent[/]")
        for path, problems in {**mixed.errors, **compare.errors}.items():
            if problems:
                console.print(f"  {path}: {statistics.mode(problems)} x{len(problems)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
