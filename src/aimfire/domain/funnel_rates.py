"""Funnel rates: how often each stage of a rep's funnel turned into the next.

Pure arithmetic, no I/O. Rates come from the rep's logged history (`FunnelHistory`) and lean
on team (or default) rates (`PriorRates`) while that history is thin; every rate says in
words how many events it rests on and where its value came from. Money amounts are
unitless: use one unit (for example cents) for the history and the priors.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any

BLEND_THRESHOLD = 20
"""Below this many trials a rate is blended toward the prior."""
BLEND_WEIGHT = 10
"""How many pseudo-trials the prior counts for when blending (m in the blending rule)."""


def _json_dict(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """dict_factory for `asdict`: dates as ISO strings, sets as sorted lists."""
    return {key: _json_value(value) for key, value in items}


def _json_value(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(_json_value(item) for item in value)
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value  # StrEnum members are str, so JSON takes them as they are


class JsonDataclass:
    """Mixin giving a dataclass a `to_dict()` fit for `json.dumps`."""

    def to_dict(self) -> dict[str, Any]:
        as_dict: dict[str, Any] = asdict(self, dict_factory=_json_dict)  # type: ignore[call-overload]
        return as_dict


class RateSource(StrEnum):
    OWN = "own"
    BLENDED = "blended"
    PRIOR = "prior"
    UNKNOWN = "unknown"


def require_non_negative(owner: Any, *, allow_none: bool = False) -> None:
    for f in fields(owner):
        value = getattr(owner, f.name)
        if value is None and allow_none:
            continue
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise ValueError(f"{f.name} must be a non-negative finite number, got {value!r}")


@dataclass(frozen=True)
class FunnelHistory(JsonDataclass):
    """What one rep logged over the trailing `window_days` days."""

    won_count: int
    won_value: float
    proposals: int
    meetings: int
    conversations: int  # connected conversations
    attempts: int  # every interaction attempted, reached or not
    window_days: int
    won_units: int | None = None  # None when the team does not track units

    def __post_init__(self) -> None:
        require_non_negative(self, allow_none=True)


@dataclass(frozen=True)
class PriorRates(JsonDataclass):
    """Rates to lean on while the rep's own history is thin; None means "no such history"."""

    close_rate: float | None = None
    proposal_rate: float | None = None
    meeting_rate: float | None = None
    connect_rate: float | None = None
    average_deal_size: float | None = None
    units_per_sale: float | None = None
    label: str = "team"  # read out in explanations: "the team rate 30%"

    def __post_init__(self) -> None:
        for name in ("close_rate", "proposal_rate", "meeting_rate", "connect_rate"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"{name} must lie between 0 and 1, got {value!r}")
        for name in ("average_deal_size", "units_per_sale"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}")


DEFAULT_PRIORS = PriorRates(
    close_rate=0.25, proposal_rate=0.5, meeting_rate=0.2, connect_rate=0.3, label="default"
)
"""Used when a team has no history of its own. One proposal in four closes, half of the
meetings lead to a proposal, one connected conversation in five sets a meeting and three
attempts in ten connect. Deal size depends on what is sold, so there is no default: the
caller adds one with `dataclasses.replace(DEFAULT_PRIORS, average_deal_size=...)`."""


@dataclass(frozen=True)
class Measure:
    """How to talk about one rate: 'close rate', '9 sales out of 41 proposals'."""

    name: str
    label: str
    success: str  # singular noun; the plural adds an "s"
    trial: str
    amount_phrase: str = ""  # only for averages: how the summed value reads

    @property
    def is_probability(self) -> bool:
        return not self.amount_phrase

    @property
    def noun(self) -> str:
        return "rate" if self.is_probability else "average"


_CLOSE = Measure("close_rate", "close rate", "sale", "proposal")
_PROPOSAL = Measure("proposal_rate", "proposal rate", "proposal", "meeting")
_MEETING = Measure("meeting_rate", "meeting rate", "meeting", "connected conversation")
_CONNECT = Measure("connect_rate", "connect rate", "connected conversation", "attempt")
_DEAL_SIZE = Measure("average_deal_size", "average deal size", "", "won deal", "worth {}")
_UNITS = Measure("units_per_sale", "units per sale", "", "won deal", "with {} units")
_UNITS_UNTRACKED = replace(_UNITS, trial="unit-tracked won deal")
MEASURES = {m.name: m for m in (_CLOSE, _PROPOSAL, _MEETING, _CONNECT, _DEAL_SIZE, _UNITS)}


@dataclass(frozen=True)
class Rate(JsonDataclass):
    name: str
    value: float | None  # the rate the plan uses; None when unknown
    successes: float  # as logged (won value for the average deal size)
    trials: int
    own_value: float | None  # from the rep's history alone, capped at 1 for rates
    prior_value: float | None
    source: RateSource
    explanation: str
    capped: bool = False  # more successes than trials were logged


@dataclass(frozen=True)
class FunnelRates(JsonDataclass):
    close: Rate
    proposal: Rate
    meeting: Rate
    connect: Rate
    average_deal_size: Rate
    units_per_sale: Rate
    window_days: int


def count_noun(n: float, noun: str) -> str:
    shown = f"{int(n):,}" if float(n).is_integer() else f"{n:,}"
    return f"{shown} {noun}" if n == 1 else f"{shown} {noun}s"


def _show(value: float, measure: Measure) -> str:
    if not measure.is_probability:  # averages: whole numbers once cents no longer matter
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.1%}" if 0 < value < 0.1 else f"{value:.0%}"


def compute_rates(
    history: FunnelHistory,
    prior: PriorRates = DEFAULT_PRIORS,
    *,
    blend_threshold: int = BLEND_THRESHOLD,
    blend_weight: float = BLEND_WEIGHT,
) -> FunnelRates:
    """Stage rates from the rep's history, each leaning on the prior while trials are few.

    Blending rule: with 0 < trials < blend_threshold and a prior, the rate is
    (successes + m * prior) / (trials + m) with m = blend_weight; with no trials the prior
    is used as is; with no trials and no prior the rate is unknown.
    """
    h, p = history, prior
    estimate = _Estimator(blend_threshold, blend_weight, h.window_days, p.label).estimate
    units, units_trials = (
        (_UNITS, h.won_count) if h.won_units is not None else (_UNITS_UNTRACKED, 0)
    )
    return FunnelRates(
        close=estimate(_CLOSE, h.won_count, h.proposals, p.close_rate),
        proposal=estimate(_PROPOSAL, h.proposals, h.meetings, p.proposal_rate),
        meeting=estimate(_MEETING, h.meetings, h.conversations, p.meeting_rate),
        connect=estimate(_CONNECT, h.conversations, h.attempts, p.connect_rate),
        average_deal_size=estimate(_DEAL_SIZE, h.won_value, h.won_count, p.average_deal_size),
        units_per_sale=estimate(units, h.won_units or 0, units_trials, p.units_per_sale),
        window_days=h.window_days,
    )


@dataclass(frozen=True)
class _Estimator:
    threshold: int
    weight: float
    window_days: int
    prior_label: str

    def __post_init__(self) -> None:
        if self.threshold < 0 or not (math.isfinite(self.weight) and self.weight >= 0):
            raise ValueError("blend_threshold and blend_weight must be non-negative")

    def estimate(self, m: Measure, successes: float, trials: int, prior: float | None) -> Rate:
        capped = m.is_probability and successes > trials
        usable = min(successes, trials) if capped else successes
        own = usable / trials if trials else None
        if own is None:
            value, source = prior, (RateSource.UNKNOWN if prior is None else RateSource.PRIOR)
        elif trials >= self.threshold or prior is None:
            value, source = own, RateSource.OWN
        else:
            blended = (usable + self.weight * prior) / (trials + self.weight)
            value, source = blended, RateSource.BLENDED
        rate = Rate(m.name, value, successes, trials, own, prior, source, "", capped)
        return replace(rate, explanation=self._explain(m, rate))

    def _explain(self, m: Measure, r: Rate) -> str:
        window = f"in the last {self.window_days} days"
        if r.value is None:
            return (
                f"You have logged no {m.trial}s {window} and no team history, so the {m.label} "
                f"is unknown; log outcomes or set a team {m.noun}."
            )
        head = f"{m.label.capitalize()} {_show(r.value, m)}: "
        prior_phrase = f"the {self.prior_label} {m.noun} {_show(r.prior_value or 0, m)}"
        if r.source is RateSource.PRIOR:
            return head + f"you have logged no {m.trial}s {window}, so {prior_phrase} is used."
        if m.is_probability:
            evidence = (
                f"{count_noun(r.successes, m.success)} out of {count_noun(r.trials, m.trial)}"
            )
        else:
            evidence = (
                f"{count_noun(r.trials, m.trial)} {m.amount_phrase.format(_show(r.successes, m))}"
            )
        text = head + f"from your {evidence} {window}"
        fewer = f"fewer than {self.threshold} {m.trial}s"
        if r.source is RateSource.BLENDED:
            own = _show(r.own_value or 0, m)
            text += f" ({own}), blended toward {prior_phrase} because {fewer} were logged."
        elif r.trials < self.threshold:
            text += f"; it rests on {fewer} and there is no {m.noun} to blend with."
        else:
            text += "."
        if r.capped:
            text += (
                f" Capped at 100% because more {m.success}s than {m.trial}s were logged; "
                "check the logged outcomes."
            )
        return text
