"""What deal health knows about open deals (``domain.health.DealFacts``), read in a few queries.

Each thousand deals asked about cost the same four queries: the deals with their activity as
kept by ``store.deal_activity``, the stages, the decision makers and the open promises.
Nothing is queried per deal and no interaction is read. Both the health pages (the
deals they show) and ``store.deal_flags`` (the deals whose facts changed) read facts here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, select

from aimfire.domain.contacts import ContactRole, person_name
from aimfire.domain.health import PROPOSAL_STAGE_KEY, DealFacts, Promise, Thresholds, thresholds_for
from aimfire.domain.interactions import CommitmentStatus, Party
from aimfire.domain.pipeline import StageOutcome
from aimfire.store.bulk import id_chunks, one_of
from aimfire.store.models import (
    Commitment,
    Contact,
    Deal,
    DealActivity,
    DealContact,
    PipelineStage,
)


@dataclass(frozen=True, slots=True)
class OpenDeal:
    """An open deal's facts, with the few columns of the deal itself health needs beside them."""

    deal_id: int
    owner_id: int
    value_cents: int
    contact_id: int | None
    facts: DealFacts

    @property
    def reachable(self) -> bool:
        """Someone to get in touch with about it: the deal's contact or a decision maker."""
        return self.contact_id is not None or self.facts.decision_maker_contact_id is not None


def stage_thresholds_of(stage: Any) -> Thresholds:
    """A stage's limits in force: its own where set, the defaults where not."""
    return thresholds_for(
        stage.key,
        max_days_in_stage=stage.max_days_in_stage,
        stall_attempts=stage.stall_attempts,
        stall_days=stage.stall_days,
    )


# Built once: a page judges its deals on every request, and building these statements (and
# matching a new statement's columns to the cached one's) cost more than running them.
_OPEN_DEALS = (
    select(
        Deal.id,
        Deal.owner_id,
        Deal.value_cents,
        Deal.contact_id,
        Deal.stage_id,
        Deal.stage_entered_at,
        Deal.proposal_sent_on,
        Deal.decision_maker_met,
        DealActivity.latest_meeting_at,
        DealActivity.planned,
        DealActivity.last_conversation_at,
        DealActivity.unanswered,
        DealActivity.first_unanswered_at,
    )
    .join(PipelineStage, PipelineStage.id == Deal.stage_id)
    .outerjoin(DealActivity, DealActivity.deal_id == Deal.id)  # no row: no interactions yet
    .where(PipelineStage.outcome == StageOutcome.OPEN, one_of(Deal.id))
    .order_by(Deal.id)
)
_STAGES = select(PipelineStage.__table__)
# Ordered last to first, so the first-named decision maker of each deal is kept.
_DECISION_MAKERS = (
    select(DealContact.deal_id, Contact.id, Contact.first_name, Contact.last_name)
    .join(Contact, Contact.id == DealContact.contact_id)
    .where(one_of(DealContact.deal_id), DealContact.role == ContactRole.DECISION_MAKER)
    .order_by(DealContact.deal_id.desc(), DealContact.id.desc())
)
# The prospect's open promises on each deal, overdue or not: the rules decide when.
_OPEN_PROMISES = (
    select(Commitment.deal_id, Commitment.description, Commitment.due_on, Commitment.contact_id)
    .where(
        one_of(Commitment.deal_id),
        Commitment.party == Party.PROSPECT,
        Commitment.status == CommitmentStatus.OPEN,
    )
    .order_by(Commitment.due_on, Commitment.id)
)


def open_deal_facts(connection: Connection, deal_ids: Collection[int]) -> list[OpenDeal]:
    """The facts of those of ``deal_ids`` that are open deals, by deal id."""
    found: list[OpenDeal] = []
    stages: dict[int, dict[str, Any]] | None = None
    for chunk in id_chunks(sorted(set(deal_ids))):
        # Plain rows through the connection, without the ORM's per-row bookkeeping.
        deals = connection.execute(_OPEN_DEALS, {"ids": chunk}).all()
        if not deals:
            continue
        stages = stages or _stage_facts(connection)
        open_ids = [deal[0] for deal in deals]
        found.extend(
            _facts(
                deals,
                stages,
                _decision_makers(connection, open_ids),
                _open_promises(connection, open_ids),
            )
        )
    return found


def _facts(
    deals: Sequence[Row[Any]],
    stages: dict[int, dict[str, Any]],
    deciders: dict[int, tuple[int, str]],
    promises: dict[int, list[Promise]],
) -> Iterator[OpenDeal]:
    for (
        deal_id,
        owner_id,
        value,
        contact_id,
        stage_id,
        entered_at,
        proposal_sent_on,
        dm_met,
        latest_meeting_at,
        planned,
        last_conversation_at,
        unanswered,
        first_unanswered_at,
    ) in deals:
        decider = deciders.get(deal_id)
        facts = DealFacts(
            **stages[stage_id],
            stage_entered_at=entered_at,
            proposal_sent_on=proposal_sent_on,
            latest_meeting_at=latest_meeting_at,
            next_step_planned=bool(planned),
            unanswered_attempts=unanswered or 0,
            last_conversation_at=last_conversation_at,
            first_unanswered_at=first_unanswered_at,
            decision_maker_identified=decider is not None,
            decision_maker_met=dm_met,
            decision_maker_contact_id=decider[0] if decider else None,
            decision_maker_name=decider[1] if decider else "",
            promises=tuple(promises.get(deal_id, ())),
        )
        yield OpenDeal(deal_id, owner_id, value, contact_id, facts)


def _stage_facts(connection: Connection) -> dict[int, dict[str, Any]]:
    """What each stage says about its deals, worked out once rather than once per deal."""
    stages = connection.execute(_STAGES).all()
    proposal_position = next(
        (stage.position for stage in stages if stage.key == PROPOSAL_STAGE_KEY), None
    )
    return {
        stage.id: {
            "stage_key": stage.key,
            "stage_name": stage.name,
            "stage_position": stage.position,
            "stage_outcome": stage.outcome,
            "thresholds": stage_thresholds_of(stage),
            "proposal_stage_position": proposal_position,
        }
        for stage in stages
    }


def _decision_makers(connection: Connection, deal_ids: list[int]) -> dict[int, tuple[int, str]]:
    rows = connection.execute(_DECISION_MAKERS, {"ids": deal_ids})
    return {deal_id: (cid, person_name(first, last)) for deal_id, cid, first, last in rows}


def _open_promises(connection: Connection, deal_ids: list[int]) -> dict[int, list[Promise]]:
    promises: dict[int, list[Promise]] = {}
    for deal_id, description, due_on, contact_id in connection.execute(
        _OPEN_PROMISES, {"ids": deal_ids}
    ):
        promises.setdefault(deal_id, []).append(Promise(description, due_on, contact_id))
    return promises
