from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from aimfire.domain.interactions import (
    CommitmentStatus,
    NextStepKind,
    Result,
    block_readiness,
    is_overdue,
    joint_meeting_objective,
    local_today,
    missing_essentials,
    next_step_problem,
    promise_keeping_rate,
    result_problem,
    someone_else_involved,
)
from aimfire.domain.playbooks import BUILTIN_PLAYBOOKS, split_questions


@given(
    contact=st.sampled_from([None, object()]),
    reason=st.sampled_from([None, "", "referral"]),
    channel=st.sampled_from([None, "", "phone"]),
    objective=st.sampled_from([None, "", "   ", "Learn who signs"]),
)
def test_a_plan_lacks_exactly_the_essentials_that_are_empty(
    contact: object, reason: str | None, channel: str | None, objective: str | None
) -> None:
    missing = missing_essentials(
        contact=contact, reason=reason, channel=channel, objective=objective
    )
    expected = [
        ("who", contact is None),
        ("why", not reason),
        ("how", not channel),
        ("what", not (objective and objective.strip())),
    ]
    assert [m.split(":")[0] for m in missing] == [name for name, absent in expected if absent]


def test_a_block_is_ready_only_with_complete_rows_and_a_good_attitude() -> None:
    assert block_readiness({"Phone Dana": []}, 4).ready
    not_ready = block_readiness({"Phone Dana": ["what: write the objective"]}, 4)
    assert not not_ready.ready and "Phone Dana: what: write the objective" in not_ready.problems
    assert not block_readiness({}, None).ready
    low = block_readiness({}, 2)
    assert not low.ready and "regroup" in low.problems[0]


@given(
    kind=st.sampled_from([None, *NextStepKind]),
    scheduled=st.booleans(),
    has_deal=st.booleans(),
    reason=st.sampled_from(["", "  ", "They retired"]),
)
def test_every_outcome_needs_a_complete_next_step(
    kind: NextStepKind | None, scheduled: bool, has_deal: bool, reason: str
) -> None:
    problem = next_step_problem(
        kind, has_scheduled_interaction=scheduled, has_deal=has_deal, no_next_step_reason=reason
    )
    complete = {
        None: False,
        NextStepKind.SCHEDULED: scheduled,
        NextStepKind.WON: has_deal,
        NextStepKind.LOST: has_deal,
        NextStepKind.NONE: bool(reason.strip()),
    }[kind]
    assert (problem is None) == complete


@given(result=st.sampled_from(list(Result)), prospect_promises=st.integers(0, 3))
def test_an_advance_is_a_step_the_prospect_agreed_to(
    result: Result, prospect_promises: int
) -> None:
    problem = result_problem(result, prospect_promises)
    assert (problem is not None) == (result == Result.ADVANCE and prospect_promises == 0)


def test_promises_that_hang_on_someone_else_are_recognised() -> None:
    assert someone_else_involved("I'll talk to my wife about it") == "wife"
    assert someone_else_involved("Will run it by the board on Monday") == "board"
    assert someone_else_involved("Needs to check with our CFO first") == "cfo"
    assert someone_else_involved("Will send the PO by Friday") is None
    assert "wife" in joint_meeting_objective("wife")


def test_overdue_is_judged_on_the_users_own_calendar() -> None:
    late_evening_in_new_york = datetime(2026, 3, 6, 3, 30, tzinfo=UTC)  # 22:30 on the 5th there
    new_york = local_today(late_evening_in_new_york, "America/New_York")
    berlin = local_today(late_evening_in_new_york, "Europe/Berlin")
    due = date(2026, 3, 5)
    assert not is_overdue(due, CommitmentStatus.OPEN, new_york)
    assert is_overdue(due, CommitmentStatus.OPEN, berlin)
    assert not is_overdue(due, CommitmentStatus.KEPT, berlin)


@given(st.dates(), st.integers(-3, 3), st.sampled_from(list(CommitmentStatus)))
def test_only_open_promises_past_their_day_are_overdue(
    due: date, offset: int, status: CommitmentStatus
) -> None:
    today = (
        due + timedelta(days=offset)
        if date.min + timedelta(3) < due < date.max - timedelta(3)
        else due
    )
    assert is_overdue(due, status, today) == (status == CommitmentStatus.OPEN and today > due)


@given(st.integers(0, 50), st.integers(0, 50))
def test_the_keeping_rate_is_a_share_of_decided_promises(kept: int, broken: int) -> None:
    rate = promise_keeping_rate(kept, broken)
    if kept + broken == 0:
        assert rate is None
    else:
        assert rate is not None and 0 <= rate <= 1 and abs(rate * (kept + broken) - kept) < 1e-9


def test_the_builtin_playbooks_have_the_types_the_product_names() -> None:
    names = {p.name: [t.name for t in p.types] for p in BUILTIN_PLAYBOOKS}
    assert "Call a buyer back" in names["Ticket sales"]
    assert "Stalled deal" in names["B2B"]
    assert all(t.objective and t.questions for p in BUILTIN_PLAYBOOKS for t in p.types)


def test_learning_questions_are_one_per_line() -> None:
    assert split_questions("Who decides?\n\n - What matters?\n") == [
        "Who decides?",
        "What matters?",
    ]
