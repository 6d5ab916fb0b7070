"""Deal health and post-mortems for the demo books.

Runs after the demo's interaction history. It gives lost deals their post-mortems (reasons
and lessons in each rep's words) and some won deals a note of what worked, books the
follow-up meeting after most winning proposals, and makes sure each book holds at least one
deal that trips every health rule, touching only proposal dates, decision-maker roles,
post-mortems and the interactions a stale case needs. Deterministic from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole
from aimfire.domain.health import PROPOSAL_FOLLOW_UP_OBJECTIVE, Rule
from aimfire.domain.interactions import (
    Channel,
    CommitmentStatus,
    NextStepKind,
    ObjectiveMet,
    Party,
    Reached,
    Reason,
    Result,
    Status,
    local_today,
)
from aimfire.domain.objective import check_objective
from aimfire.domain.pipeline import StageOutcome
from aimfire.domain.postmortem import LossReason, Outcome
from aimfire.services.access import Actor, actor_for
from aimfire.services.health import DealHealth, open_deals_health
from aimfire.store.models import (
    Commitment,
    Deal,
    DealContact,
    Interaction,
    PipelineStage,
    PostMortem,
    User,
)

R = LossReason
TICKET_LESSONS: dict[LossReason, str] = {
    R.NEVER_MET_DECISION_MAKER: "I only ever spoke to the office manager. The owner picked a "
    "different outing and I never knew he was the one deciding. Next time I ask who else has a "
    "say before I quote anything.",
    R.MOTIVE_NOT_DISCOVERED: "I never learned what the night was for: thanking staff or "
    "entertaining clients. Without that the proposal was just seats and a price.",
    R.PRESENTATION_HOLES: "They asked about parking and food for sixty people and I had no "
    "answers in the meeting. Bring the group-sales sheet and the catering menu every time.",
    R.BID_ON_PRICE: "They collected three quotes and took the cheapest group package. It became "
    "a price comparison because I never found out what a great night would be worth to them.",
    R.NO_RELATIONSHIP: "Three emails and one short call: they never really knew me. I should "
    "have gone on site before sending a proposal.",
    R.PUSHED_TOO_HARD: "I kept calling about the group-rate deadline and they stopped answering. "
    "Asking what was holding them up would have got me further.",
    R.TIMING_OR_BUDGET: "Their events budget for the quarter was already spent. Ask about the "
    "budget cycle on the first call, not after the proposal.",
    R.COMPETITOR: "They went with the concert venue downtown. I never asked what else they "
    "were considering, so I could not show why a game night fitted better.",
    R.OTHER: "The office moved and the group broke up. Nothing to change, but I only found out "
    "at the last minute.",
}
B2B_LESSONS: dict[LossReason, str] = {
    R.NEVER_MET_DECISION_MAKER: "The ops manager loved the demo, but the owner decided and I "
    "never got in front of him. Ask to meet the owner before the proposal goes out.",
    R.MOTIVE_NOT_DISCOVERED: "I never found out what actually hurt: missed appointments or slow "
    "invoicing. The proposal covered everything and spoke to nothing.",
    R.PRESENTATION_HOLES: "They asked how the app works offline in basements and I had no "
    "answer in the meeting. Bring a technician's view, not just the office view.",
    R.BID_ON_PRICE: "Procurement ran a three-vendor bid and picked on price per seat. We never "
    "put a number on what a missed job costs them.",
    R.NO_RELATIONSHIP: "I sent the proposal by email after one video call. They had no reason "
    "to trust us with their dispatch.",
    R.PUSHED_TOO_HARD: "I pushed for a signature before their busy season and the owner went "
    "quiet. I should have asked what a good start date looked like for them.",
    R.TIMING_OR_BUDGET: "This year's budget went on new vans. Ask about the budget cycle in "
    "discovery, and come back in the autumn.",
    R.COMPETITOR: "They chose the tool their sister company already uses. I learned about it "
    "only in the no email; ask who else they are talking to.",
    R.OTHER: "The company was sold mid-process and the new owners froze all purchases.",
}
ABANDONED_LESSON = (
    "Went dark after the proposal: five attempts, no answer, so we walked away. The follow-up "
    "meeting was never booked; book it before the proposal leaves."
)
WIN_NOTES = (
    "Met the person who decides on site and learned what the deal was really for; the "
    "proposal answered exactly that.",
    "Booked the follow-up meeting before the proposal left. They decided in that meeting.",
    "Asked who else had a say: the owner's partner. Invited both to the second meeting.",
    "Found the real pain early and built the proposal around it, not around our features.",
    "Asked what a great result would look like for them and used their words in the proposal.",
    "Got a promise on every call, a date or a name, and kept mine; trust built quickly.",
    "Learned their budget date in the first meeting, so the proposal landed in time.",
    "Presented in person with the decision maker in the room; we agreed the start date there.",
)
SPARE_LESSONS = (
    "Looking back, I talked more than I asked. Next time I write down three questions before "
    "the meeting and do not quote until they are answered.",
    "I took their first no at face value and never learned what was behind it.",
    "We went from demo to proposal in one step, and nobody on their side had agreed to a next "
    "step.",
)
STALE_ATTEMPTS = (
    (Channel.PHONE, Reached.VOICEMAIL),
    (Channel.EMAIL, Reached.NO_ANSWER),
    (Channel.PHONE, Reached.NO_ANSWER),
)
LATE_PROMISE = "Talk to their business partner about the budget"


def add_health_cases(db: Session, *, seed: int, now: datetime) -> None:
    """Post-mortems and health cases for each demo rep's book (the ticket book first)."""
    rng = random.Random(f"health-{seed}")
    db.flush()
    reps = list(
        db.scalars(
            select(User)
            .where(User.id.in_(select(Deal.owner_id)), User.is_admin.is_(False))
            .order_by(User.id)
        )
    )
    notes = rng.sample(WIN_NOTES, len(WIN_NOTES))  # shared, so no two reps write the same
    for index, rep in enumerate(reps):
        lessons = TICKET_LESSONS if index == 0 else B2B_LESSONS
        closed = list(
            db.scalars(
                select(Deal)
                .join(PipelineStage, PipelineStage.id == Deal.stage_id)
                .where(Deal.owner_id == rep.id, PipelineStage.outcome != StageOutcome.OPEN)
                .order_by(Deal.id)
            ).unique()
        )
        _proposal_meetings(db, rng, closed)
        _post_mortems(db, rng, closed, lessons, leave_one=index == 0, notes=notes)
        _stale_cases(db, rng, actor_for(db, rep), now)
    db.flush()


def _interaction(deal: Deal, when: datetime, **fields: object) -> Interaction:
    assert deal.contact_id is not None
    objective = str(fields.pop("objective", PROPOSAL_FOLLOW_UP_OBJECTIVE))
    channel = fields.pop("channel", Channel.MEETING)
    return Interaction(
        owner_id=deal.owner_id,
        contact_id=deal.contact_id,
        deal_id=deal.id,
        reason=fields.pop("reason", Reason.PROPOSAL_FOLLOW_UP),
        channel=channel,
        objective=objective,
        objective_label=check_objective(objective, channel=str(channel)).label,
        scheduled_at=when,
        created_at=when - timedelta(days=3),
        **fields,
    )


def _proposal_meetings(db: Session, rng: random.Random, closed: list[Deal]) -> None:
    """Most won proposals had their follow-up meeting held; most lost ones had none after the
    proposal (its date then moves past the last meeting the history holds)."""
    for deal in closed:
        if deal.proposal_sent_on is None or deal.contact_id is None or deal.closed_at is None:
            continue
        won = deal.stage.outcome == StageOutcome.WON
        sent = datetime.combine(deal.proposal_sent_on, time(15), deal.closed_at.tzinfo)
        when = min(sent + timedelta(days=rng.randint(1, 5)), deal.closed_at - timedelta(hours=3))
        if rng.random() < (0.8 if won else 0.3):
            if when >= sent:
                db.add(_held_follow_up(rng, deal, when, won))
        elif not won:
            _send_after_last_meeting(db, deal)


def _held_follow_up(rng: random.Random, deal: Deal, when: datetime, won: bool) -> Interaction:
    return _interaction(
        deal,
        when,
        channel=rng.choice((Channel.MEETING, Channel.MEETING, Channel.VIDEO)),
        status=Status.DONE,
        reached=Reached.CONNECTED,
        logged_at=when + timedelta(minutes=70),
        actual_minutes=rng.randint(35, 60),
        objective_met=ObjectiveMet.YES if won else rng.choice(list(ObjectiveMet)),
        result=Result.ADVANCE if won else rng.choice((Result.CONTINUATION, Result.NO_SALE)),
        next_step=NextStepKind.WON if won else NextStepKind.LOST,
    )


def _send_after_last_meeting(db: Session, deal: Deal) -> None:
    latest = db.scalar(
        select(func.max(Interaction.scheduled_at)).where(
            Interaction.deal_id == deal.id,
            Interaction.channel.in_([Channel.MEETING, Channel.VIDEO]),
            Interaction.status != Status.CANCELLED,
        )
    )
    assert deal.closed_at is not None and deal.proposal_sent_on is not None
    if latest is None:
        return
    after = latest.date() + timedelta(days=1)
    if deal.proposal_sent_on < after <= deal.closed_at.date():
        deal.proposal_sent_on = after


def _loss_reasons(rng: random.Random, deal: Deal) -> list[LossReason]:
    """One to three reasons; a deal whose decision maker was never met usually says so."""
    reasons = []
    if not deal.decision_maker_met and rng.random() < 0.7:
        reasons.append(R.NEVER_MET_DECISION_MAKER)
    others = [R.MOTIVE_NOT_DISCOVERED, R.BID_ON_PRICE, R.TIMING_OR_BUDGET, R.NO_RELATIONSHIP,
              R.COMPETITOR, R.PRESENTATION_HOLES, R.PUSHED_TOO_HARD]  # fmt: skip
    reasons.extend(rng.sample(others, 1 if reasons else rng.randint(1, 2)))
    return reasons


def _post_mortems(
    db: Session,
    rng: random.Random,
    closed: list[Deal],
    lessons: dict[LossReason, str],
    *,
    leave_one: bool,
    notes: list[str],
) -> None:
    spare = list(SPARE_LESSONS)
    used: set[str] = set()
    lost = [d for d in closed if d.stage.outcome == StageOutcome.LOST]
    # The latest loss of the first book is left for the rep to write up in the demo.
    skipped = max(lost, key=lambda d: d.closed_at or d.created_at) if leave_one and lost else None
    for deal in closed:
        if deal is skipped:
            continue
        if deal.stage.outcome == StageOutcome.WON:
            if notes and rng.random() < 0.6:
                note = notes.pop()
                db.add(PostMortem(deal_id=deal.id, outcome=Outcome.WON, reasons=[], lesson=note))
            continue
        if rng.random() < 0.3:
            reasons = [R.NO_RELATIONSHIP, rng.choice((R.MOTIVE_NOT_DISCOVERED, R.TIMING_OR_BUDGET))]
            outcome, lesson = Outcome.ABANDONED, ABANDONED_LESSON
        else:
            reasons = _loss_reasons(rng, deal)
            fresh = [lessons[r] for r in reasons if lessons[r] not in used]
            outcome = Outcome.LOST
            lesson = fresh[0] if fresh else (spare.pop(0) if spare else lessons[reasons[0]])
            used.add(lesson)
        ordered = [r.value for r in LossReason if r in reasons]
        db.add(PostMortem(deal_id=deal.id, outcome=outcome, reasons=ordered, lesson=lesson))


# --- making sure every rule has a deal to show it ---------------------------------------------


def _stale_cases(db: Session, rng: random.Random, actor: Actor, now: datetime) -> None:
    today = local_today(now, actor.user.time_zone)
    fixes: dict[Rule, Callable[[Session, random.Random, list[DealHealth], datetime, date], None]]
    fixes = {
        Rule.STALLED: _stall,
        Rule.PROPOSAL_WITHOUT_FOLLOW_UP: _proposal_without_meeting,
        Rule.NO_NEXT_STEP: _nothing_planned,
        Rule.DECISION_MAKER_UNKNOWN: _decider_unknown,
        Rule.DECISION_MAKER_NOT_MET: _decider_not_met,
        Rule.PROMISE_OVERDUE: _late_promise,
    }
    for rule, fix in fixes.items():
        db.flush()
        book = open_deals_health(db, actor, today=today)
        if not any(flag.rule == rule for h in book for flag in h.flags):
            fix(db, rng, book, now, today)


def _at_proposal(health: DealHealth) -> bool:
    facts = health.facts
    assert facts is not None
    return facts.proposal_stage_position is not None and (
        facts.stage_position >= facts.proposal_stage_position
    )


def _pick(
    rng: random.Random, book: list[DealHealth], keep: Callable[[DealHealth], bool]
) -> DealHealth | None:
    candidates = [h for h in book if h.facts is not None and h.deal.contact_id and keep(h)]
    return rng.choice(candidates) if candidates else None


def _stall(
    db: Session, rng: random.Random, book: list[DealHealth], now: datetime, today: date
) -> None:
    """Three attempts, none answered, since the last conversation."""
    chosen = _pick(rng, book, lambda h: h.facts is not None and h.facts.unanswered_attempts == 0)
    if chosen is None or chosen.facts is None:
        return
    start = max(
        chosen.facts.last_conversation_at or now - timedelta(days=12), now - timedelta(days=12)
    )
    step = (now - start) / (len(STALE_ATTEMPTS) + 1)
    for number, (channel, reached) in enumerate(STALE_ATTEMPTS, start=1):
        when = start + step * number
        db.add(
            _interaction(
                chosen.deal,
                when,
                channel=channel,
                reason=Reason.PROPOSAL_FOLLOW_UP if chosen.deal.proposal_sent_on else Reason.OTHER,
                objective="Learn whether they still want to go ahead, and what changed",
                status=Status.DONE,
                reached=reached,
                logged_at=when + timedelta(minutes=5),
                objective_met=ObjectiveMet.NO,
                next_step=NextStepKind.SCHEDULED,
            )
        )


def _future_meeting(health: DealHealth, now: datetime) -> bool:
    latest = health.facts.latest_meeting_at if health.facts else None
    return latest is not None and latest > now


def _proposal_without_meeting(
    db: Session, rng: random.Random, book: list[DealHealth], now: datetime, today: date
) -> None:
    """A proposal sent a few days ago with no meeting booked after it."""
    chosen = _pick(rng, book, lambda h: _at_proposal(h) and not _future_meeting(h, now))
    chosen = chosen or _pick(rng, book, lambda h: not _future_meeting(h, now))
    if chosen is not None:
        chosen.deal.proposal_sent_on = today - timedelta(days=1)


def _nothing_planned(
    db: Session, rng: random.Random, book: list[DealHealth], now: datetime, today: date
) -> None:
    """The prospect cancelled the next meeting and nothing was rebooked."""
    chosen = _pick(rng, book, lambda h: True)
    if chosen is not None:
        planned = select(Interaction).where(
            Interaction.deal_id == chosen.deal.id, Interaction.status == Status.PLANNED
        )
        for interaction in db.scalars(planned):
            interaction.status = Status.CANCELLED
        db.flush()


def _decider_unknown(
    db: Session, rng: random.Random, book: list[DealHealth], now: datetime, today: date
) -> None:
    """The person taken for the decision maker turns out to be an influencer."""
    chosen = _pick(rng, book, _at_proposal)
    if chosen is not None:
        deciders = select(DealContact).where(
            DealContact.deal_id == chosen.deal.id,
            DealContact.role == ContactRole.DECISION_MAKER,
        )
        for person in db.scalars(deciders):
            person.role = ContactRole.INFLUENCER


def _decider_not_met(
    db: Session, rng: random.Random, book: list[DealHealth], now: datetime, today: date
) -> None:
    """The decision maker is named but nobody has met them."""
    named = _pick(
        rng,
        book,
        lambda h: _at_proposal(h) and h.facts is not None and h.facts.decision_maker_identified,
    )
    if named is not None:
        named.deal.decision_maker_met = False
        return
    chosen = _pick(rng, book, _at_proposal)
    if chosen is not None and chosen.deal.contact_id is not None:
        main_contact = select(DealContact).where(
            DealContact.deal_id == chosen.deal.id,
            DealContact.contact_id == chosen.deal.contact_id,
        )
        for person in db.scalars(main_contact):
            person.role = ContactRole.DECISION_MAKER
        chosen.deal.decision_maker_met = False


def _late_promise(
    db: Session, rng: random.Random, book: list[DealHealth], now: datetime, today: date
) -> None:
    """A call where the prospect promised an answer by a date that has now passed."""
    chosen = _pick(rng, book, lambda h: True)
    if chosen is None:
        return
    when = now - timedelta(days=6)
    call = _interaction(
        chosen.deal,
        when,
        channel=Channel.PHONE,
        reason=Reason.OTHER,
        objective="Get a yes or no on the budget by Friday",
        status=Status.DONE,
        reached=Reached.CONNECTED,
        logged_at=when + timedelta(minutes=15),
        objective_met=ObjectiveMet.PARTLY,
        result=Result.ADVANCE,
        next_step=NextStepKind.SCHEDULED,
    )
    db.add(call)
    db.flush()
    db.add(
        Commitment(
            owner_id=chosen.deal.owner_id,
            contact_id=call.contact_id,
            deal_id=chosen.deal.id,
            interaction_id=call.id,
            party=Party.PROSPECT,
            description=LATE_PROMISE,
            due_on=today - timedelta(days=2),
            status=CommitmentStatus.OPEN,
        )
    )
