"""Funnel rates come from the rep's own history, lean on priors while thin, and say so."""

from __future__ import annotations

from itertools import pairwise

import pytest
from funnel_examples import TEAM, counts, history
from hypothesis import given
from hypothesis import strategies as st

from aimfire.domain.funnel_rates import (
    DEFAULT_PRIORS,
    PriorRates,
    RateSource,
    compute_rates,
)


def test_a_rate_with_enough_history_is_the_reps_own_and_says_what_it_rests_on() -> None:
    rates = compute_rates(history(won_count=9, proposals=41), TEAM)
    assert rates.close.source is RateSource.OWN
    assert rates.close.value == pytest.approx(9 / 41)
    assert (rates.close.successes, rates.close.trials) == (9, 41)
    assert rates.close.explanation == (
        "Close rate 22%: from your 9 sales out of 41 proposals in the last 180 days."
    )


def test_thin_history_is_blended_toward_the_team_rate_and_says_so() -> None:
    rates = compute_rates(history(won_count=2, proposals=9), TEAM)
    assert rates.close.source is RateSource.BLENDED
    assert rates.close.value == pytest.approx((2 + 10 * 0.25) / (9 + 10))
    assert rates.close.own_value == pytest.approx(2 / 9)
    assert rates.close.prior_value == 0.25
    assert "from your 2 sales out of 9 proposals" in rates.close.explanation
    assert "blended toward the team rate 25% because fewer than 20 proposals" in (
        rates.close.explanation
    )


def test_a_rate_with_no_trials_uses_the_prior_as_it_is() -> None:
    rates = compute_rates(history(), DEFAULT_PRIORS)
    assert rates.meeting.source is RateSource.PRIOR
    assert rates.meeting.value == 0.2
    assert rates.meeting.explanation == (
        "Meeting rate 20%: you have logged no connected conversations in the last 180 days, "
        "so the default rate 20% is used."
    )


def test_a_rate_with_no_trials_and_no_prior_is_unknown_and_says_which_history_is_missing() -> None:
    rates = compute_rates(history(), PriorRates())
    assert rates.close.source is RateSource.UNKNOWN
    assert rates.close.value is None
    assert rates.close.explanation == (
        "You have logged no proposals in the last 180 days and no team history, so the close "
        "rate is unknown; log outcomes or set a team rate."
    )


def test_thin_history_without_a_prior_uses_the_own_rate_and_warns_it_rests_on_few_events() -> None:
    rates = compute_rates(history(conversations=3, attempts=10), PriorRates())
    assert rates.connect.source is RateSource.OWN
    assert rates.connect.value == pytest.approx(0.3)
    assert "rests on fewer than 20 attempts" in rates.connect.explanation


def test_a_rate_above_one_from_messy_data_is_capped_at_one_with_a_note() -> None:
    rates = compute_rates(history(conversations=30, attempts=25), TEAM)
    assert rates.connect.capped
    assert rates.connect.value == 1
    assert rates.connect.successes == 30
    assert "Capped at 100% because more connected conversations than attempts" in (
        rates.connect.explanation
    )


def test_blend_threshold_and_weight_can_be_changed_by_the_caller() -> None:
    thin = history(won_count=2, proposals=9)
    assert compute_rates(thin, TEAM, blend_threshold=5).close.source is RateSource.OWN
    heavy = compute_rates(thin, TEAM, blend_weight=90).close
    assert heavy.value == pytest.approx((2 + 90 * 0.25) / (9 + 90))


def test_average_deal_size_is_won_value_over_won_deals() -> None:
    rates = compute_rates(history(won_count=25, won_value=300_000), TEAM)
    assert rates.average_deal_size.value == pytest.approx(12_000)
    assert rates.average_deal_size.explanation == (
        "Average deal size 12,000: from your 25 won deals worth 300,000 in the last 180 days."
    )


def test_default_priors_are_the_documented_ones() -> None:
    assert (DEFAULT_PRIORS.close_rate, DEFAULT_PRIORS.proposal_rate) == (0.25, 0.5)
    assert (DEFAULT_PRIORS.meeting_rate, DEFAULT_PRIORS.connect_rate) == (0.2, 0.3)
    assert DEFAULT_PRIORS.average_deal_size is None


def test_negative_counts_and_impossible_priors_are_rejected() -> None:
    with pytest.raises(ValueError, match="proposals"):
        history(proposals=-1)
    with pytest.raises(ValueError, match="close_rate"):
        PriorRates(close_rate=1.5)
    with pytest.raises(ValueError, match="average_deal_size"):
        PriorRates(average_deal_size=0)


@given(
    successes=counts, extra=counts, prior=st.floats(min_value=0, max_value=1), m=st.integers(1, 50)
)
def test_a_blended_rate_lies_between_the_own_rate_and_the_prior(
    successes: int, extra: int, prior: float, m: int
) -> None:
    trials = successes + extra
    rate = compute_rates(
        history(won_count=successes, proposals=trials),
        PriorRates(close_rate=prior),
        blend_threshold=10**9,
        blend_weight=m,
    ).close
    assert rate.value is not None
    if trials:
        own = successes / trials
        assert min(own, prior) - 1e-12 <= rate.value <= max(own, prior) + 1e-12
    else:
        assert rate.value == prior


@given(
    successes=st.integers(0, 20),
    extra=st.integers(1, 20),
    prior=st.floats(0, 1),
    m=st.integers(1, 50),
)
def test_a_blended_rate_tends_to_the_own_rate_as_trials_grow(
    successes: int, extra: int, prior: float, m: int
) -> None:
    trials = successes + extra
    own = successes / trials

    def distance_at(scale: int) -> float:
        thin = history(won_count=successes * scale, proposals=trials * scale)
        value = compute_rates(thin, PriorRates(close_rate=prior), blend_weight=m).close.value
        assert value is not None
        return abs(value - own)

    distances = [distance_at(scale) for scale in (1, 2, 4, 8, 16, 32)]
    assert all(later <= earlier + 1e-12 for earlier, later in pairwise(distances))
    assert distance_at(1000) < 1e-12  # past the threshold the rep's own rate stands alone
