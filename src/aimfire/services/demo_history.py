"""A few months of logged interactions, promises and stage moves for the demo books.

Each deal gets a run of past calls and meetings that led it to its stage, most open deals
have their next interaction planned, and today holds a calling block, so every page of the
product has something true to show. Deterministic from the random generator handed in.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

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
)
from aimfire.domain.objective import check_objective
from aimfire.domain.pipeline import StageOutcome
from aimfire.store.models import (
    Commitment,
    Contact,
    Deal,
    DealStageChange,
    Interaction,
    PipelineStage,
    User,
)

GOOD_OBJECTIVES = (
    "Learn who besides {first} signs off on this",
    "Find out what would make the {title} worth it to them this season",
    "Get {first} to agree to a meeting on site next week",
    "Learn their decision criteria and the date they decide",
    "Get a yes or no on the {title} by Friday",
    "Understand what is getting in the way of their decision",
    "Learn what they use today and what it costs them",
)
WEAK_OBJECTIVES = (
    "Check in with {first}",
    "Tell them about the new packages",
    "Follow up on the proposal",
    "Convince {first} the price is fair",
)
PROSPECT_PROMISES = (
    "Talk to their partner about the seats",
    "Send over the list of technicians",
    "Ask the owner to join the next call",
    "Confirm the budget with finance",
    "Pick two dates that work for the group",
)
REP_PROMISES = ("Send the seat map", "Email the case study", "Send a revised quote")
QUALITY = ("tonality", "emotional_engagement", "business_relevance", "personal_relevance",
           "depth_of_engagement")  # fmt: skip


class _History:
    def __init__(self, db: Session, rng: random.Random, rep: User, now: datetime) -> None:
        self.db, self.rng, self.rep, self.now = db, rng, rep, now
        self.stages = {s.key: s for s in db.scalars(select(PipelineStage))}

    def objective(self, contact: Contact, deal: Deal | None, weak_share: float = 0.2) -> str:
        pool = WEAK_OBJECTIVES if self.rng.random() < weak_share else GOOD_OBJECTIVES
        title = deal.title.split(": ")[-1].lower() if deal else "tickets"
        return self.rng.choice(pool).format(first=contact.first_name, title=title)

    def interaction(
        self, contact: Contact, deal: Deal | None, when: datetime, **fields: object
    ) -> Interaction:
        channel = fields.pop("channel", None) or self.rng.choice(
            (
                Channel.PHONE,
                Channel.PHONE,
                Channel.PHONE,
                Channel.EMAIL,
                Channel.MEETING,
                Channel.VIDEO,
            )
        )
        objective = fields.pop("objective", None)
        if objective is None:
            objective = self.objective(contact, deal)
        interaction = Interaction(
            owner_id=self.rep.id,
            contact_id=contact.id,
            deal_id=deal.id if deal else None,
            reason=fields.pop("reason", None) or self.rng.choice(list(Reason)[:7]),
            channel=channel,
            objective=objective,
            objective_label=check_objective(str(objective), channel=channel).label,
            learning_questions="Who else decides?\nWhat would make this worth it to them?",
            scheduled_at=when,
            created_at=when - timedelta(days=self.rng.randint(1, 4)),
            **fields,
        )
        self.db.add(interaction)
        return interaction

    def logged(
        self, contact: Contact, deal: Deal | None, when: datetime, advance: bool
    ) -> Interaction:
        missed = (Reached.VOICEMAIL, Reached.NO_ANSWER, Reached.NO_ANSWER, Reached.BOUNCED)
        connected = advance or self.rng.random() < 0.45
        interaction = self.interaction(
            contact,
            deal,
            when,
            status=Status.DONE,
            reached=Reached.CONNECTED if connected else self.rng.choice(missed),
            logged_at=when + timedelta(minutes=12),
            actual_minutes=self.rng.randint(3, 40),
            objective_met=self._verdict(advance) if connected else ObjectiveMet.NO,
            result=self._result(advance) if connected else None,
            next_step=NextStepKind.SCHEDULED,
        )
        if connected:
            if self.rng.random() < 0.4:
                interaction.learned = "Budget is set in January; the owner signs."
            for factor in QUALITY:
                setattr(interaction, factor, self.rng.randint(2, 5))
        if advance:
            self.promise(contact, deal, interaction, Party.PROSPECT, when)
        return interaction

    def _verdict(self, advance: bool) -> ObjectiveMet:
        return ObjectiveMet.YES if advance else self.rng.choice(list(ObjectiveMet))

    def _result(self, advance: bool) -> Result:
        if advance:
            return Result.ADVANCE
        return self.rng.choice((Result.CONTINUATION, Result.CONTINUATION, Result.NO_SALE))

    def promise(
        self,
        contact: Contact,
        deal: Deal | None,
        source: Interaction | None,
        party: Party,
        when: datetime,
    ) -> None:
        due = (when + timedelta(days=self.rng.randint(2, 7))).date()
        overdue = due < self.now.date()
        status = CommitmentStatus.OPEN
        if overdue:
            status = self.rng.choices(list(CommitmentStatus), (1, 5, 2))[0]
        texts = PROSPECT_PROMISES if party == Party.PROSPECT else REP_PROMISES
        resolved = None if status == CommitmentStatus.OPEN else when + timedelta(days=6)
        self.db.add(
            Commitment(
                owner_id=self.rep.id,
                contact_id=contact.id,
                deal_id=deal.id if deal else None,
                interaction=source,
                party=party,
                description=self.rng.choice(texts),
                due_on=due,
                status=status,
                resolved_at=resolved,
            )
        )

    def deal_history(self, deal: Deal) -> None:
        contact = deal.contact
        if contact is None:
            return
        ordered = sorted(
            (s for s in self.stages.values() if s.outcome == StageOutcome.OPEN),
            key=lambda s: s.position,
        )
        target = deal.stage
        steps = (
            [s for s in ordered if s.position < target.position]
            if target.outcome == StageOutcome.OPEN
            else ordered[:4]
        )
        when = deal.created_at
        previous = None
        for stage in [*steps, target]:
            self.db.add(
                DealStageChange(
                    deal_id=deal.id,
                    owner_id=self.rep.id,
                    from_stage_id=previous,
                    to_stage_id=stage.id,
                    changed_at=when,
                )
            )
            previous = stage.id
            for _ in range(self.rng.randint(0, 2)):
                self.logged(
                    contact, deal, when - timedelta(days=self.rng.randint(1, 3)), advance=False
                )
            if stage is not target:
                self.logged(contact, deal, when + timedelta(hours=2), advance=True)
            when = min(when + timedelta(days=self.rng.randint(4, 14)), deal.stage_entered_at)
        if target.outcome == StageOutcome.OPEN and self.rng.random() < 0.8:
            ahead = self.now + timedelta(days=self.rng.randint(0, 6), hours=self.rng.randint(0, 6))
            self.interaction(
                contact,
                deal,
                ahead,
                status=Status.PLANNED,
                reason=Reason.PROPOSAL_FOLLOW_UP
                if target.key in {"proposal", "decision"}
                else None,
            )

    def todays_block(self, contacts: list[Contact]) -> None:
        start = self.now.replace(hour=14, minute=0)
        for index, contact in enumerate(contacts):
            # One row is left without an objective, so the readiness check has work to do.
            objective = "" if index == 3 else self.objective(contact, None, weak_share=0.3)
            when = start + timedelta(minutes=15 * index)
            self.interaction(
                contact,
                None,
                when,
                status=Status.PLANNED,
                objective=objective,
                channel=Channel.PHONE,
            )


def add_history(db: Session, rng: random.Random, rep: User, now: datetime) -> None:
    history = _History(db, rng, rep, now)
    deals = list(db.scalars(select(Deal).where(Deal.owner_id == rep.id).order_by(Deal.id)))
    for deal in deals:
        history.deal_history(deal)
    loose = list(
        db.scalars(
            select(Contact)
            .where(
                Contact.owner_id == rep.id,
                Contact.id.not_in(select(Deal.contact_id).where(Deal.contact_id.is_not(None))),
            )
            .order_by(Contact.id)
        )
    )
    for contact in loose[:20]:
        when = now - timedelta(days=rng.randint(1, 80), hours=rng.randint(0, 8))
        history.logged(contact, None, when, advance=False)
    history.todays_block(loose[20:26] or loose[:6])
    db.flush()
