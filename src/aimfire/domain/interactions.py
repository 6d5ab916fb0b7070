"""The heart of the product: an interaction is planned, then its outcome is logged against
the plan. These are the words and the rules; storage and screens live elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class Reason(StrEnum):
    """Why the rep is getting in touch."""

    ASKED_TO_BE_CALLED = "asked_to_be_called"
    REFERRAL = "referral"
    INBOUND_ENQUIRY = "inbound_enquiry"
    RENEWAL = "renewal"
    PROPOSAL_FOLLOW_UP = "proposal_follow_up"
    RE_ENGAGE_STALLED = "re_engage_stalled"
    LIST_OR_EVENT = "list_or_event"
    COMMITMENT_FOLLOW_UP = "commitment_follow_up"
    OTHER = "other"


class Channel(StrEnum):
    """How the rep gets in touch."""

    PHONE = "phone"
    EMAIL = "email"
    MEETING = "meeting"
    VIDEO = "video"
    TEXT = "text"


MEETING_CHANNELS = frozenset({Channel.MEETING, Channel.VIDEO})

# Minutes one interaction takes, before a user sets their own (PRODUCT: per-user settings).
DEFAULT_CHANNEL_MINUTES: dict[str, int] = {
    Channel.PHONE: 10,
    Channel.EMAIL: 5,
    Channel.VIDEO: 30,
    Channel.MEETING: 60,
    Channel.TEXT: 3,
}


def minutes_by_channel(own: dict[str, int] | None) -> dict[str, int]:
    """A user's minutes per channel: their own settings over the defaults."""
    return {
        channel: int((own or {}).get(channel, minutes))
        for channel, minutes in DEFAULT_CHANNEL_MINUTES.items()
    }


class Status(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class Reached(StrEnum):
    CONNECTED = "connected"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    BOUNCED = "bounced"


class ObjectiveMet(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Result(StrEnum):
    """What the interaction achieved for the sale.

    An *advance* is a concrete step the prospect agreed to take; when only the rep agreed to
    do something, the talk was a *continuation*.
    """

    ORDER = "order"
    ADVANCE = "advance"
    CONTINUATION = "continuation"
    NO_SALE = "no_sale"


class NextStepKind(StrEnum):
    SCHEDULED = "scheduled"
    WON = "won"
    LOST = "lost"
    NONE = "none"


class QualityFactor(StrEnum):
    TONALITY = "tonality"
    EMOTIONAL_ENGAGEMENT = "emotional_engagement"
    BUSINESS_RELEVANCE = "business_relevance"
    PERSONAL_RELEVANCE = "personal_relevance"
    DEPTH_OF_ENGAGEMENT = "depth_of_engagement"


class Party(StrEnum):
    """Who made a promise."""

    PROSPECT = "prospect"
    REP = "rep"


class CommitmentStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"


# --- readiness -------------------------------------------------------------------------

PLAN_ESSENTIALS = {
    "contact": "who: choose the contact",
    "reason": "why: say the reason for contact",
    "channel": "how: choose the channel",
    "objective": "what: write the objective",
}


def missing_essentials(
    *, contact: object, reason: str | None, channel: str | None, objective: str | None
) -> list[str]:
    """What a plan still lacks before it is ready: who, why, how and what."""
    given = {
        "contact": contact is not None,
        "reason": bool(reason),
        "channel": bool(channel),
        "objective": bool(objective and objective.strip()),
    }
    return [PLAN_ESSENTIALS[name] for name, present in given.items() if not present]


LOWEST_READY_ATTITUDE = 3


@dataclass(frozen=True, slots=True)
class BlockReadiness:
    ready: bool
    problems: list[str]


def block_readiness(row_problems: dict[str, list[str]], attitude: int | None) -> BlockReadiness:
    """Ready to start a calling block only when every row is complete and the rep is too.

    ``row_problems`` maps a row's label ("Call Dana Whitfield") to what it lacks.
    """
    problems = [f"{label}: {', '.join(lacks)}" for label, lacks in row_problems.items() if lacks]
    if attitude is None:
        problems.append("Attitude: rate how ready you feel, 1 to 5.")
    elif attitude < LOWEST_READY_ATTITUDE:
        problems.append(
            f"Attitude {attitude} of 5: stop and regroup before calling; what would make this a 4?"
        )
    return BlockReadiness(not problems, problems)


# --- outcomes --------------------------------------------------------------------------


def next_step_problem(
    kind: NextStepKind | None,
    *,
    has_scheduled_interaction: bool,
    has_deal: bool,
    no_next_step_reason: str | None,
) -> str | None:
    """Why an outcome may not be saved yet, or None. Every outcome leaves a next step."""
    if kind is None:
        return (
            "Choose the next step: schedule the next interaction, close the deal won or lost, "
            "or say why there is no next step."
        )
    if kind == NextStepKind.SCHEDULED and not has_scheduled_interaction:
        return "Give the next interaction a time and an objective."
    if kind in (NextStepKind.WON, NextStepKind.LOST) and not has_deal:
        return "Only an interaction about a deal can close it; choose another next step."
    if kind == NextStepKind.NONE and not (no_next_step_reason and no_next_step_reason.strip()):
        return "Say why there is no next step."
    return None


def result_problem(result: Result, prospect_commitments: int) -> str | None:
    """An advance needs a step the prospect agreed to; the rep's own promises do not count."""
    if result == Result.ADVANCE and prospect_commitments == 0:
        return (
            "An advance is a concrete step the prospect agreed to take. Record their "
            "commitment, or log this as a continuation."
        )
    return None


_INVOLVES_SOMEONE_ELSE = re.compile(
    r"\b(?:talk|speak|check|discuss|run (?:it|this) by|ask|consult|show (?:it|this) to)"
    r"\b[^.]{0,40}?\b(?:my |our |the |his |her |their )?"
    r"(?P<who>wife|husband|spouse|partner|boss|manager|board|cfo|ceo|owner|director|team|"
    r"accountant|lawyer|family|dad|mom|mum|father|mother|co-?founder|committee|finance|procurement)\b",
    re.IGNORECASE,
)


def someone_else_involved(commitment: str) -> str | None:
    """The person a prospect's promise depends on ("talk to my wife" -> "wife"), if any."""
    match = _INVOLVES_SOMEONE_ELSE.search(commitment)
    return match.group("who").lower() if match else None


def joint_meeting_objective(who: str) -> str:
    return (
        f"Meet together with their {who}: learn what the {who} needs to see or hear "
        "to decide, and agree on a decision date."
    )


# --- commitments -----------------------------------------------------------------------


def local_today(now: datetime, time_zone: str) -> date:
    """Today's date where the user is; 'overdue' is judged by the user's calendar, not UTC."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def is_overdue(due_on: date, status: CommitmentStatus, today: date) -> bool:
    """A promise is overdue from the day after its due date until it is kept or broken."""
    return status == CommitmentStatus.OPEN and due_on < today


def follow_up_objective(commitment: str) -> str:
    return (
        f"Get their answer on “{commitment}” and understand what got in the way "
        "of doing it by the date they chose."
    )


def promise_keeping_rate(kept: int, broken: int) -> float | None:
    decided = kept + broken
    return kept / decided if decided else None
