"""Post-mortems: why deals were lost or abandoned, in the rep's words, and what the losses say.

Lost and stalled deals are where a rep learns most. A lost or abandoned deal gets reasons from
a fixed taxonomy plus a lesson; a won deal may get a note of what worked. The report ranks the
reasons and compares win rates by factor, always with the counts the rates rest on.
Pure arithmetic, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Outcome(StrEnum):
    WON = "won"
    LOST = "lost"
    ABANDONED = "abandoned"


LOSING = frozenset({Outcome.LOST, Outcome.ABANDONED})


class LossReason(StrEnum):
    NEVER_MET_DECISION_MAKER = "never_met_decision_maker"
    MOTIVE_NOT_DISCOVERED = "motive_not_discovered"
    PRESENTATION_HOLES = "presentation_holes"
    BID_ON_PRICE = "bid_on_price"
    NO_RELATIONSHIP = "no_relationship"
    PUSHED_TOO_HARD = "pushed_too_hard"
    TIMING_OR_BUDGET = "timing_or_budget"
    COMPETITOR = "competitor"
    OTHER = "other"


REASON_LABELS: dict[LossReason, str] = {
    LossReason.NEVER_MET_DECISION_MAKER: "Never met the decision maker",
    LossReason.MOTIVE_NOT_DISCOVERED: "Motive to buy never discovered",
    LossReason.PRESENTATION_HOLES: "Holes in the presentation",
    LossReason.BID_ON_PRICE: "Went to a bid on price",
    LossReason.NO_RELATIONSHIP: "No relationship built",
    LossReason.PUSHED_TOO_HARD: "Pushed too hard",
    LossReason.TIMING_OR_BUDGET: "Timing or budget",
    LossReason.COMPETITOR: "Competitor",
    LossReason.OTHER: "Other",
}


def post_mortem_problems(
    outcome: Outcome, reasons: Sequence[LossReason], lesson: str
) -> dict[str, str]:
    """What a post-mortem still lacks, by field: a loss needs reasons and a lesson."""
    problems = {}
    if outcome in LOSING:
        if not reasons:
            problems["reasons"] = "Choose at least one reason: why did this deal not happen?"
        if not lesson.strip():
            problems["lesson"] = (
                "Write the lesson in your own words: what would you do differently?"
            )
    elif reasons:
        problems["reasons"] = (
            "Reasons are for lost or abandoned deals; for a win, note what worked."
        )
    return problems


def ordered_reasons(reasons: Iterable[str]) -> list[LossReason]:
    """Known reasons once each, in the taxonomy's order; unknown words are dropped."""
    given = set(reasons)
    return [reason for reason in LossReason if reason.value in given]


# --- the report ------------------------------------------------------------------------

LEARNING_SHARE_CUT = 0.75
"""A deal counts as run in learning mode when at least three in four of its planned objectives
were learning or action objectives (the rest: tell, aimless or missing)."""
ADVANCE_BUCKETS = (("0 to 2", 0, 2), ("3 or 4", 3, 4), ("5 or more", 5, None))
"""Advances per deal, grouped: a deal that reaches a decision through the default pipeline's
six open stages has usually needed about five steps the prospect agreed to."""


@dataclass(frozen=True, slots=True)
class ClosedDeal:
    """One deal closed in the period and the facts the report compares."""

    deal_id: int
    title: str
    owner_name: str
    closed_on: date
    outcome: Outcome
    has_post_mortem: bool = False
    reasons: tuple[LossReason, ...] = ()
    lesson: str = ""
    decision_maker_met: bool = False
    proposal_sent: bool = False
    follow_up_booked: bool = False  # a meeting on or after the proposal date
    good_objectives: int = 0  # learning or action
    weak_objectives: int = 0  # tell, aimless or missing
    advances: int = 0

    @property
    def won(self) -> bool:
        return self.outcome == Outcome.WON


@dataclass(frozen=True, slots=True)
class ReasonCount:
    reason: LossReason
    label: str
    count: int
    share: float  # of the losses that have a post-mortem


@dataclass(frozen=True, slots=True)
class Group:
    label: str
    closed: int
    won: int

    @property
    def win_rate(self) -> float | None:
        return self.won / self.closed if self.closed else None


@dataclass(frozen=True, slots=True)
class Factor:
    key: str
    title: str
    groups: tuple[Group, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Lesson:
    deal_id: int
    title: str
    owner_name: str
    closed_on: date
    outcome: Outcome
    reasons: tuple[str, ...]
    lesson: str


@dataclass(frozen=True, slots=True)
class LossReport:
    start: date
    end: date
    closed: int
    won: int
    lost: int
    abandoned: int
    reasons: tuple[ReasonCount, ...]
    factors: tuple[Factor, ...]
    lessons: tuple[Lesson, ...]  # lost and abandoned deals, newest first
    wins: tuple[Lesson, ...]  # won deals with a note of what worked
    missing: tuple[ClosedDeal, ...]  # lost or abandoned without a post-mortem
    advances_won: float | None  # average advances on won deals
    advances_not_won: float | None  # ... on lost and abandoned deals
    learning_share_won: float | None  # average share of learning/action objectives, won deals
    learning_share_not_won: float | None  # ... on lost and abandoned deals

    @property
    def win_rate(self) -> float | None:
        return self.won / self.closed if self.closed else None


def _group(label: str, deals: Sequence[ClosedDeal]) -> Group:
    return Group(label, len(deals), sum(1 for d in deals if d.won))


def learning_share(deal: ClosedDeal) -> float | None:
    checked = deal.good_objectives + deal.weak_objectives
    return deal.good_objectives / checked if checked else None


def _factors(deals: Sequence[ClosedDeal]) -> tuple[Factor, ...]:
    proposals = [d for d in deals if d.proposal_sent]
    shares = [(d, learning_share(d)) for d in deals]
    advance_buckets = {
        label: [d for d in deals if low <= d.advances and (high is None or d.advances <= high)]
        for label, low, high in ADVANCE_BUCKETS
    }
    return (
        Factor(
            "decision_maker_met",
            "Met the decision maker",
            (
                _group("Met", [d for d in deals if d.decision_maker_met]),
                _group("Never met", [d for d in deals if not d.decision_maker_met]),
            ),
        ),
        Factor(
            "follow_up_booked",
            "Follow-up meeting booked after the proposal",
            (
                _group("Booked", [d for d in proposals if d.follow_up_booked]),
                _group("Not booked", [d for d in proposals if not d.follow_up_booked]),
            ),
            note=f"Only the {len(proposals)} deals that had a proposal sent.",
        ),
        Factor(
            "objectives",
            "Objectives in learning or action mode",
            (
                _group(
                    "3 in 4 or more learning or action",
                    [d for d, s in shares if s is not None and s >= LEARNING_SHARE_CUT],
                ),
                _group(
                    "More tell, aimless or missing",
                    [d for d, s in shares if s is not None and s < LEARNING_SHARE_CUT],
                ),
                _group("No interactions", [d for d, s in shares if s is None]),
            ),
            note="Objectives of every interaction planned on the deal, as the objective check "
            "labelled them.",
        ),
        Factor(
            "advances",
            "Advances (steps the prospect agreed to) per deal",
            tuple(_group(label, members) for label, members in advance_buckets.items()),
            note="A won deal has passed more stages, so it has more advances: read this as "
            "how far deals moved, and compare deals lost at the same stage.",
        ),
    )


def _lesson(deal: ClosedDeal) -> Lesson:
    labels = tuple(REASON_LABELS[r] for r in deal.reasons)
    return Lesson(
        deal.deal_id, deal.title, deal.owner_name, deal.closed_on, deal.outcome, labels, deal.lesson
    )


def loss_report(start: date, end: date, deals: Sequence[ClosedDeal]) -> LossReport:
    """Reasons ranked, win rates by factor, lessons listed, for the deals closed in a period."""
    losses = [d for d in deals if d.outcome in LOSING]
    reviewed = [d for d in losses if d.has_post_mortem]
    counts = Counter(reason for deal in reviewed for reason in set(deal.reasons))
    order = list(LossReason)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))
    newest = sorted(deals, key=lambda d: (d.closed_on, d.deal_id), reverse=True)
    return LossReport(
        start=start,
        end=end,
        closed=len(deals),
        won=sum(1 for d in deals if d.won),
        lost=sum(1 for d in deals if d.outcome == Outcome.LOST),
        abandoned=sum(1 for d in deals if d.outcome == Outcome.ABANDONED),
        reasons=tuple(
            ReasonCount(reason, REASON_LABELS[reason], count, count / len(reviewed))
            for reason, count in ranked
        ),
        factors=_factors(deals),
        lessons=tuple(_lesson(d) for d in newest if d.outcome in LOSING and d.has_post_mortem),
        wins=tuple(_lesson(d) for d in newest if d.won and d.lesson.strip()),
        missing=tuple(d for d in newest if d.outcome in LOSING and not d.has_post_mortem),
        advances_won=_mean([d.advances for d in deals if d.won]),
        advances_not_won=_mean([d.advances for d in losses]),
        learning_share_won=_mean(_shares(d for d in deals if d.won)),
        learning_share_not_won=_mean(_shares(losses)),
    )


def _shares(deals: Iterable[ClosedDeal]) -> list[float]:
    return [share for d in deals if (share := learning_share(d)) is not None]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
