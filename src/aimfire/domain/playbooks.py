"""The two playbooks that ship with aimfire, written as plans a rep can use on day one.

Each interaction type carries a default channel, reason, objective and learning questions,
and the pipeline stages where it is the natural next step.
"""

from __future__ import annotations

from dataclasses import dataclass

from aimfire.domain.interactions import Channel, Reason


@dataclass(frozen=True, slots=True)
class TypeSpec:
    name: str
    channel: Channel
    objective: str
    questions: tuple[str, ...]
    reason: Reason | None = None
    for_stages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaybookSpec:
    name: str
    types: tuple[TypeSpec, ...]


TICKET_SALES = PlaybookSpec(
    "Ticket sales",
    (
        TypeSpec(
            "Call a ticket buyer",
            Channel.PHONE,
            "Get them to buy tickets for a specific game on this call.",
            (
                "Who are they bringing, and what makes a night out great for them?",
                "Which dates or opponents matter to them?",
                "What would stop them from buying today?",
            ),
            Reason.LIST_OR_EVENT,
            ("new", "qualified"),
        ),
        TypeSpec(
            "Call a buyer back",
            Channel.PHONE,
            "Get a yes or no, or learn exactly which objection stands in the way.",
            (
                "What has happened since we last spoke?",
                "What is the one thing holding the decision back?",
                "Who else has a say in it?",
            ),
            Reason.ASKED_TO_BE_CALLED,
            ("meeting_set", "needs_analysed", "decision"),
        ),
        TypeSpec(
            "Cold-call a business",
            Channel.PHONE,
            "Get the decision maker to agree to a meeting on a set date.",
            (
                "How do they reward staff or entertain clients today?",
                "Who decides on that spending, and when is the budget set?",
            ),
            Reason.LIST_OR_EVENT,
            ("new",),
        ),
        TypeSpec(
            "Follow up with a business",
            Channel.MEETING,
            "Get on site to present the proposal, with the decision maker in the room.",
            (
                "Who will be in the room, and who signs?",
                "What do they need the outing to achieve?",
            ),
            Reason.PROPOSAL_FOLLOW_UP,
            ("qualified", "meeting_set", "proposal"),
        ),
        TypeSpec(
            "Call a season or partial-plan holder",
            Channel.PHONE,
            "Get them to renew, or to upgrade their seats, on this call.",
            (
                "How did this season go for them: which games did they use, which not?",
                "What would make next season better?",
                "Is anyone else sharing the seats who should weigh in?",
            ),
            Reason.RENEWAL,
        ),
    ),
)

B2B = PlaybookSpec(
    "B2B",
    (
        TypeSpec(
            "First contact",
            Channel.PHONE,
            "Get them to agree to a face-to-face meeting on a set date.",
            (
                "What prompted them to look at this now, if anything?",
                "Who else is involved in decisions like this?",
            ),
            Reason.LIST_OR_EVENT,
            ("new",),
        ),
        TypeSpec(
            "Qualification",
            Channel.PHONE,
            "Learn whether they have a real need, a budget and a time frame.",
            (
                "What problem would they like solved, and what does it cost them today?",
                "Is there a budget, and who controls it?",
                "By when do they need it working?",
            ),
            Reason.INBOUND_ENQUIRY,
            ("qualified",),
        ),
        TypeSpec(
            "Discovery",
            Channel.MEETING,
            "Learn their needs, decision criteria and who decides, well enough to propose.",
            (
                "How do they work today, step by step?",
                "What would success look like in six months?",
                "How will they choose, and who signs?",
            ),
            Reason.OTHER,
            ("meeting_set", "needs_analysed"),
        ),
        TypeSpec(
            "Proposal delivery",
            Channel.MEETING,
            "Present the proposal in person and book the follow-up meeting before leaving.",
            (
                "Which parts of the proposal matter most to each person in the room?",
                "What could still stop them saying yes?",
            ),
            Reason.PROPOSAL_FOLLOW_UP,
            ("proposal", "decision"),
        ),
        TypeSpec(
            "Stalled deal",
            Channel.PHONE,
            "Learn why the deal stalled: what changed for them since we last spoke.",
            (
                "Has anything changed in their priorities, budget or people?",
                "Is there something in our proposal that did not fit?",
                "What would they need to move forward, if anything?",
            ),
            Reason.RE_ENGAGE_STALLED,
        ),
    ),
)

BUILTIN_PLAYBOOKS = (TICKET_SALES, B2B)


def split_questions(text: str) -> list[str]:
    """Learning questions are kept one per line."""
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]
