"""Post-mortem rules and the loss report's arithmetic."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from aimfire.domain.postmortem import (
    LOSING,
    ClosedDeal,
    LossReason,
    Outcome,
    loss_report,
    ordered_reasons,
    post_mortem_problems,
)

START, END = date(2026, 1, 1), date(2026, 3, 31)


def closed(number: int, outcome: Outcome, **facts: object) -> ClosedDeal:
    return ClosedDeal(number, f"Deal {number}", "Rita", date(2026, 2, number % 28 + 1), outcome,
                      **facts)  # type: ignore[arg-type]  # fmt: skip


def test_a_loss_needs_a_reason_and_a_lesson_and_a_win_takes_no_reasons() -> None:
    assert set(post_mortem_problems(Outcome.LOST, [], "  ")) == {"reasons", "lesson"}
    assert post_mortem_problems(Outcome.ABANDONED, [LossReason.OTHER], "Moved away") == {}
    assert set(post_mortem_problems(Outcome.WON, [LossReason.COMPETITOR], "")) == {"reasons"}
    assert post_mortem_problems(Outcome.WON, [], "") == {}


def test_reasons_are_kept_once_in_the_taxonomys_order() -> None:
    given_reasons = ["competitor", "never_met_decision_maker", "competitor", "made up"]
    assert ordered_reasons(given_reasons) == [
        LossReason.NEVER_MET_DECISION_MAKER,
        LossReason.COMPETITOR,
    ]


def test_reasons_are_ranked_by_count_then_taxonomy_order() -> None:
    deals = [
        closed(1, Outcome.LOST, has_post_mortem=True, reasons=(LossReason.COMPETITOR,)),
        closed(2, Outcome.LOST, has_post_mortem=True,
               reasons=(LossReason.BID_ON_PRICE, LossReason.COMPETITOR)),
        closed(3, Outcome.ABANDONED, has_post_mortem=True, reasons=(LossReason.TIMING_OR_BUDGET,)),
        closed(4, Outcome.LOST),  # no post-mortem yet
    ]  # fmt: skip
    report = loss_report(START, END, deals)
    assert [(r.reason, r.count) for r in report.reasons] == [
        (LossReason.COMPETITOR, 2),
        (LossReason.BID_ON_PRICE, 1),
        (LossReason.TIMING_OR_BUDGET, 1),
    ]
    assert report.reasons[0].share == 2 / 3
    assert [d.deal_id for d in report.missing] == [4]
    assert report.win_rate == 0.0


def test_an_empty_period_has_no_rates_rather_than_a_division_by_zero() -> None:
    report = loss_report(START, END, [])
    assert report.win_rate is None and report.reasons == () and report.advances_won is None
    assert all(g.win_rate is None for f in report.factors for g in f.groups)


deal_strategy = st.builds(
    closed,
    number=st.integers(min_value=1, max_value=10_000),
    outcome=st.sampled_from(list(Outcome)),
    has_post_mortem=st.booleans(),
    reasons=st.lists(st.sampled_from(list(LossReason)), max_size=4, unique=True).map(tuple),
    decision_maker_met=st.booleans(),
    proposal_sent=st.booleans(),
    follow_up_booked=st.booleans(),
    good_objectives=st.integers(min_value=0, max_value=12),
    weak_objectives=st.integers(min_value=0, max_value=12),
    advances=st.integers(min_value=0, max_value=9),
)


@given(st.lists(deal_strategy, max_size=40))
def test_every_factor_splits_the_deals_it_covers_without_losing_one(
    deals: list[ClosedDeal],
) -> None:
    report = loss_report(START, END, deals)
    assert report.closed == len(deals) == report.won + report.lost + report.abandoned
    covered = {"follow_up_booked": sum(1 for d in deals if d.proposal_sent)}
    for factor in report.factors:
        assert sum(g.closed for g in factor.groups) == covered.get(factor.key, len(deals))
        assert sum(g.won for g in factor.groups) <= report.won
        for group in factor.groups:
            assert group.win_rate is None or 0 <= group.win_rate <= 1
    losses_with_reasons = [d for d in deals if d.outcome in LOSING and d.has_post_mortem]
    for ranked in report.reasons:
        assert ranked.count == sum(1 for d in losses_with_reasons if ranked.reason in d.reasons)
    counts = [r.count for r in report.reasons]
    assert counts == sorted(counts, reverse=True)
