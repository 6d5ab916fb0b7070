"""Deal-health rules on crafted deal histories: boundaries, time zones, thresholds."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimfire.domain.health import (
    ALWAYS,
    DEFAULT_MAX_DAYS_IN_STAGE,
    OTHER_STAGE_MAX_DAYS,
    DealFacts,
    Flag,
    Promise,
    Rule,
    Thresholds,
    evaluate,
    first_flag_days,
    thresholds_for,
)
from aimfire.domain.interactions import Channel, CommitmentStatus, Reason
from aimfire.domain.objective import check_objective

TODAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)
ZONES = ("UTC", "America/Chicago", "Europe/London", "Asia/Tokyo", "Pacific/Auckland")


def healthy(**changes: object) -> DealFacts:
    """A deal in 'Needs analysed' with nothing wrong: entered today, a next step planned."""
    base = DealFacts(
        stage_key="needs_analysed",
        stage_name="Needs analysed",
        stage_position=3,
        stage_entered_at=NOON,
        thresholds=thresholds_for("needs_analysed"),
        proposal_stage_position=4,
        next_step_planned=True,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def at_proposal(**changes: object) -> DealFacts:
    """A healthy deal at the proposal stage: proposal sent, meeting booked, decision maker met."""
    proposal = {
        "stage_key": "proposal",
        "stage_name": "Proposal",
        "stage_position": 4,
        "thresholds": thresholds_for("proposal"),
        "proposal_sent_on": TODAY - timedelta(days=2),
        "latest_meeting_at": NOON + timedelta(days=3),
        "decision_maker_identified": True,
        "decision_maker_met": True,
    }
    return healthy(**{**proposal, **changes})


def rules(facts: DealFacts, today: date = TODAY, zone: str = "UTC") -> list[Rule]:
    return [flag.rule for flag in evaluate(facts, today=today, time_zone=zone)]


def only(facts: DealFacts, rule: Rule) -> Flag:
    flags = [f for f in evaluate(facts, today=TODAY, time_zone="UTC") if f.rule == rule]
    assert len(flags) == 1
    return flags[0]


def test_a_healthy_deal_raises_no_flag() -> None:
    assert rules(healthy()) == []
    assert rules(at_proposal()) == []


def test_won_and_lost_deals_are_never_flagged() -> None:
    everything_wrong = at_proposal(
        next_step_planned=False,
        latest_meeting_at=None,
        decision_maker_identified=False,
        unanswered_attempts=9,
        stage_entered_at=NOON - timedelta(days=400),
    )
    assert rules(everything_wrong)  # open: plenty wrong
    for outcome in ("won", "lost"):
        assert rules(dataclasses.replace(everything_wrong, stage_outcome=outcome)) == []


# --- proposal sent with no follow-up meeting -------------------------------------------------


def test_a_proposal_with_no_meeting_booked_is_flagged_with_its_date() -> None:
    flag = only(at_proposal(latest_meeting_at=None), Rule.PROPOSAL_WITHOUT_FOLLOW_UP)
    assert "8 Mar 2026" in flag.reason
    assert flag.plan_reason == Reason.PROPOSAL_FOLLOW_UP
    assert (flag.plan_label, flag.plan_channel) == ("Book the follow-up meeting", Channel.MEETING)


def test_a_meeting_before_the_proposal_is_not_its_follow_up() -> None:
    before = datetime(2026, 3, 7, 15, tzinfo=UTC)
    assert Rule.PROPOSAL_WITHOUT_FOLLOW_UP in rules(at_proposal(latest_meeting_at=before))


def test_a_meeting_on_the_day_the_proposal_went_out_counts_as_its_follow_up() -> None:
    same_day = datetime(2026, 3, 8, 16, tzinfo=UTC)
    assert Rule.PROPOSAL_WITHOUT_FOLLOW_UP not in rules(at_proposal(latest_meeting_at=same_day))


def test_the_follow_up_meeting_is_dated_on_the_reps_calendar() -> None:
    # 03:00 UTC on 8 March is still the evening of 7 March in Chicago.
    early = datetime(2026, 3, 8, 3, tzinfo=UTC)
    facts = at_proposal(latest_meeting_at=early)
    assert Rule.PROPOSAL_WITHOUT_FOLLOW_UP not in rules(facts, zone="UTC")
    assert Rule.PROPOSAL_WITHOUT_FOLLOW_UP in rules(facts, zone="America/Chicago")


# --- no next step ---------------------------------------------------------------------------


def test_an_open_deal_with_nothing_planned_has_no_next_step() -> None:
    flag = only(healthy(next_step_planned=False), Rule.NO_NEXT_STEP)
    assert flag.plan_reason == Reason.RE_ENGAGE_STALLED
    assert flag.question.endswith("?")


# --- stalled: no response after N attempts or D days ---------------------------------------


def test_unanswered_attempts_stall_a_deal_at_the_stage_limit() -> None:
    talked = NOON - timedelta(days=2)
    assert Rule.STALLED not in rules(healthy(unanswered_attempts=2, last_conversation_at=talked))
    flag = only(healthy(unanswered_attempts=3, last_conversation_at=talked), Rule.STALLED)
    assert "3 attempts" in flag.reason and "8 Mar 2026" in flag.reason
    assert flag.objective.startswith("Learn why the deal stalled")


def test_a_stage_can_allow_more_attempts_before_a_stall() -> None:
    patient = thresholds_for("needs_analysed", stall_attempts=5)
    facts = healthy(thresholds=patient, unanswered_attempts=4, last_conversation_at=NOON)
    assert Rule.STALLED not in rules(facts)
    assert Rule.STALLED in rules(dataclasses.replace(facts, unanswered_attempts=5))


def test_one_unanswered_attempt_stalls_the_deal_after_the_stall_days() -> None:
    nine_days = datetime(2026, 3, 1, 9, tzinfo=UTC)
    ten_days = datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert Rule.STALLED not in rules(healthy(unanswered_attempts=1, last_conversation_at=nine_days))
    assert Rule.STALLED in rules(healthy(unanswered_attempts=1, last_conversation_at=ten_days))


def test_a_quiet_deal_with_no_unanswered_attempt_is_not_stalled() -> None:
    long_ago = NOON - timedelta(days=60)
    assert Rule.STALLED not in rules(healthy(unanswered_attempts=0, last_conversation_at=long_ago))


def test_with_no_conversation_yet_the_days_count_from_the_first_unanswered_attempt() -> None:
    first = NOON - timedelta(days=10)
    flag = only(healthy(unanswered_attempts=1, first_unanswered_at=first), Rule.STALLED)
    assert "no conversation yet" in flag.reason and "10 days" in flag.reason


def test_stall_days_are_counted_on_the_reps_calendar() -> None:
    # 02:00 UTC on 1 March is 28 February in New York: ten days before 10 March there, nine in UTC.
    talked = datetime(2026, 3, 1, 2, tzinfo=UTC)
    facts = healthy(unanswered_attempts=1, last_conversation_at=talked)
    assert Rule.STALLED not in rules(facts, zone="UTC")
    assert Rule.STALLED in rules(facts, zone="America/New_York")


@given(
    attempts=st.integers(min_value=0, max_value=20),
    quiet=st.integers(min_value=0, max_value=60),
    limit_attempts=st.integers(min_value=1, max_value=10),
    limit_days=st.integers(min_value=1, max_value=40),
)
def test_a_stall_is_exactly_enough_attempts_or_enough_quiet_days_with_an_attempt(
    attempts: int, quiet: int, limit_attempts: int, limit_days: int
) -> None:
    facts = healthy(
        thresholds=Thresholds(30, limit_attempts, limit_days),
        unanswered_attempts=attempts,
        last_conversation_at=NOON - timedelta(days=quiet),
    )
    expected = attempts > 0 and (attempts >= limit_attempts or quiet >= limit_days)
    assert (Rule.STALLED in rules(facts)) == expected
    more = dataclasses.replace(facts, unanswered_attempts=attempts + 1)
    if expected:
        assert Rule.STALLED in rules(more)  # one more unanswered attempt never un-stalls it


# --- the decision maker by the proposal stage ----------------------------------------------


def test_before_the_proposal_stage_nobody_asks_who_decides() -> None:
    assert rules(healthy(decision_maker_identified=False)) == []


def test_at_the_proposal_stage_an_unnamed_decision_maker_is_flagged() -> None:
    flag = only(at_proposal(decision_maker_identified=False), Rule.DECISION_MAKER_UNKNOWN)
    assert "Proposal" in flag.reason
    assert Rule.DECISION_MAKER_NOT_MET not in rules(at_proposal(decision_maker_identified=False))


def test_a_named_decision_maker_never_met_is_flagged_with_their_name() -> None:
    facts = at_proposal(
        decision_maker_met=False, decision_maker_contact_id=42, decision_maker_name="Ana Costa"
    )
    flag = only(facts, Rule.DECISION_MAKER_NOT_MET)
    assert "Ana Costa" in flag.reason and "Ana Costa" in flag.objective
    assert flag.contact_id == 42


def test_a_stage_after_the_proposal_also_needs_the_decision_maker() -> None:
    decision = at_proposal(stage_key="decision", stage_name="Decision", stage_position=5)
    assert Rule.DECISION_MAKER_UNKNOWN in rules(
        dataclasses.replace(decision, decision_maker_identified=False)
    )


def test_a_proposal_sent_early_brings_the_decision_maker_rule_forward() -> None:
    early = healthy(
        proposal_sent_on=TODAY, latest_meeting_at=NOON + timedelta(days=1), decision_maker_met=False
    )
    assert rules(early) == [Rule.DECISION_MAKER_UNKNOWN]


def test_a_pipeline_without_a_proposal_stage_judges_only_deals_with_a_proposal() -> None:
    custom = healthy(proposal_stage_position=None, stage_position=9)
    assert rules(custom) == []


# --- prospect promises ---------------------------------------------------------------------


def test_a_promise_is_overdue_from_the_day_after_its_due_date() -> None:
    due_today = healthy(promises=(Promise("Talk to my wife", TODAY, 7),))
    assert rules(due_today) == []
    late = healthy(promises=(Promise("Talk to my wife", TODAY - timedelta(days=1), 7),))
    flag = only(late, Rule.PROMISE_OVERDUE)
    assert "Talk to my wife" in flag.reason and "1 day overdue" in flag.reason
    assert flag.contact_id == 7 and flag.plan_reason == Reason.COMMITMENT_FOLLOW_UP


def test_kept_or_broken_promises_are_not_overdue() -> None:
    old = TODAY - timedelta(days=30)
    for status in (CommitmentStatus.KEPT, CommitmentStatus.BROKEN):
        assert rules(healthy(promises=(Promise("Ask the board", old, 1, status),))) == []


@given(due=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_a_promise_is_flagged_exactly_when_its_due_date_is_past(due: date) -> None:
    flagged = Rule.PROMISE_OVERDUE in rules(healthy(promises=(Promise("Send the PO", due),)))
    assert flagged == (due < TODAY)


# --- days in stage -------------------------------------------------------------------------


def test_days_in_stage_are_flagged_only_beyond_the_limit() -> None:
    limit = DEFAULT_MAX_DAYS_IN_STAGE["needs_analysed"]
    at_limit = healthy(stage_entered_at=NOON - timedelta(days=limit))
    assert rules(at_limit) == []
    beyond = healthy(stage_entered_at=NOON - timedelta(days=limit + 1))
    flag = only(beyond, Rule.TOO_LONG_IN_STAGE)
    assert (
        f"for {limit + 1} days" in flag.reason and f"limit for this stage is {limit}" in flag.reason
    )


def test_days_in_stage_are_counted_on_the_reps_calendar() -> None:
    # 20:00 UTC on 23 Feb is already 24 Feb in Tokyo: 14 days there (at the limit), 15 in UTC.
    entered = datetime(2026, 2, 23, 20, tzinfo=UTC)
    facts = healthy(stage_entered_at=entered, thresholds=Thresholds(14))
    assert Rule.TOO_LONG_IN_STAGE in rules(facts, zone="UTC")
    assert Rule.TOO_LONG_IN_STAGE not in rules(facts, zone="Asia/Tokyo")


@given(
    entered=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2026, 3, 10), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    limit=st.integers(min_value=1, max_value=90),
)
def test_too_long_in_stage_matches_the_local_day_count(
    entered: datetime, zone: str, limit: int
) -> None:
    facts = healthy(stage_entered_at=entered, thresholds=Thresholds(limit))
    days = (TODAY - entered.astimezone(ZoneInfo(zone)).date()).days
    assert (Rule.TOO_LONG_IN_STAGE in rules(facts, zone=zone)) == (days > limit)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate(healthy(stage_entered_at=datetime(2026, 3, 1)), today=TODAY, time_zone="UTC")


# --- thresholds ----------------------------------------------------------------------------


def test_thresholds_default_per_stage_and_can_be_overridden() -> None:
    assert thresholds_for("proposal") == Thresholds(14, 3, 10)
    assert thresholds_for("a_custom_stage").max_days_in_stage == OTHER_STAGE_MAX_DAYS
    own = thresholds_for("proposal", max_days_in_stage=7, stall_attempts=2, stall_days=5)
    assert own == Thresholds(7, 2, 5)


# --- every flag diagnoses, never pressures --------------------------------------------------

PRESSURE = re.compile(
    r"\b(convince|persuade|push|pressure|urgency|urgent|limited time|last chance|discount|"
    r"close them|overcome|pitch)\b",
    re.IGNORECASE,
)


def everything_wrong() -> DealFacts:
    return at_proposal(
        latest_meeting_at=None,
        next_step_planned=False,
        unanswered_attempts=4,
        last_conversation_at=NOON - timedelta(days=20),
        decision_maker_met=False,
        decision_maker_name="Ana Costa",
        promises=(Promise("Talk to my business partner", TODAY - timedelta(days=3)),),
        stage_entered_at=NOON - timedelta(days=40),
    )


def test_flags_come_most_urgent_first() -> None:
    assert rules(everything_wrong()) == [
        Rule.STALLED,
        Rule.PROPOSAL_WITHOUT_FOLLOW_UP,
        Rule.PROMISE_OVERDUE,
        Rule.NO_NEXT_STEP,
        Rule.DECISION_MAKER_NOT_MET,
        Rule.TOO_LONG_IN_STAGE,
    ]


def test_every_flag_asks_a_question_and_suggests_a_learning_mode_objective() -> None:
    flags = evaluate(everything_wrong(), today=TODAY, time_zone="UTC")
    flags += evaluate(at_proposal(decision_maker_identified=False), today=TODAY, time_zone="UTC")
    assert {f.rule for f in flags} == set(Rule)
    for flag in flags:
        assert flag.label and flag.reason.endswith(".")
        assert flag.question.endswith("?")
        assert not PRESSURE.search(flag.question + flag.objective), flag
        check = check_objective(flag.objective)
        assert check.is_good, (flag.rule, check)
        assert not check.findings, (flag.rule, check.findings)


# --- the first day each rule flags a deal ----------------------------------------------------

_instants = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2026, 6, 1), timezones=st.just(UTC)
)
_days_near = st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 9, 1))


@st.composite
def any_facts(draw: st.DrawFn) -> DealFacts:
    """An open deal with any mix of facts, at any stage, with any thresholds."""
    position = draw(st.integers(min_value=1, max_value=6))
    last_talk = draw(st.none() | _instants)
    return DealFacts(
        stage_key=draw(st.sampled_from(["new", "proposal", "decision", "custom"])),
        stage_name="Stage",
        stage_position=position,
        stage_entered_at=draw(_instants),
        thresholds=Thresholds(
            draw(st.integers(min_value=0, max_value=60)),
            draw(st.integers(min_value=1, max_value=6)),
            draw(st.integers(min_value=0, max_value=30)),
        ),
        proposal_stage_position=draw(st.none() | st.integers(min_value=1, max_value=6)),
        proposal_sent_on=draw(st.none() | _days_near),
        latest_meeting_at=draw(st.none() | _instants),
        next_step_planned=draw(st.booleans()),
        unanswered_attempts=draw(st.integers(min_value=0, max_value=8)),
        last_conversation_at=last_talk,
        first_unanswered_at=draw(st.none() | _instants),
        decision_maker_identified=(named := draw(st.booleans())),
        decision_maker_met=named and draw(st.booleans()),
        decision_maker_name="Ada Lovelace" if named else "",
        promises=tuple(
            Promise("Send the budget", due, None, status)
            for due, status in draw(
                st.lists(st.tuples(_days_near, st.sampled_from(CommitmentStatus)), max_size=3)
            )
        ),
    )


@given(facts=any_facts(), today=_days_near, zone=st.sampled_from(ZONES))
def test_a_rule_flags_a_deal_from_its_first_day_on_and_never_before(
    facts: DealFacts, today: date, zone: str
) -> None:
    """What the stored days promise (store.deal_flags): the flags on any day are exactly the
    rules whose first day has come, and a rule never flags a day earlier than its first."""
    first = first_flag_days(facts, time_zone=zone)
    flagged = set(rules(facts, today, zone))
    assert flagged == {rule for rule, day in first.items() if day <= today}
    for rule, day in first.items():
        if day != ALWAYS:
            assert rule not in rules(facts, day - timedelta(days=1), zone)
            assert rule in rules(facts, day, zone)


@given(facts=any_facts(), today=_days_near, later=st.integers(min_value=1, max_value=400))
def test_flags_only_add_up_as_days_pass(facts: DealFacts, today: date, later: int) -> None:
    assert set(rules(facts, today)) <= set(rules(facts, today + timedelta(days=later)))


def test_closed_deals_have_no_first_days() -> None:
    lost = at_proposal(stage_outcome="lost", next_step_planned=False)
    assert first_flag_days(lost, time_zone="UTC") == {}
