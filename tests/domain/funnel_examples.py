"""Shared examples for the funnel-rate and behaviour-plan tests: histories and priors."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from aimfire.domain.funnel_rates import DEFAULT_PRIORS, FunnelHistory, PriorRates

TEAM = replace(DEFAULT_PRIORS, label="team", average_deal_size=10_000)


def history(**counts: int | float | None) -> FunnelHistory:
    fields: dict[str, int | float | None] = {
        "won_count": 0,
        "won_value": 0,
        "proposals": 0,
        "meetings": 0,
        "conversations": 0,
        "attempts": 0,
        "window_days": 180,
    }
    return FunnelHistory(**{**fields, **counts})  # type: ignore[arg-type]


counts = st.integers(min_value=0, max_value=5_000)
money = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
probabilities = st.none() | st.floats(min_value=0, max_value=1)
histories = st.builds(
    FunnelHistory,
    won_count=counts,
    won_value=money,
    proposals=counts,
    meetings=counts,
    conversations=counts,
    attempts=counts,
    window_days=st.integers(min_value=1, max_value=730),
    won_units=st.none() | counts,
)
priors = st.builds(
    PriorRates,
    close_rate=probabilities,
    proposal_rate=probabilities,
    meeting_rate=probabilities,
    connect_rate=probabilities,
    average_deal_size=st.none() | st.floats(min_value=1, max_value=1e6),
    units_per_sale=st.none() | st.floats(min_value=0.5, max_value=100),
)
