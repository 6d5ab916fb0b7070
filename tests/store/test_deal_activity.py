"""The deal activity kept beside each deal always equals a fresh summary of its interactions.

Random edits to interactions through the ORM (new ones, outcomes logged, moved to another
deal or off every deal, deleted) are checked after every flush, on both databases; the writers
that bypass the ORM (history import, the demo's staged problems) are checked after they run;
restore is checked in ``test_export_restore``.
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
from aimfire.store.models import Deal, DealActivity, Interaction
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
