"""Logged history written straight into the tables, for the accountability tests.

The interaction services belong to another area; these tests only need rows to count, so
they write them with the models, the way an import would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aimfire.store.models import (
    Commitment,
    Contact,
    Deal,
    DealStageChange,
    Interaction,
    PipelineStage,
    User,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


class History:
    """Rows for one rep: interactions, deals, stage moves and promises."""

    def __init__(self, db: Session, owner: User) -> None:
        self.db, self.owner = db, owner
        self.stages = {s.key: s for s in db.scalars(select(PipelineStage))}
        self.contact = Contact(owner_id=owner.id, first_name="Dana", last_name=owner.name)
        db.add(self.contact)
        db.flush()

    def interaction(
        self,
        logged_at: datetime,
        *,
        channel: str = "phone",
        reached: str = "connected",
        result: str | None = "continuation",
        objective_met: str | None = None,
        status: str = "done",
        deal: Deal | None = None,
        **quality: int,
    ) -> Interaction:
        row = Interaction(
            owner_id=self.owner.id,
            contact_id=self.contact.id,
            deal_id=deal.id if deal else None,
            channel=channel,
            objective="Learn who decides and by when",
            scheduled_at=logged_at - timedelta(minutes=30),
            status=status,
            reached=reached if status == "done" else None,
            result=result if status == "done" else None,
            objective_met=objective_met,
            logged_at=logged_at if status == "done" else None,
            **quality,
        )
        self.db.add(row)
        self.db.flush()
        return row

    def deal(
        self,
        value: int,
        stage: str = "new",
        *,
        proposal_sent_on: date | None = None,
        closed_at: datetime | None = None,
        title: str = "Suite for the season",
    ) -> Deal:
        row = Deal(
            owner_id=self.owner.id,
            title=title,
            contact_id=self.contact.id,
            value_cents=value * 100,
            stage_id=self.stages[stage].id,
            proposal_sent_on=proposal_sent_on,
            closed_at=closed_at,
        )
        self.db.add(row)
        self.db.flush()
        return row

    def won(self, value: int, closed_at: datetime) -> Deal:
        return self.deal(value, "won", closed_at=closed_at)

    def move(self, deal: Deal, from_stage: str | None, to_stage: str, at: datetime) -> None:
        self.db.add(
            DealStageChange(
                deal_id=deal.id,
                owner_id=self.owner.id,
                from_stage_id=self.stages[from_stage].id if from_stage else None,
                to_stage_id=self.stages[to_stage].id,
                changed_at=at,
            )
        )
        self.db.flush()

    def promise(
        self, status: str, resolved_at: datetime | None, *, party: str = "prospect"
    ) -> Commitment:
        row = Commitment(
            owner_id=self.owner.id,
            contact_id=self.contact.id,
            party=party,
            description="Talk to the CFO",
            due_on=(resolved_at or utc(2025, 1, 1)).date(),
            status=status,
            resolved_at=resolved_at,
        )
        self.db.add(row)
        self.db.flush()
        return row
