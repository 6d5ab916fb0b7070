"""Writers for deals and for interaction history (plans, outcomes and promises)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from aimfire.domain.csv_mapping import Kind
from aimfire.domain.csv_values import (
    CHANNEL_SYNONYMS,
    COMMITMENT_STATUS_SYNONYMS,
    DEAL_STATUS_SYNONYMS,
    NEXT_STEP_SYNONYMS,
    OBJECTIVE_MET_SYNONYMS,
    PARTY_SYNONYMS,
    REACHED_SYNONYMS,
    REASON_SYNONYMS,
    RESULT_SYNONYMS,
    STATUS_SYNONYMS,
    match_choice,
    match_stage,
    parse_bool,
    parse_int,
    parse_minutes,
    parse_money_cents,
)
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
from aimfire.services.import_writers import (
    ACCOUNT_NAMES,
    CONTACT_KEYS,
    ContactFinder,
    ContactRef,
    ImportContext,
    Pending,
    Writer,
    text,
    who_from,
)
from aimfire.services.pipeline import list_stages
from aimfire.store import deal_summaries, rep_days
from aimfire.store.models import Commitment, Deal, DealContact, DealStageChange, Interaction

MAX_VALUE_CENTS = 10**14  # the same ceiling as a deal typed in by hand


class DealWriter(Writer):
    kind = Kind.DEALS
    looked_up = (*CONTACT_KEYS, *ACCOUNT_NAMES)

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.stages = list_stages(ctx.db)
        self.by_key = {stage.key: stage for stage in self.stages}
        self.pairs = [(stage.key, stage.name) for stage in self.stages]
        self.deal_ids: list[int] = []  # deals created: their flag days are worked out

    def _stage_for(self, values: dict[str, str]) -> Any:
        status = None
        if "status" in values:
            status = match_choice(values["status"], StageOutcome, DEAL_STATUS_SYNONYMS)
        stage = None
        if "stage" in values:
            key = match_stage(values["stage"], self.pairs)
            if key is None:
                names = ", ".join(stage.name for stage in self.stages)
                raise ValueError(f"'{values['stage']}' is not a stage here (stages: {names})")
            stage = self.by_key[key]
        if status and (stage is None or stage.outcome != status):
            if status == StageOutcome.OPEN and stage is not None:
                raise ValueError(f"The stage '{stage.name}' is closed but the status is open")
            stage = next((s for s in self.stages if s.outcome == status), None)
            if stage is None:
                raise ValueError(f"The pipeline has no {status} stage")
        stage = stage or next((s for s in self.stages if s.outcome == StageOutcome.OPEN), None)
        if stage is None:
            raise ValueError("The pipeline has no open stage; ask an admin to add one")
        return stage

    def convert(self, values: dict[str, str], custom: dict[str, str]) -> dict[str, Any]:
        ctx = self.ctx
        title = text(values, "title", 200, "The title")
        if not title:
            raise ValueError("A deal needs a title")
        value = parse_money_cents(values["value"]) if "value" in values else 0
        if not 0 <= value <= MAX_VALUE_CENTS:
            raise ValueError(f"The value {values['value']} is below zero or too large")
        stage = self._stage_for(values)
        closed = stage.outcome != StageOutcome.OPEN
        expected = ctx.day(values.get("expected_close_on"))
        closed_at = ctx.when(values.get("closed_at"))
        if "close_date" in values:
            if closed:
                closed_at = closed_at or ctx.when(values["close_date"])
            else:
                expected = expected or ctx.day(values["close_date"])
        closed_at = (closed_at or ctx.now) if closed else None
        met = parse_bool(values["decision_maker_met"]) if "decision_maker_met" in values else False
        who = who_from(values, required=False)
        company = text(values, "company", 200, "The company name")
        if not who and not company:
            raise ValueError("A deal needs a contact or a company")
        row = {
            "owner_id": ctx.actor.id,
            "title": title,
            "value_cents": value,
            "stage_id": stage.id,
            "stage_entered_at": closed_at or ctx.now,
            "decision_maker_met": met,
            "proposal_sent_on": ctx.day(values.get("proposal_sent_on")),
            "expected_close_on": None if closed else expected,
            "closed_at": closed_at,
            "notes": text(values, "notes", 20_000, "Notes"),
            "custom_fields": custom,
            "created_at": ctx.when(values.get("created_at")) or ctx.now,
            "updated_at": ctx.now,
        }
        return {"row": row, "who": who, "company": company}

    def write(self, batch: list[Pending]) -> None:
        ctx = self.ctx
        finder = ContactFinder(ctx, batch)
        kept: list[tuple[Pending, ContactRef | None]] = []
        for pending in batch:
            try:
                who = pending.data["who"]
                kept.append((pending, finder.find(who) if who else None))
            except ValueError as error:
                ctx.reject(pending, str(error))
        account_ids = ctx.account_ids(p.data["company"] for p, _ in kept)
        rows = []
        for pending, contact in kept:
            row = pending.data["row"]
            company = pending.data["company"]
            row["contact_id"] = contact.id if contact else None
            row["account_id"] = account_ids[company.casefold()] if company else None
            if row["account_id"] is None and contact is not None:
                row["account_id"] = contact.account_id
            rows.append(row)
        if not rows:
            return
        returning = insert(Deal.__table__).returning(
            Deal.__table__.c.id, sort_by_parameter_order=True
        )
        ids = list(ctx.db.execute(returning, rows).scalars())
        self.deal_ids.extend(ids)
        changes = [
            {
                "deal_id": deal_id,
                "owner_id": ctx.actor.id,
                "from_stage_id": None,
                "to_stage_id": row["stage_id"],
                "changed_at": row["stage_entered_at"],
            }
            for deal_id, row in zip(ids, rows, strict=True)
        ]
        ctx.db.execute(insert(DealStageChange.__table__), changes)
        people = [
            {"deal_id": deal_id, "contact_id": contact.id, "role": contact.role}
            for deal_id, (_, contact) in zip(ids, kept, strict=True)
            if contact is not None and contact.role
        ]
        if people:
            ctx.db.execute(insert(DealContact.__table__), people)
        ctx.counts.created += len(rows)

    def finish(self) -> None:
        deal_summaries.refresh_flags(self.ctx.db.connection(), self.deal_ids)


OUTCOME_FIELDS = (
    "reached",
    "objective_met",
    "result",
    "learned",
    "actual_minutes",
    "logged_at",
    "tonality",
    "emotional_engagement",
    "business_relevance",
    "personal_relevance",
    "depth_of_engagement",
    "next_step",
    "no_next_step_reason",
)
QUALITY = OUTCOME_FIELDS[6:11]
CHOICES: dict[str, tuple[Any, dict[str, str]]] = {
    "reason": (Reason, REASON_SYNONYMS),
    "channel": (Channel, CHANNEL_SYNONYMS),
    "reached": (Reached, REACHED_SYNONYMS),
    "objective_met": (ObjectiveMet, OBJECTIVE_MET_SYNONYMS),
    "result": (Result, RESULT_SYNONYMS),
    "next_step": (NextStepKind, NEXT_STEP_SYNONYMS),
}
TEXTS = {
    "objective": (2000, "The objective"),
    "learning_questions": (4000, "The learning questions"),
    "best_outcome": (2000, "The best outcome"),
    "minimum_outcome": (2000, "The minimum outcome"),
    "learned": (20_000, "What was learned"),
    "no_next_step_reason": (2000, "Why there is no next step"),
}


class InteractionWriter(Writer):
    kind = Kind.INTERACTIONS
    looked_up = (*CONTACT_KEYS, Deal.__table__.c.owner_id, Deal.__table__.c.title)

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.deal_ids: set[int] = set()  # deals given interactions: their activity is rebuilt
        self.logged: set[datetime] = set()  # when the rep logged them: those days are recounted

    def convert(self, values: dict[str, str], custom: dict[str, str]) -> dict[str, Any]:
        ctx = self.ctx
        who = who_from(values, required=True)
        scheduled = ctx.when(values.get("scheduled_at"))
        if scheduled is None:
            raise ValueError("An interaction needs its date")
        row: dict[str, Any] = {
            name: match_choice(values[name], *CHOICES[name]) if name in values else None
            for name in CHOICES
        }
        row |= {name: text(values, name, *TEXTS[name]) for name in TEXTS}
        for name in QUALITY:
            row[name] = parse_int(values[name], 1, 5, "rating") if name in values else None
        for name in ("planned_minutes", "actual_minutes"):
            row[name] = parse_minutes(values[name]) if name in values else None
        has_outcome = any(name in values for name in OUTCOME_FIELDS)
        if "status" in values:
            status = match_choice(values["status"], Status, STATUS_SYNONYMS)
        else:
            status = Status.DONE if has_outcome or scheduled <= ctx.now else Status.PLANNED
        if status == Status.PLANNED and has_outcome:
            raise ValueError("A planned interaction has no outcome yet; its status is done")
        logged = ctx.when(values.get("logged_at")) or (scheduled if status == Status.DONE else None)
        row |= {
            "owner_id": ctx.actor.id,
            "type_id": None,
            "objective_label": check_objective(row["objective"], channel=row["channel"]).label,
            "scheduled_at": scheduled,
            "status": status,
            "follows_commitment_id": None,
            "answers": [],
            "logged_at": logged,
            "next_interaction_id": None,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        }
        return {
            "row": row,
            "who": who,
            "deal": values.get("deal_title", ""),
            "promise": self._promise(values, logged or ctx.now),
        }

    def _promise(self, values: dict[str, str], when: Any) -> dict[str, Any] | None:
        if "commitment" not in values:
            if "commitment_due_on" in values or "commitment_status" in values:
                raise ValueError("Say what was promised, not only its date or status")
            return None
        due = self.ctx.day(values.get("commitment_due_on"))
        if due is None:
            raise ValueError("A commitment needs a due date")
        status = CommitmentStatus.OPEN
        if "commitment_status" in values:
            word = values["commitment_status"]
            status = CommitmentStatus(
                match_choice(word, CommitmentStatus, COMMITMENT_STATUS_SYNONYMS)
            )
        party = Party.PROSPECT
        if "commitment_party" in values:
            party = Party(match_choice(values["commitment_party"], Party, PARTY_SYNONYMS))
        return {
            "party": party,
            "description": text(values, "commitment", 1000, "The commitment"),
            "due_on": due,
            "status": status,
            "resolved_at": None if status == CommitmentStatus.OPEN else when,
            "created_at": self.ctx.now,
            "updated_at": self.ctx.now,
        }

    def _deals(self, batch: list[Pending]) -> dict[str, list[tuple[int, int | None]]]:
        titles = {p.data["deal"].casefold() for p in batch if p.data["deal"]}
        if not titles:
            return {}
        table = Deal.__table__
        query = (
            select(table.c.id, table.c.contact_id, table.c.title)
            .where(table.c.owner_id == self.ctx.actor.id)
            .where(func.lower(table.c.title).in_([t.lower() for t in titles]))
            .order_by(table.c.id)
        )
        found: dict[str, list[tuple[int, int | None]]] = {}
        for deal_id, contact_id, title in self.ctx.db.execute(query):
            found.setdefault(title.casefold(), []).append((deal_id, contact_id))
        return found

    def _deal_id(self, title: str, contact: ContactRef, deals: dict[str, list[Any]]) -> int | None:
        if not title:
            return None
        candidates = deals.get(title.casefold(), [])
        if len(candidates) > 1:
            candidates = [c for c in candidates if c[1] == contact.id]
        if len(candidates) == 1:
            deal_id: int = candidates[0][0]
            return deal_id
        if not candidates:
            raise ValueError(f"No deal called '{title}' in your book")
        raise ValueError(f"Several of your deals are called '{title}'")

    def write(self, batch: list[Pending]) -> None:
        ctx = self.ctx
        finder = ContactFinder(ctx, batch)
        deals = self._deals(batch)
        rows, promises = [], []
        for pending in batch:
            try:
                contact = finder.find(pending.data["who"])
                deal_id = self._deal_id(pending.data["deal"], contact, deals)
            except ValueError as error:
                ctx.reject(pending, str(error))
                continue
            row = pending.data["row"] | {"contact_id": contact.id, "deal_id": deal_id}
            rows.append(row)
            promises.append(pending.data["promise"])
        if not rows:
            return
        table = Interaction.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(ctx.db.execute(statement, rows).scalars())
        self.deal_ids.update(row["deal_id"] for row in rows if row["deal_id"] is not None)
        self.logged.update(row["logged_at"] for row in rows if row["logged_at"])
        commitments = [
            promise
            | {
                "owner_id": ctx.actor.id,
                "contact_id": row["contact_id"],
                "deal_id": row["deal_id"],
                "interaction_id": interaction_id,
            }
            for interaction_id, row, promise in zip(ids, rows, promises, strict=True)
            if promise is not None
        ]
        if commitments:
            ctx.db.execute(insert(Commitment.__table__), commitments)
        ctx.counts.created += len(rows)

    def finish(self) -> None:
        connection = self.ctx.db.connection()
        deal_summaries.refresh(connection, self.deal_ids)
        rep_days.refresh(connection, self.ctx.actor.id, self.logged)
