"""Reading by id and paging with statements built once: ``store.names`` and
``services.paging.Paged``, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from aimfire.services.paging import Paged, paginate
from aimfire.store import bulk
from aimfire.store.models import Contact, Deal, PipelineStage
from aimfire.store.names import contact_names, deal_titles
from support import Personas, counting


def test_names_and_titles_are_read_by_id_however_many_are_asked_for(
    db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "IDS_PER_STATEMENT", 2)  # five ids: three statements
    people = [Contact(owner_id=personas.rita.id, first_name=f"Ana {n}") for n in range(4)]
    people.append(Contact(owner_id=personas.rita.id, first_name="Zoë", last_name="Müller"))
    db.add_all(people)
    db.flush()
    stage = db.scalars(select(PipelineStage).order_by(PipelineStage.position)).first()
    assert stage is not None
    deals = [
        Deal(owner_id=personas.rita.id, title=f"Deal {n}", contact_id=p.id, stage_id=stage.id)
        for n, p in enumerate(people)
    ]
    db.add_all(deals)
    db.flush()

    asked = [p.id for p in people] + [None, people[0].id]  # no contact, and one twice
    with counting(db) as statements:
        names = contact_names(db, asked)
    assert len(statements) == 3, statements
    assert names == {
        **{p.id: f"Ana {n}" for n, p in enumerate(people[:4])},
        people[4].id: "Zoë Müller",
    }
    assert deal_titles(db, [d.id for d in deals]) == {d.id: d.title for d in deals}
    assert deal_titles(db, [None]) == {} and contact_names(db, []) == {}


def test_a_query_built_once_takes_its_values_and_a_page_past_the_end_is_the_last(
    db: Session, personas: Personas
) -> None:
    for owner, count in ((personas.rita, 5), (personas.ben, 2)):
        db.add_all(Contact(owner_id=owner.id, first_name=f"P{n}") for n in range(count))
    db.flush()
    book = Paged.of(
        select(Contact.first_name)
        .where(Contact.owner_id == bindparam("owner"))
        .order_by(Contact.first_name)
    )

    ritas = paginate(db, book, 2, 2, {"owner": personas.rita.id})
    assert (ritas.items, ritas.total, ritas.page, ritas.pages) == (["P2", "P3"], 5, 2, 3)
    last = paginate(db, book, 9, 2, {"owner": personas.rita.id})
    assert (last.items, last.page) == (["P4"], 3)
    bens = paginate(db, book, 1, 50, {"owner": personas.ben.id})
    assert (bens.items, bens.total) == (["P0", "P1"], 2)


def test_one_statement_text_reads_any_number_of_ids(db: Session, personas: Personas) -> None:
    """The ids go as one parameter (an array on PostgreSQL, a JSON array on SQLite), so the
    driver and the server prepare and plan the statement once; it still reads by key."""
    db.add_all(Contact(owner_id=personas.rita.id, first_name=f"P{n}") for n in range(5))
    db.flush()
    ids = list(db.scalars(select(Contact.id).order_by(Contact.id)))
    texts = []
    for count in (1, 5):
        with counting(db) as statements:
            assert len(contact_names(db, ids[:count])) == count
        texts.extend(statements)
    assert len(texts) == 2 and texts[0] == texts[1]
    if db.get_bind().dialect.name == "sqlite":
        plan = db.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {texts[0]}", ("[1]",)).all()
        assert any("USING INTEGER PRIMARY KEY" in str(step) for step in plan), plan
