"""Each contact's search text (``store.searchable``) is always its names, email and phone
digits folded afresh, and each account's its name, on both databases: after random edits
through the ORM, and when two people edit the same contact at once."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from aimfire.domain.contacts import phone_digits
from aimfire.services import contacts
from aimfire.services.access import actor_for
from aimfire.services.setup import Database
from aimfire.store.models import Account, Contact, User
from health_support import drift
from support import Personas

NAMES = st.text(alphabet="AaÁáEéÑñÖöZz ßØ'-", min_size=1, max_size=12).filter(str.strip)
EDITS = st.lists(
    st.tuples(st.sampled_from(["first_name", "last_name", "email", "phone", "company"]), NAMES),
    min_size=1,
    max_size=8,
)


def assert_in_step(db: Session) -> None:
    db.flush()
    assert drift(db.connection()) == (set(), set())


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_every_orm_edit_folds_the_search_text_afresh(
    db: Session, personas: Personas, edits: list
) -> None:
    company = Account(owner_id=personas.rita.id, name="Harbor Dental")
    contact = Contact(owner_id=personas.rita.id, first_name="Dana", account=company)
    db.add(contact)
    assert_in_step(db)
    for field, value in edits:
        if field == "phone":
            contact.phone, contact.phone_digits = value, phone_digits(value)
        elif field == "company":
            company.name = value
        else:
            setattr(contact, field, value.strip())
        assert_in_step(db)
    db.rollback()


def _form(contact: Contact, **changes: str) -> contacts.ContactInput:
    fields = {"first_name": contact.first_name, "last_name": contact.last_name, **changes}
    return contacts.ContactInput(**fields)


def _renamed_behind(database: Database, personas: Personas, late: Session) -> tuple[int, Contact]:
    """A contact "Dana Old", loaded by ``late`` and then renamed "Dana Whitfield" elsewhere:
    ``late`` keeps its old copy, as a session keeps the objects it loaded."""
    with database.sessions.begin() as db:
        dana = contacts.ContactInput(first_name="Dana", last_name="Old")
        contact_id = contacts.create_contact(db, actor_for(db, personas.rita), dana).id
    stale = late.get_one(Contact, contact_id)
    late.commit()  # SQLite lets one transaction write at once
    with database.sessions.begin() as early:
        renamed = contacts.ContactInput(first_name="Dana", last_name="Whitfield")
        contacts.update_contact(early, actor_for(early, personas.rita), contact_id, renamed)
    return contact_id, stale


def test_an_edit_made_meanwhile_is_never_left_out_of_the_search_text(
    database: Database, personas: Personas
) -> None:
    with database.sessions() as late:
        contact_id, stale = _renamed_behind(database, personas, late)
        rita = actor_for(late, late.get_one(User, personas.rita.id))
        # The late editor's form still shows "Old"; its email change is saved with it.
        contacts.update_contact(late, rita, contact_id, _form(stale, email="dana@example.com"))
        late.commit()
    with database.sessions() as check:
        assert drift(check.connection()) == (set(), set())


def test_archiving_with_an_old_copy_keeps_the_search_text_of_the_names_stored(
    database: Database, personas: Personas
) -> None:
    with database.sessions() as late:
        contact_id, _ = _renamed_behind(database, personas, late)
        rita = actor_for(late, late.get_one(User, personas.rita.id))
        contacts.set_contact_archived(late, rita, contact_id, archived=True)
        late.commit()
    with database.sessions() as check:
        assert check.get_one(Contact, contact_id).search_text == "dana whitfield"
        assert drift(check.connection()) == (set(), set())
