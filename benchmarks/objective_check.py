"""How many objectives per second the objective check handles, in one process.

Run by hand: ``python benchmarks/objective_check.py``. Checks the labelled set repeated
(and, separately, its 65-100 character objectives, the length the target is stated for),
takes the median of five runs, and compares with a baseline measured in the same run: one
``re.search`` of a compiled pattern over the same texts. On a shared or throttled machine
absolute numbers move a lot between runs; the ratio to the baseline moves much less.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from aimfire.domain.objective import check_objective  # noqa: E402
from aimfire.domain.objective_eval import load_labelled  # noqa: E402

DATA = ROOT / "tests" / "data" / "objectives.jsonl"
REPEAT = 40
RUNS = 5
TARGET = 20_000
BASELINE_PATTERN = re.compile(r"\b(?:check\s+in|touch\s+base|follow\s+up)\b", re.IGNORECASE)


def per_second(work: Callable[[str], object], texts: list[str]) -> float:
    """Median items per second over ``RUNS`` timed passes over ``texts``."""
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for text in texts:
            work(text)
        rates.append(len(texts) / (time.perf_counter() - started))
    return statistics.median(rates)


def report(name: str, texts: list[str]) -> str:
    mean_length = sum(map(len, texts)) / len(texts)
    checks = per_second(check_objective, texts)
    baseline = per_second(BASELINE_PATTERN.search, texts)
    verdict = "met" if checks >= TARGET else "NOT met"
    return (
        f"{name}: {len(texts):,} objectives a run, {mean_length:.0f} chars on average\n"
        f"  check_objective     {checks:>10,.0f} checks/s  (target {TARGET:,}: {verdict})\n"
        f"  baseline re.search  {baseline:>10,.0f} searches/s\n"
        f"  ratio               {baseline / checks:>10.1f}x the cost of one regex search\n"
    )


def main() -> None:
    labelled = [example.text for example in load_labelled(DATA)]
    long_ones = [text for text in labelled if 65 <= len(text) <= 100]
    for text in labelled:  # warm up before timing
        check_objective(text)
    sys.stdout.write(f"median of {RUNS} runs, one process\n")
    sys.stdout.write(report("labelled set", labelled * REPEAT))
    sys.stdout.write(report("65-100 char objectives", long_ones * REPEAT * 4))


if __name__ == "__main__":
    main()
