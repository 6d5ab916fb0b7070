"""The summaries kept beside each deal (its activity, the first day each health rule flags it)
always equal what is worked out afresh from the records they summarise.

Random edits through the ORM are checked after every flush, on both databases: to
interactions (new ones, outcomes logged, moved to another deal or off every deal, deleted),
and to everything else the flags read (the deal's stage, value, contact, proposal and
decision maker met; its promises; its decision makers; a stage's limits; the owner's time
zone). The writers that bypass the ORM (history and deal imports, the demo's staged problems)
are checked after they run; restore in ``test_export_restore``, concurrent writers in
``test_concurrent_writers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aimfire.domain.interactions import Channel, Reached
from aimfire.services.access import actor_for
from aimfire.services.demo import load_demo
from aimfire.services.imports import ImportOptions, run_import
from aimfire.store.models import (
    Commitment,
    Deal,
    DealActivity,
    DealContact,
    DealFlagDays,
    Interaction,
    PipelineStage,
    User,
)
from health_support import NOW, contact, deal, drift
from support import Personas


def assert_in_step(db: Session) -> None:
    db.flush()
    assert drift(db.connection()) == (set(), set())


@dataclass(frozen=True)
class Edit:
    kind: str  # add | log | move | delete
    pick: int  # which interaction (modulo how many there are) or deal
    hours: int
    channel: str
    reached: str
    done: bool


EDITS = st.builds(
    Edit,
    kind=st.sampled_from(["add", "add", "log", "move", "delete"]),
    pick=st.integers(0, 50),
    hours=st.integers(-24 * 30, 24 * 10),
    channel=st.sampled_from([c.value for c in Channel]),
    reached=st.sampled_from([r.value for r in Reached]),
    done=st.booleans(),
)


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(EDITS, min_size=1, max_size=25))
def test_every_orm_edit_keeps_the_activity_in_step(
    db: Session, personas: Personas, edits: list[Edit]
) -> None:
    db.execute(delete(Interaction))
    db.execute(delete(Deal))
    person = contact(db, personas.rita)
    deals: list[Deal | None] = [deal(db, personas.rita, person=person) for _ in range(3)]
    deals.append(None)  # an interaction on no deal
    rows: list[Interaction] = []
    for edit in edits:
        when = NOW + timedelta(hours=edit.hours)
        on = deals[edit.pick % len(deals)]
        if edit.kind == "add" or not rows:
            row = Interaction(
                owner_id=personas.rita.id,
                contact_id=person.id,
                deal=on,
                channel=edit.channel,
                reason="other",
                objective="Learn who signs off",
                scheduled_at=when,
                status="done" if edit.done else "planned",
                reached=edit.reached if edit.done else None,
                logged_at=when if edit.done else None,
            )
            db.add(row)
            rows.append(row)
        elif edit.kind == "log":
            row = rows[edit.pick % len(rows)]
            row.status, row.reached, row.logged_at = "done", edit.reached, when
        elif edit.kind == "move":
            rows[edit.pick % len(rows)].deal = on
        else:
            db.delete(rows.pop(edit.pick % len(rows)))
        assert_in_step(db)
    db.rollback()


@dataclass(frozen=True)
class FactEdit:
    kind: str
    pick: int
    number: int
    flag: bool


FACT_KINDS = "stage value contact proposal met promise keep decider undecider limits zone delete"
FACT_EDITS = st.builds(
    FactEdit,
    kind=st.sampled_from(FACT_KINDS.split()),
    pick=st.integers(0, 50),
    number=st.integers(-40, 40),
    flag=st.booleans(),
)
ZONES = ("UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata")


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(FACT_EDITS, min_size=1, max_size=25))
def test_every_orm_edit_of_a_deals_facts_keeps_its_flag_days_in_step(
    db: Session, personas: Personas, edits: list[FactEdit]
) -> None:
    people = [contact(db, personas.rita, name) for name in ("Ana", "Ben")]
    deals = [deal(db, personas.rita, person=people[n % 2]) for n in range(3)]
    stages = list(db.scalars(select(PipelineStage).order_by(PipelineStage.position)))
    assert_in_step(db)
    for edit in edits:
        on = deals[edit.pick % len(deals)] if deals else None
        person = people[edit.pick % len(people)]
        day = NOW.date() + timedelta(days=edit.number)
        if on is None or edit.kind == "delete":
            if on is not None:
                deals.remove(on)
                db.delete(on)
            deals.append(deal(db, personas.rita, person=person))
        elif edit.kind == "stage":  # an open stage, or won or lost
            on.stage_id = stages[edit.pick % len(stages)].id
            on.stage_entered_at = NOW + timedelta(days=edit.number)
        elif edit.kind == "value":
            on.value_cents = abs(edit.number) * 10_000
        elif edit.kind == "contact":
            on.contact_id = person.id if edit.flag else None
        elif edit.kind == "proposal":
            on.proposal_sent_on = day if edit.flag else None
        elif edit.kind == "met":
            on.decision_maker_met = edit.flag
        elif edit.kind == "promise":
            db.add(
                Commitment(
                    owner_id=personas.rita.id, contact_id=person.id, deal_id=on.id,
                    party="prospect" if edit.flag else "rep", description="Send the plan",
                    due_on=day, status="open",
                )
            )  # fmt: skip
        elif edit.kind == "keep":
            for kept in db.scalars(select(Commitment).where(Commitment.deal_id == on.id)):
                kept.status = "kept" if edit.flag else "open"
                kept.due_on = day
        elif edit.kind == "decider":
            named = db.scalar(
                select(DealContact).where(
                    DealContact.deal_id == on.id, DealContact.contact_id == person.id
                )
            )
            if named is None:
                db.add(DealContact(deal_id=on.id, contact_id=person.id, role="decision_maker"))
            else:
                named.role = "decision_maker"
        elif edit.kind == "undecider":
            for named in db.scalars(select(DealContact).where(DealContact.deal_id == on.id)):
                if edit.flag:
                    db.delete(named)
                else:
                    named.role = "influencer"
        elif edit.kind == "limits":
            chosen = stages[edit.pick % len(stages)]
            chosen.max_days_in_stage = abs(edit.number) + 1 if edit.flag else None
            chosen.stall_days = abs(edit.number) + 1
        else:
            owner = db.get(User, personas.rita.id)
            assert owner is not None
            owner.time_zone = ZONES[edit.pick % len(ZONES)]
        assert_in_step(db)
    db.rollback()


def test_a_deal_with_no_interactions_left_has_no_activity(db: Session, personas: Personas) -> None:
    on = deal(db, personas.rita)
    row = Interaction(
        owner_id=on.owner_id,
        contact_id=on.contact_id,
        deal_id=on.id,
        channel="phone",
        reason="other",
        objective="Learn who signs off",
        scheduled_at=NOW,
    )
    db.add(row)
    db.flush()
    assert db.get(DealActivity, on.id) is not None
    row.deal_id = None
    assert_in_step(db)
    assert db.scalar(select(func.count()).select_from(DealActivity)) == 0


def test_the_demo_is_in_step(db: Session) -> None:
    load_demo(db)
    assert db.scalar(select(func.count()).select_from(DealActivity))
    assert_in_step(db)


def test_a_history_import_is_in_step(db: Session, personas: Personas, tmp_path: Path) -> None:
    actor = actor_for(db, personas.rita)
    deal(db, personas.rita, title="Box for twelve", person=contact(db, personas.rita, "Ana"))
    deal(db, personas.rita, title="Suite renewal", person=contact(db, personas.rita, "Ben"))
    path = tmp_path / "history.csv"
    path.write_text(
        "Contact,Deal,Date,Channel,Outcome,Objective\n"
        "Ana Whitfield,Box for twelve,2026-11-02 10:00,phone,no answer,Learn who signs off\n"
        "Ana Whitfield,Box for twelve,2026-11-03 10:00,meeting,connected,Learn who signs off\n"
        "Ben Whitfield,Suite renewal,2026-11-04 10:00,phone,voicemail,Learn who signs off\n",
        encoding="utf-8",
    )
    report = run_import(db, actor, path, ImportOptions(kind="interactions"))
    assert report.counts.created == 3, report.problems
    assert db.scalar(select(func.count()).select_from(DealActivity)) == 2
    assert_in_step(db)


def test_a_deals_import_is_in_step(db: Session, personas: Personas, tmp_path: Path) -> None:
    actor = actor_for(db, personas.rita)
    contact(db, personas.rita, "Ana", email="ana@example.com")
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal Name,Amount,Deal Stage,Contact email,Create Date\n"
        "Box for twelve,12000,Proposal,ana@example.com,2026-09-01\n"
        "Suite renewal,48000,Qualified,ana@example.com,2026-10-01\n",
        encoding="utf-8",
    )
    report = run_import(db, actor, path, ImportOptions(kind="deals"))
    assert report.counts.created == 2, report.problems
    assert db.scalar(select(func.count()).select_from(DealFlagDays)) == 2
    assert_in_step(db)
