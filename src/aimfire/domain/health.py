"""Deal health: the rules that catch a deal stalling, each with a question to learn the answer to.

A stall is a symptom. Every flag says plainly what is wrong, asks the question the rep has to
find the answer to (never a pressure trick), and suggests a learning-mode objective for the
interaction that finds it out.

Days are counted on the rep's calendar: instants are turned into dates in the rep's time zone
before they are compared with ``today`` (the rep's local date). Boundaries:

- *too long in stage*: flagged when the days since the deal entered its stage exceed the
  stage's limit (day 14 of a 14-day limit is fine, day 15 is flagged);
- *stalled*: flagged once the unanswered attempts since the last conversation reach the stage's
  attempt limit, or when at least one attempt went unanswered and the last conversation (or,
  with no conversation yet, the first unanswered attempt) is ``stall_days`` or more days old;
- *promise overdue*: from the day after its due date (``interactions.is_overdue``);
- *proposal without a follow-up*: no meeting or video call on or after the day the proposal was
  sent, planned or held (a cancelled one or a no-show does not count);
- *decision maker*: from the proposal stage on (or once a proposal was sent), nobody named as
  decision maker, or named but never met.

Only open deals are judged; won and lost deals have no health.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from aimfire.domain.interactions import Channel, CommitmentStatus, Reason, is_overdue

DEFAULT_STALL_ATTEMPTS = 3
DEFAULT_STALL_DAYS = 10
# Days a deal may sit in a default stage before it is flagged. Early stages move quickly or
# the lead cools; a proposal unanswered for two weeks is in trouble; a decision can take a
# committee three weeks. A stage an admin adds gets OTHER_STAGE_MAX_DAYS.
DEFAULT_MAX_DAYS_IN_STAGE: dict[str, int] = {
    "new": 14,
    "qualified": 21,
    "meeting_set": 14,
    "needs_analysed": 21,
    "proposal": 14,
    "decision": 21,
}
OTHER_STAGE_MAX_DAYS = 30
PROPOSAL_STAGE_KEY = "proposal"

_Local = Callable[[datetime], date]  # an instant -> the rep's date


class Rule(StrEnum):
    """The health rules, most urgent first (flags are listed in this order)."""

    STALLED = "stalled"
    PROPOSAL_WITHOUT_FOLLOW_UP = "proposal_without_follow_up"
    PROMISE_OVERDUE = "promise_overdue"
    NO_NEXT_STEP = "no_next_step"
    DECISION_MAKER_UNKNOWN = "decision_maker_unknown"
    DECISION_MAKER_NOT_MET = "decision_maker_not_met"
    TOO_LONG_IN_STAGE = "too_long_in_stage"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]

    @property
    def summary(self) -> str:
        return RULE_SUMMARIES[self]


# Rules in the order they are declared: the most urgent first.
URGENCY: dict[Rule, int] = {rule: rank for rank, rule in enumerate(Rule)}

RULE_LABELS: dict[Rule, str] = {
    Rule.STALLED: "Stalled",
    Rule.PROPOSAL_WITHOUT_FOLLOW_UP: "No follow-up meeting",
    Rule.PROMISE_OVERDUE: "Promise overdue",
    Rule.NO_NEXT_STEP: "No next step",
    Rule.DECISION_MAKER_UNKNOWN: "Who decides?",
    Rule.DECISION_MAKER_NOT_MET: "Decision maker not met",
    Rule.TOO_LONG_IN_STAGE: "Too long in stage",
}

# What each flag means in general, where the deal's own details are not at hand (the board's
# badges); a flag's reason says it for the deal.
RULE_SUMMARIES: dict[Rule, str] = {
    Rule.STALLED: "Attempts to reach them have gone unanswered.",
    Rule.PROPOSAL_WITHOUT_FOLLOW_UP: "The proposal went out with no follow-up meeting booked.",
    Rule.PROMISE_OVERDUE: "Something they promised is overdue.",
    Rule.NO_NEXT_STEP: "Nothing is planned on this open deal.",
    Rule.DECISION_MAKER_UNKNOWN: "Nobody is named as the decision maker.",
    Rule.DECISION_MAKER_NOT_MET: "Nobody has met the decision maker yet.",
    Rule.TOO_LONG_IN_STAGE: "In this stage longer than its limit.",
}

# Why the rep gets in touch when planning the diagnosis (domain.interactions.Reason).
PLAN_REASONS: dict[Rule, Reason] = {
    Rule.PROPOSAL_WITHOUT_FOLLOW_UP: Reason.PROPOSAL_FOLLOW_UP,
    Rule.PROMISE_OVERDUE: Reason.COMMITMENT_FOLLOW_UP,
}
# What the flag's action says, and the channel it suggests, where not a diagnosis call.
PLAN_LABELS: dict[Rule, str] = {
    Rule.PROPOSAL_WITHOUT_FOLLOW_UP: "Book the follow-up meeting",
    Rule.PROMISE_OVERDUE: "Plan the follow-up on the promise",
}
PLAN_CHANNELS: dict[Rule, Channel] = {Rule.PROPOSAL_WITHOUT_FOLLOW_UP: Channel.MEETING}


class MeetingChannel(StrEnum):
    """How a proposal's follow-up meeting happens: face to face or on video."""

    MEETING = "meeting"
    VIDEO = "video"


PROPOSAL_FOLLOW_UP_OBJECTIVE = (
    "Learn what they need to decide yes or no on the proposal, and by when"
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    max_days_in_stage: int
    stall_attempts: int = DEFAULT_STALL_ATTEMPTS
    stall_days: int = DEFAULT_STALL_DAYS


def thresholds_for(
    stage_key: str,
    *,
    max_days_in_stage: int | None = None,
    stall_attempts: int | None = None,
    stall_days: int | None = None,
) -> Thresholds:
    """A stage's thresholds: its own where set, the defaults where not (None)."""
    return Thresholds(
        max_days_in_stage
        if max_days_in_stage is not None
        else DEFAULT_MAX_DAYS_IN_STAGE.get(stage_key, OTHER_STAGE_MAX_DAYS),
        stall_attempts if stall_attempts is not None else DEFAULT_STALL_ATTEMPTS,
        stall_days if stall_days is not None else DEFAULT_STALL_DAYS,
    )


@dataclass(frozen=True, slots=True)
class Promise:
    """An open promise the prospect made on the deal."""

    description: str
    due_on: date
    contact_id: int | None = None
    status: CommitmentStatus = CommitmentStatus.OPEN


@dataclass(frozen=True, slots=True)
class DealFacts:
    """What is known about one deal, gathered from its stage, interactions and promises.

    Instants are timezone-aware; ``proposal_sent_on`` and promise dates are the rep's dates.
    """

    stage_key: str
    stage_name: str
    stage_position: int
    stage_entered_at: datetime
    thresholds: Thresholds
    stage_outcome: str = "open"
    proposal_stage_position: int | None = None
    proposal_sent_on: date | None = None
    # The latest meeting or video call on the deal, planned or held (not cancelled, no no-show).
    latest_meeting_at: datetime | None = None
    next_step_planned: bool = False
    # Logged attempts that did not reach anyone since the last conversation (reached=connected).
    unanswered_attempts: int = 0
    last_conversation_at: datetime | None = None
    first_unanswered_at: datetime | None = None
    decision_maker_identified: bool = False
    decision_maker_met: bool = False
    decision_maker_contact_id: int | None = None
    decision_maker_name: str = ""
    promises: tuple[Promise, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Flag:
    rule: Rule
    reason: str  # what is wrong, plainly
    question: str  # what the rep must learn the answer to
    objective: str  # a learning-mode objective for the diagnosis interaction
    contact_id: int | None = None  # who to talk to, when it is not the deal's main contact

    @property
    def label(self) -> str:
        return self.rule.label

    @property
    def plan_reason(self) -> Reason:
        return PLAN_REASONS.get(self.rule, Reason.RE_ENGAGE_STALLED)

    @property
    def plan_label(self) -> str:
        return PLAN_LABELS.get(self.rule, "Plan a diagnosis call")

    @property
    def plan_channel(self) -> Channel | None:
        return PLAN_CHANNELS.get(self.rule)


# A rule that does not depend on the day flags the deal from the first day on.
ALWAYS = date.min


def first_flag_days(facts: DealFacts, *, time_zone: str) -> dict[Rule, date]:
    """The first day each rule flags the deal, for the rules that do with these facts.

    Days only add up: a rule that flags a deal on one day flags it on every later day until
    the facts change (a reply, a meeting booked, a stage moved, a promise kept). So a book's
    flags on any day can be read from these days, stored when the facts change, without
    judging every deal again (``store.deal_flags``).
    """
    if facts.stage_outcome != "open":
        return {}
    local = _local_dates(time_zone)
    days = {
        Rule.STALLED: _stalled_from(facts, local),
        Rule.PROPOSAL_WITHOUT_FOLLOW_UP: _proposal_unfollowed_from(facts, local),
        Rule.PROMISE_OVERDUE: min(_overdue_days(facts), default=None),
        Rule.NO_NEXT_STEP: None if facts.next_step_planned else ALWAYS,
        **_decision_maker_from(facts),
        Rule.TOO_LONG_IN_STAGE: _later(
            local(facts.stage_entered_at), facts.thresholds.max_days_in_stage + 1
        ),
    }
    return {rule: day for rule, day in days.items() if day is not None}


def evaluate(facts: DealFacts, *, today: date, time_zone: str) -> list[Flag]:
    """Every flag the deal raises on ``today`` (the rep's date), most urgent first."""
    days = first_flag_days(facts, time_zone=time_zone)
    local = _local_dates(time_zone)
    flags: list[Flag] = []
    for rule in Rule:  # declared most urgent first
        if rule in days and days[rule] <= today:
            flags.extend(_WORDS[rule](facts, today, local))
    return flags


def _local_dates(time_zone: str) -> _Local:
    zone = ZoneInfo(time_zone)

    def local(instant: datetime) -> date:
        if instant.tzinfo is None:
            raise ValueError("deal health compares aware datetimes only")
        return instant.astimezone(zone).date()

    return local


def _later(day: date, days: int) -> date | None:
    """``days`` after ``day``: None (never) past the calendar's end, ALWAYS before its start."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return ALWAYS if days < 0 else None


# --- when each rule flags a deal --------------------------------------------------------


def _stalled_from(facts: DealFacts, local: _Local) -> date | None:
    if facts.unanswered_attempts <= 0:
        return None
    limits = facts.thresholds
    if facts.unanswered_attempts >= limits.stall_attempts:
        return ALWAYS
    since = facts.last_conversation_at or facts.first_unanswered_at
    if since is None:  # no day to count from: quiet for no days
        return ALWAYS if limits.stall_days <= 0 else None
    return _later(local(since), limits.stall_days)


def _proposal_unfollowed_from(facts: DealFacts, local: _Local) -> date | None:
    sent = facts.proposal_sent_on
    if sent is None:
        return None
    if facts.latest_meeting_at is not None and local(facts.latest_meeting_at) >= sent:
        return None
    return ALWAYS


def _overdue_from(promise: Promise) -> date | None:
    """The first day ``interactions.is_overdue`` holds for the promise."""
    if promise.status != CommitmentStatus.OPEN:
        return None
    return _later(promise.due_on, 1)


def _overdue_days(facts: DealFacts) -> list[date]:
    return [day for promise in facts.promises if (day := _overdue_from(promise)) is not None]


def _decision_maker_from(facts: DealFacts) -> dict[Rule, date]:
    at_proposal = facts.proposal_sent_on is not None or (
        facts.proposal_stage_position is not None
        and facts.stage_position >= facts.proposal_stage_position
    )
    if not at_proposal:
        return {}
    if not facts.decision_maker_identified:
        return {Rule.DECISION_MAKER_UNKNOWN: ALWAYS}
    return {} if facts.decision_maker_met else {Rule.DECISION_MAKER_NOT_MET: ALWAYS}


# --- what each flag says -------------------------------------------------------------------
# Each takes the facts, the day and the rep's calendar, and is called only on a day its rule
# flags the deal (``first_flag_days``).
#
# The words are built by cached functions of the few facts they quote: across a book,
# thousands of deals raise the same flag with the same words, and share one Flag (frozen).


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _stalled(facts: DealFacts, today: date, local: _Local) -> list[Flag]:
    since = facts.last_conversation_at or facts.first_unanswered_at
    quiet_days = (today - local(since)).days if since else 0
    last = facts.last_conversation_at
    return [_stalled_flag(facts.unanswered_attempts, local(last) if last else None, quiet_days)]


@lru_cache(maxsize=4096)
def _stalled_flag(attempts: int, last_conversation_on: date | None, quiet_days: int) -> Flag:
    if last_conversation_on:
        reason = (
            f"No response to {_attempts(attempts)} since the last conversation on "
            f"{_day(last_conversation_on)} ({_days(quiet_days)} ago)."
        )
    else:
        reason = (
            f"No response to {_attempts(attempts)} over {_days(quiet_days)}, "
            "and no conversation yet."
        )
    return Flag(
        Rule.STALLED,
        reason,
        "What changed for them since we last spoke: their priorities, the budget, the "
        "people involved, or something we said or did?",
        "Learn why the deal stalled: what changed for them since we last spoke",
    )


def _proposal_without_follow_up(facts: DealFacts, _today: date, _local: _Local) -> list[Flag]:
    assert facts.proposal_sent_on is not None
    return [_proposal_flag(facts.proposal_sent_on)]


@lru_cache(maxsize=1024)
def _proposal_flag(sent: date) -> Flag:
    return Flag(
        Rule.PROPOSAL_WITHOUT_FOLLOW_UP,
        f"The proposal went out on {_day(sent)} with no follow-up meeting booked.",
        "What do they need to see or hear to decide on the proposal, and who else will weigh in?",
        PROPOSAL_FOLLOW_UP_OBJECTIVE,
    )


def _promises_overdue(facts: DealFacts, today: date, _local: _Local) -> list[Flag]:
    overdue = [p for p in facts.promises if is_overdue(p.due_on, p.status, today)]
    flags = []
    for promise in sorted(overdue, key=lambda p: p.due_on):
        late = (today - promise.due_on).days
        flags.append(
            Flag(
                Rule.PROMISE_OVERDUE,
                f"They promised “{promise.description}” by {_day(promise.due_on)}; "
                f"{_days(late)} overdue.",
                "What got in the way of doing it, and does it still matter to them?",
                f"Learn what got in the way of “{promise.description}”, and whether it still "
                "matters to them",
                promise.contact_id,
            )
        )
    return flags


_NOTHING_PLANNED = Flag(
    Rule.NO_NEXT_STEP,
    "Nothing is planned on this open deal.",
    "What has to happen next on their side, and by when?",
    "Learn what has to happen next on their side, and by when",
)


def _no_next_step(_facts: DealFacts, _today: date, _local: _Local) -> list[Flag]:
    return [_NOTHING_PLANNED]


def _decision_maker_unknown(facts: DealFacts, _today: date, _local: _Local) -> list[Flag]:
    return [_decider_unknown_flag(facts.stage_name)]


@lru_cache(maxsize=256)
def _decider_unknown_flag(stage_name: str) -> Flag:
    return Flag(
        Rule.DECISION_MAKER_UNKNOWN,
        f"The deal is at {stage_name} and nobody is named as the decision maker.",
        "Who will say the final yes or no, and how do they decide?",
        "Learn who makes the final decision and how they will decide",
    )


def _decision_maker_not_met(facts: DealFacts, _today: date, _local: _Local) -> list[Flag]:
    return [_decider_not_met_flag(facts.decision_maker_name, facts.decision_maker_contact_id)]


@lru_cache(maxsize=4096)
def _decider_not_met_flag(name: str, contact_id: int | None) -> Flag:
    return Flag(
        Rule.DECISION_MAKER_NOT_MET,
        f"{name or 'The decision maker'} decides, and nobody has met them yet (in person or "
        "on video).",
        f"What does {name or 'the decision maker'} need to hear from us first-hand, and what "
        "would make meeting us worth their time?",
        f"Learn what {name or 'the decision maker'} needs to hear from us to decide, and how "
        "we can meet them",
        contact_id,
    )


def _too_long_in_stage(facts: DealFacts, today: date, local: _Local) -> list[Flag]:
    days = (today - local(facts.stage_entered_at)).days
    return [_too_long_flag(facts.stage_name, days, facts.thresholds.max_days_in_stage)]


@lru_cache(maxsize=4096)
def _too_long_flag(stage_name: str, days: int, limit: int) -> Flag:
    return Flag(
        Rule.TOO_LONG_IN_STAGE,
        f"In {stage_name} for {_days(days)}; the limit for this stage is {limit}.",
        f"What is keeping the deal in {stage_name} on their side, and is it still alive for them?",
        f"Learn what is holding the deal in {stage_name} and what would move it forward",
    )


_WORDS: dict[Rule, Callable[[DealFacts, date, _Local], list[Flag]]] = {
    Rule.STALLED: _stalled,
    Rule.PROPOSAL_WITHOUT_FOLLOW_UP: _proposal_without_follow_up,
    Rule.PROMISE_OVERDUE: _promises_overdue,
    Rule.NO_NEXT_STEP: _no_next_step,
    Rule.DECISION_MAKER_UNKNOWN: _decision_maker_unknown,
    Rule.DECISION_MAKER_NOT_MET: _decision_maker_not_met,
    Rule.TOO_LONG_IN_STAGE: _too_long_in_stage,
}
