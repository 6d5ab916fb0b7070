"""The sales pipeline: default stages and what a stage means for a deal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class StageOutcome(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class StageSpec:
    key: str
    name: str
    outcome: StageOutcome = StageOutcome.OPEN


DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("new", "New"),
    StageSpec("qualified", "Qualified"),
    StageSpec("meeting_set", "Meeting set"),
    StageSpec("needs_analysed", "Needs analysed"),
    StageSpec("proposal", "Proposal"),
    StageSpec("decision", "Decision"),
    StageSpec("won", "Won", StageOutcome.WON),
    StageSpec("lost", "Lost", StageOutcome.LOST),
)


def format_money(cents: int, currency: str) -> str:
    """Whole units with thousands separators; cents only when there are some."""
    units, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    amount = f"{units:,}" if rest == 0 else f"{units:,}.{rest:02d}"
    return f"{sign}{amount} {currency}"


def cents_to_amount(cents: int) -> str:
    """Cents as an exact decimal string with two places: 125000 -> '1250.00'."""
    return str(Decimal(cents).scaleb(-2))
