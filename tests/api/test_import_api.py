from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from httpx2 import Response
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.services import import_contacts, import_writers, imports
from aimfire.services.import_contacts import KnownKeys
from aimfire.store.models import Account, Commitment, Contact, Deal, DealStageChange, Interaction
from health_support import drift
from support import Api, Personas, assert_error, counting

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
LOOKUP = "SELECT contacts.id, "  # an import's look-up of contacts by email or phone


def upload(api: Api, path: str, content: bytes | str, **form: object) -> Response:
    raw = content.encode() if isinstance(content, str) else content
    fields = {k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in form.items()}
    return api.client.post(
        f"/api/v1{path}",
        files={"file": ("upload.csv", raw, "text/csv")},
        data=fields,
        headers=api.headers,
    )


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def contacts_of(db: Session, owner_id: int) -> list[Contact]:
    db.rollback()  # see what the app committed
    query = select(Contact).where(Contact.owner_id == owner_id).order_by(Contact.id)
    return list(db.scalars(query))


def count(db: Session, model: type) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_importing_requires_authentication(client: TestClient) -> None:
    response = client.post(
        "/api/v1/imports/contacts", files={"file": ("a.csv", b"First name\nDana\n", "text/csv")}
    )
    assert_error(response, 401)


def test_a_hubspot_contacts_export_imports_cleanly_with_its_preset(
    rita: Api, db: Session, personas: Personas
) -> None:
    response = upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"), preset="hubspot")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["bad"]) == (6, 6, 0)
    assert report["accounts_created"] == 6
    assert report["mapping"]["Record ID"] == "custom"
    people = {c.email or c.first_name: c for c in contacts_of(db, personas.rita.id)}
    dana = people["dana.whitfield@harbordental.example"]
    assert (dana.first_name, dana.last_name, dana.title) == ("Dana", "Whitfield", "Office Manager")
    assert dana.phone_digits == "15550102030"
    assert dana.source == "referral"
    assert dana.account is not None and dana.account.name == "Harbor Dental Group"
    assert dana.custom_fields == {
        "Record ID": "51001",
        "Lifecycle Stage": "Lead",
        "Contact owner": "rita@example.com",
    }
    assert dana.created_at == datetime(2025, 11, 3, 9, 15, tzinfo=UTC)
    assert people["tobias@oakiron.example"].last_name == "Krämer"
    assert people["Owen"].email == "" and people["Owen"].source == "event"


def test_a_salesforce_contacts_report_imports_cleanly_with_its_preset(
    rita: Api, db: Session, personas: Personas
) -> None:
    response = upload(
        rita, "/imports/contacts", sample("salesforce_contacts.csv"), preset="salesforce"
    )
    report = response.json()
    assert (report["rows"], report["created"], report["bad"]) == (4, 4, 0), report
    people = {c.last_name: c for c in contacts_of(db, personas.rita.id)}
    assert people["Marsh"].created_at.date() == date(2025, 3, 14)  # month first, as written
    assert people["Lindqvist"].phone == "(555) 020-3300"  # the mobile when there is no phone
    assert people["Moreno-Díaz"].source == "cold"
    assert people["Achebe"].account is not None
    assert people["Achebe"].account.name == "Greenway Landscaping"
    assert people["Marsh"].custom_fields["Contact ID"] == "0035g00000AbCdE1"


def test_every_bad_row_is_reported_by_line_and_none_is_written(
    rita: Api, db: Session, personas: Personas
) -> None:
    report = upload(rita, "/imports/contacts", sample("contacts_with_bad_rows.csv")).json()
    assert (report["rows"], report["created"], report["bad"]) == (5, 2, 3)
    assert report["problems"] == [
        {"line": 3, "reason": "A contact needs a first name"},
        {"line": 4, "reason": "'not-an-email' is not an email address"},
        {"line": 5, "reason": "'2026-02-30' is not a real date"},
    ]
    names = {c.first_name for c in contacts_of(db, personas.rita.id)}
    assert names == {"Lena", "Yusuf"}
    assert count(db, Account) == 2  # no account was made for a bad row's company


@pytest.mark.parametrize("batch_size", [2, 2000])
def test_a_row_is_refused_for_its_first_problem_and_problems_come_in_file_order(
    rita: Api, db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", batch_size)
    text = (
        "First name,Last name,Full name,Email,Source,Created\n"
        f"{'A' * 81},Ok,,not-an-email,,\n"  # a long name, checked before the email
        ',,"Whitfield, Dana",dana@x.example,Trade show,2026-01-05\n'
        "Kai,B,,kai@x.example,,2026-01-06,more\n"
        ",,,,,\n"
        ",Nameless,,nameless@x.example,,2026-13-01\n"  # no first name, checked before the date
        "Mo,,,mo@x.example,,2026-13-01\n"
        "Zed,,,zed@x.example,Carrier pigeon,\n"
    )
    report = upload(rita, "/imports/contacts", text).json()
    assert (report["rows"], report["created"], report["bad"]) == (6, 2, 4)
    assert [(p["line"], p["reason"][:40]) for p in report["problems"]] == [
        (2, "The first name is longer than 80 charact"),
        (4, "The row has 7 values but the header has "),
        (6, "A contact needs a first name"),
        (7, "'2026-13-01' is not a real date"),
    ]
    dana, zed = contacts_of(db, personas.rita.id)
    assert (dana.first_name, dana.last_name, dana.source) == ("Dana", "Whitfield", "event")
    assert (zed.source, zed.custom_fields) == ("other", {"Source": "Carrier pigeon"})


def test_a_long_import_refreshes_postgresql_statistics_before_looking_up_a_book_twice_as_big(
    rita: Api, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    monkeypatch.setattr(import_contacts, "HELD_ROWS", 2)
    postgresql = db.get_bind().dialect.name == "postgresql"
    new = "".join(f"Ana{n},ana{n}@x.example\n" for n in range(20))
    with counting(db) as statements:
        report = upload(rita, "/imports/contacts", "First name,Email\n" + new).json()
    assert report["created"] == 20
    analysed = [s for s in statements if s.startswith("ANALYZE")]
    # Nothing was looked up, so nothing was planned: PostgreSQL's COPY went on undisturbed.
    assert analysed == ([] if postgresql else ["ANALYZE"])  # SQLite: the book, as it ends
    pairs = "".join(f"Bo{n},bo{n // 2}@x.example\n" for n in range(20))  # a lookup a batch
    with counting(db) as statements:
        report = upload(rita, "/imports/contacts", "First name,Email\n" + pairs).json()
    assert (report["created"], report["skipped"]) == (10, 10)
    analysed = [s for s in statements if s.startswith("ANALYZE")]
    if postgresql:  # before the first lookup after 4 rows, 8 and 16
        targets = "contacts (owner_id, email, phone_digits), accounts (owner_id, name)"
        assert analysed == [f"ANALYZE (SKIP_LOCKED) {targets}"] * 3
    else:
        assert analysed == ["ANALYZE"]


def test_an_import_on_sqlite_leaves_the_planner_knowing_the_books_new_size(
    rita: Api, db: Session
) -> None:
    rows = "".join(f"Ana{n},ana{n}@x.example\n" for n in range(30))
    assert upload(rita, "/imports/contacts", "First name,Email\n" + rows).json()["created"] == 30
    db.rollback()
    if db.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's autovacuum keeps its own statistics
    query = text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_contacts_owner_email'")
    assert db.scalar(query).startswith("30 ")


def test_a_dry_run_reports_the_same_and_writes_nothing(rita: Api, db: Session) -> None:
    report = upload(
        rita, "/imports/contacts", sample("contacts_with_bad_rows.csv"), dry_run="true"
    ).json()
    assert report["dry_run"] is True
    assert (report["created"], report["bad"], report["accounts_created"]) == (2, 3, 2)
    assert count(db, Contact) == 0 and count(db, Account) == 0


def test_duplicates_by_email_or_phone_are_skipped_or_updated_as_asked(
    rita: Api, db: Session, personas: Personas
) -> None:
    upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"))
    again = upload(rita, "/imports/contacts", sample("hubspot_contacts.csv")).json()
    assert (again["created"], again["skipped"], again["updated"]) == (0, 6, 0)
    changed = (
        "First Name,Last Name,Email,Phone,Job Title\n"
        "Dana,Whitfield,DANA.WHITFIELD@harbordental.example,,Practice Manager\n"
        "Owen,C.,,555 010 3321,Head of Facilities\n"
        "New,Person,new@example.com,,\n"
    )
    report = upload(rita, "/imports/contacts", changed, on_duplicate="update").json()
    assert (report["created"], report["updated"], report["skipped"]) == (1, 2, 0)
    people = {c.first_name: c for c in contacts_of(db, personas.rita.id)}
    assert len(people) == 7
    assert people["Dana"].title == "Practice Manager"
    assert people["Dana"].phone == "+1 (555) 010-2030"  # an empty cell keeps what was there
    assert people["Dana"].custom_fields["Record ID"] == "51001"
    assert (people["Owen"].last_name, people["Owen"].title) == ("C.", "Head of Facilities")


@given(st.sets(st.text(max_size=8)), st.sets(st.text(max_size=8)), st.sampled_from([1, 4, 1 << 16]))
def test_known_keys_never_miss_a_key_added(added: set[str], asked: set[str], slots: int) -> None:
    known = KnownKeys(slots)
    known.add(added)
    assert known.mark(asked) >= asked & added
    assert known.mark(added) == added
    assert known.mark([*asked, *asked]) >= asked  # each a second time, whether known or not


def test_a_batch_of_new_contacts_is_not_looked_up_but_a_known_one_is(
    rita: Api, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    fresh = "First name,Email,Phone\n" + "".join(
        f"P{n},p{n}@example.com,555 010 00{n:02d}\n" for n in range(6)
    )
    with counting(db) as statements:
        assert upload(rita, "/imports/contacts", fresh).json()["created"] == 6
    assert [s for s in statements if s.startswith(LOOKUP)] == []
    twice = "First name,Email,Phone\nAgain,p4@example.com,\nNew,new@example.com,\n"
    with counting(db) as statements:
        report = upload(rita, "/imports/contacts", twice).json()
    assert (report["created"], report["skipped"]) == (1, 1)
    assert len([s for s in statements if s.startswith(LOOKUP)]) == 1  # the email known


def test_imported_contacts_are_found_by_search_as_they_were_written(rita: Api, db: Session) -> None:
    upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"))
    db.rollback()
    assert drift(db.connection()) == (set(), set())  # contacts and the accounts they created
    found = rita.get("/contacts", q="kramer").json()["items"]
    assert [c["email"] for c in found] == ["tobias@oakiron.example"]
    renamed = "First Name,Last Name,Email\nTobi,Schmidt,tobias@oakiron.example\n"
    upload(rita, "/imports/contacts", renamed, on_duplicate="update")
    assert rita.get("/contacts", q="kramer").json()["total"] == 0
    assert [c["full_name"] for c in rita.get("/contacts", q="schmidt").json()["items"]] == [
        "Tobi Schmidt"
    ]


def test_a_person_twice_in_one_file_is_one_contact(
    rita: Api, db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)  # repeats across batches and within one
    text = "First name,Email,Title\n" + "".join(
        f"P{n},p{n % 3}@example.com,T{n}\n" for n in range(7)
    )
    report = upload(rita, "/imports/contacts", text, on_duplicate="update").json()
    assert (report["created"], report["updated"]) == (3, 4)
    titles = {c.email: c.title for c in contacts_of(db, personas.rita.id)}
    assert titles == {"p0@example.com": "T6", "p1@example.com": "T4", "p2@example.com": "T5"}


@pytest.mark.parametrize("held_rows", [1, 3, 5000])
def test_rows_held_back_for_a_lookup_are_matched_as_if_written_in_file_order(
    rita: Api, db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch, held_rows: int
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    monkeypatch.setattr(import_contacts, "HELD_ROWS", held_rows)  # looked up this many at once
    text = (
        "First name,Email,Company\n"
        "P0,p0@example.com,Acme\n"  # a new company: held back
        "P1,p1@example.com,\n"  # surely new: written at once
        "P2,p0@example.com,\n"  # the first row again, while it may still be held
        "P3,p3@example.com,ACME\n"  # the same company
        "P4,p1@example.com,Beta\n"  # the second row again, and a new company
        "P5,p5@example.com,\n"
    )
    report = upload(rita, "/imports/contacts", text, on_duplicate="update").json()
    assert (report["created"], report["updated"], report["accounts_created"]) == (4, 2, 2)
    people = {c.email: c for c in contacts_of(db, personas.rita.id)}
    companies = {email: c.account.name if c.account else "" for email, c in people.items()}
    assert {email: c.first_name for email, c in people.items()} == {
        "p0@example.com": "P2",
        "p1@example.com": "P4",
        "p3@example.com": "P3",
        "p5@example.com": "P5",
    }
    assert companies == {
        "p0@example.com": "Acme",
        "p1@example.com": "Beta",
        "p3@example.com": "Acme",
        "p5@example.com": "",
    }


def test_another_reps_contacts_are_not_duplicates_or_link_targets(
    rita: Api, ben: Api, db: Session, personas: Personas
) -> None:
    upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"))
    report = upload(ben, "/imports/contacts", sample("hubspot_contacts.csv")).json()
    assert report["created"] == 6
    deals = upload(ben, "/imports/deals", "Deal Name,Contact email\nX,dana@nowhere.example\n")
    assert deals.json()["problems"][0]["reason"].startswith("No contact dana@nowhere.example")
    assert len(contacts_of(db, personas.ben.id)) == 6


def test_inspecting_shows_the_first_rows_and_the_guess(rita: Api, db: Session) -> None:
    response = upload(rita, "/imports/contacts/inspect", sample("salesforce_contacts.csv"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["encoding"] == "utf-8" and body["delimiter"] == ","
    assert body["header_line"] == 1
    assert body["detected_preset"] == "salesforce_contacts"
    assert body["preview"][0][:2] == ["Helena", "Marsh"]
    assert len(body["preview"]) == 4
    assert body["mapping"]["Account Name"] == "company"
    assert body["day_first"] is False
    assert "first_name" in body["fields"]
    assert count(db, Contact) == 0


def test_a_windows_file_with_semicolons_and_day_first_dates_imports(
    rita: Api, db: Session, personas: Personas
) -> None:
    text = (
        "Vorname;Nachname;E-Mail;Firma;Erstellt\r\n"
        "Jörg;Müller;jm@example.de;Bäckerei Süß;31.01.2026\r\n"
    )
    report = upload(
        rita,
        "/imports/contacts",
        text.encode("cp1252"),
        mapping={
            "Vorname": "first_name",
            "Nachname": "last_name",
            "Firma": "company",
            "Erstellt": "created_at",
        },
    ).json()
    assert (report["created"], report["bad"]) == (1, 0), report
    [jorg] = contacts_of(db, personas.rita.id)
    assert (jorg.first_name, jorg.last_name) == ("Jörg", "Müller")
    assert jorg.account is not None and jorg.account.name == "Bäckerei Süß"
    assert jorg.created_at.date() == date(2026, 1, 31)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"mapping": "not json"}, "mapping"),
        ({"mapping": {"Nope": "email"}}, "mapping"),
        ({"mapping": {"First Name": "shoe_size"}}, "mapping"),
        ({"preset": "zoho"}, "preset"),
        ({"on_duplicate": "merge"}, "on_duplicate"),
    ],
)
def test_an_unusable_request_is_refused_whole(
    rita: Api, db: Session, form: dict[str, object], field: str
) -> None:
    response = upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"), **form)
    assert_error(response, 422, field)
    assert count(db, Contact) == 0


def test_an_empty_or_unreadable_file_is_refused(rita: Api) -> None:
    assert_error(upload(rita, "/imports/contacts", b""), 422)
    assert_error(upload(rita, "/imports/contacts/inspect", b"\xff\xfe\x00"), 422)


def test_a_fatal_error_midway_writes_nothing_at_all(
    rita: Api, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    monkeypatch.setattr(import_contacts, "HELD_ROWS", 2)  # rows naming new companies wait
    calls: list[int] = []

    def failing_on_the_third_batch(real: Callable[..., None]) -> Callable[..., None]:
        def insert(*args: object) -> None:
            calls.append(1)
            if len(calls) == 5:  # accounts and contacts of two batches went in first
                raise OperationalError("INSERT", {}, Exception("disk I/O error"))
            real(*args)

        return insert

    for module, name in ((import_writers, "insert_many"), (import_contacts, "insert_columns")):
        monkeypatch.setattr(module, name, failing_on_the_third_batch(getattr(module, name)))
    response = upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"))
    error = assert_error(response, 400)
    assert "disk I/O error" in str(error["message"]) and "nothing was imported" in str(
        error["message"]
    )
    assert count(db, Contact) == 0 and count(db, Account) == 0


def test_deals_link_to_imported_contacts_and_accounts_and_map_stages(
    rita: Api, db: Session, personas: Personas
) -> None:
    upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"))
    report = upload(rita, "/imports/deals", sample("hubspot_deals.csv"), preset="hubspot").json()
    assert (report["created"], report["bad"]) == (2, 1)
    assert report["problems"][0]["line"] == 4
    assert "'Negotiating' is not a stage here" in report["problems"][0]["reason"]
    db.rollback()
    deals = {d.title: d for d in db.scalars(select(Deal).where(Deal.owner_id == personas.rita.id))}
    staff = deals["Harbor Dental: staff night"]
    assert (staff.value_cents, staff.stage.key) == (330_000, "meeting_set")
    assert staff.expected_close_on == date(2026, 4, 30) and staff.closed_at is None
    assert staff.contact is not None and staff.contact.first_name == "Dana"
    assert staff.account is not None and staff.account.name == "Harbor Dental Group"
    assert staff.notes == "60 seats for the spring staff evening"
    suite = deals["Brightline: suite evening"]
    assert suite.stage.key == "won" and suite.closed_at == datetime(2026, 2, 14, tzinfo=UTC)
    assert suite.custom_fields == {"Record ID": "9002"}
    changes = db.scalar(
        select(func.count(DealStageChange.id)).where(DealStageChange.deal_id == suite.id)
    )
    assert changes == 1


def test_pipedrive_deals_take_their_status_and_a_company_alone_is_enough(
    rita: Api, db: Session
) -> None:
    text = (
        "Deal - Title,Deal - Value,Deal - Stage,Deal - Status,Organization,Deal - Won time\n"
        'Summit outing,"1.250,50",Proposal Made,won,Summit Credit Union,2026-01-15 16:00\n'
        "Keller roof deal,900,Lead In,open,Keller Roofing,\n"
        "Nothing,10,Lead In,open,,\n"
    )
    report = upload(rita, "/imports/deals", text, preset="pipedrive").json()
    assert (report["created"], report["bad"]) == (2, 1)
    assert report["problems"] == [{"line": 4, "reason": "A deal needs a contact or a company"}]
    db.rollback()
    deals = {d.title: d for d in db.scalars(select(Deal))}
    assert deals["Summit outing"].stage.key == "won"
    assert deals["Summit outing"].value_cents == 125_050
    assert deals["Summit outing"].closed_at == datetime(2026, 1, 15, 16, tzinfo=UTC)
    assert deals["Keller roof deal"].stage.key == "new"
    assert deals["Keller roof deal"].account is not None


def test_interaction_history_imports_with_outcomes_and_promises(
    rita: Api, db: Session, personas: Personas
) -> None:
    upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"))
    report = upload(rita, "/imports/interactions", sample("interactions.csv")).json()
    assert (report["created"], report["bad"]) == (3, 0), report
    db.rollback()
    done = db.scalars(
        select(Interaction).where(Interaction.status == "done").order_by(Interaction.scheduled_at)
    ).all()
    first = done[0]
    assert first.contact.first_name == "Dana"
    assert (first.channel, first.reason, first.reached) == ("phone", "referral", "connected")
    assert (first.objective_met, first.result) == ("yes", "advance")
    assert first.learned == "Dana will ask her owner about 60 seats"
    assert first.scheduled_at == datetime(2026, 2, 10, 10, tzinfo=UTC)
    assert first.logged_at == first.scheduled_at
    assert first.objective_label == "learning"
    [promise] = db.scalars(select(Commitment)).all()
    assert (promise.party, promise.status, promise.due_on) == (
        "prospect",
        "open",
        date(2026, 2, 13),
    )
    assert promise.interaction_id == first.id and promise.contact_id == first.contact_id
    planned = db.scalar(select(Interaction).where(Interaction.status == "planned"))
    assert planned is not None and planned.channel == "video" and planned.logged_at is None


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("nobody@example.com,2026-02-01,Phone,,", "No contact nobody@example.com"),
        ("dana.whitfield@harbordental.example,,Phone,,", "An interaction needs its date"),
        ("dana.whitfield@harbordental.example,2026-02-01,Pigeon,,", "'Pigeon' is not one of"),
        ("dana.whitfield@harbordental.example,2026-02-01,Phone,Maybe,", "'Maybe' is not one of"),
        ("dana.whitfield@harbordental.example,2026-02-01,Phone,,9", "is not a whole rating"),
    ],
)
def test_a_bad_interaction_row_says_why(rita: Api, db: Session, row: str, reason: str) -> None:
    upload(rita, "/imports/contacts", sample("hubspot_contacts.csv"))
    text = f"Contact email,Date,Channel,Reached,Tonality\n{row}\n"
    report = upload(rita, "/imports/interactions", text).json()
    assert report["bad"] == 1 and reason in report["problems"][0]["reason"], report
    assert count(db, Interaction) == 0


def test_accounts_import_and_are_matched_by_name(rita: Api, db: Session) -> None:
    text = "Company,Industry,Website\nAtlas HVAC,HVAC,atlas.example\nPolar Ltd,,\n"
    assert upload(rita, "/imports/accounts", text).json()["created"] == 2
    again = "Company,Industry\natlas hvac,Heating\nNew Co,Retail\n"
    report = upload(rita, "/imports/accounts", again, on_duplicate="update").json()
    assert (report["created"], report["updated"]) == (1, 1)
    db.rollback()
    atlas = db.scalar(select(Account).where(Account.name == "Atlas HVAC"))
    assert atlas is not None and (atlas.industry, atlas.website) == ("Heating", "atlas.example")
    assert drift(db.connection()) == (set(), set())  # each account's folded name
