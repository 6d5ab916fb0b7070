from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.store.models import Contact
from support import Personas, csrf_token, log_in, post_form

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


def upload(client: TestClient, name: str, kind: str = "contacts", preset: str = "") -> Response:
    form = {"kind": kind, "preset": preset, "csrf_token": csrf_token(client, "/import")}
    files = {"file": (name, (DATA / name).read_bytes(), "text/csv")}
    return client.post("/import", data=form, files=files, follow_redirects=False)


def mapping_form(page: str) -> dict[str, str]:
    """The mapping form's choices as the page pre-selects them."""
    fields = {}
    for select_tag in re.finditer(
        r'<select id="(column-\d+)" name="\1">(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]+)" selected>', select_tag.group(2))
        assert chosen, select_tag.group(1)
        fields[select_tag.group(1)] = chosen.group(1)
    return fields


def contacts_count(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count(Contact.id))) or 0


def test_the_import_pages_need_a_login(client: TestClient) -> None:
    response = client.get("/import", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/import"


def test_a_hubspot_file_is_previewed_with_the_guessed_mapping_then_imported(
    client: TestClient, db: Session, personas: Personas
) -> None:
    log_in(client, personas.rita)
    response = upload(client, "hubspot_contacts.csv")
    assert response.status_code == 303
    location = response.headers["location"]
    page = client.get(location).text
    assert "Looks like a <strong>HubSpot contacts export</strong>" in page
    assert "column names on line 1" in page
    assert "<td>dana.whitfield@harbordental.example</td>" in page  # the preview
    choices = mapping_form(page)
    assert list(choices.values())[:4] == ["custom", "first_name", "last_name", "email"]

    dry = post_form(client, location, {**choices, "action": "dry_run"}, page=location)
    assert dry.status_code == 200
    assert "Dry run: nothing was written." in dry.text
    assert re.search(r"<dt>Would be added</dt><dd>6</dd>", dry.text)
    assert contacts_count(db) == 0

    done = post_form(client, location, {**choices, "action": "import"}, page=location)
    assert done.status_code == 200 and "Import finished" in done.text
    assert re.search(r"<dt>Added</dt><dd>6</dd>", done.text)
    assert contacts_count(db) == 6
    again = post_form(client, location, {**choices, "action": "import"}, page="/import")
    assert again.status_code == 303 and again.headers["location"] == "/import"
    assert contacts_count(db) == 6


def test_bad_rows_are_listed_and_downloadable_as_csv(
    client: TestClient, db: Session, personas: Personas
) -> None:
    log_in(client, personas.rita)
    location = upload(client, "contacts_with_bad_rows.csv").headers["location"]
    page = client.get(location).text
    report = post_form(client, location, {**mapping_form(page), "action": "import"}, page=location)
    assert re.search(r"<dt>Bad rows \(not imported\)</dt><dd>3</dd>", report.text)
    assert "<td>4</td><td>&#39;not-an-email&#39; is not an email address</td>" in report.text
    download = client.get(f"{location}/problems.csv")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0][:3] == ["line", "problem", "First name"]
    assert [row[0] for row in rows[1:]] == ["3", "4", "5"]
    assert rows[2][2:5] == ["Kai", "Brennan", "not-an-email"]
    assert contacts_count(db) == 2


def test_a_mapping_that_cannot_work_is_shown_again_with_the_reason(
    client: TestClient, db: Session, personas: Personas
) -> None:
    log_in(client, personas.rita)
    location = upload(client, "hubspot_contacts.csv").headers["location"]
    choices = mapping_form(client.get(location).text)
    choices["column-0"] = "email"  # Record ID and Email both as the email
    response = post_form(client, location, {**choices, "action": "import"}, page=location)
    assert response.status_code == 422
    assert "More than one column is mapped to &#39;email&#39;." in response.text
    assert mapping_form(response.text)["column-0"] == "email"  # the choice is kept
    assert contacts_count(db) == 0


def test_choosing_a_preset_changes_the_guess(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    location = upload(client, "salesforce_contacts.csv", preset="salesforce").headers["location"]
    assert location.endswith("?preset=salesforce")
    page = client.get(location).text
    assert '<option value="salesforce" selected>Salesforce</option>' in page
    assert mapping_form(page)["column-3"] == "company"  # Account Name


def test_an_upload_without_a_file_or_with_an_empty_one_says_so(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    token = csrf_token(client, "/import")
    missing = client.post("/import", data={"kind": "contacts", "csrf_token": token})
    assert missing.status_code == 422 and "Choose a CSV file to upload." in missing.text
    empty = client.post(
        "/import",
        data={"kind": "contacts", "csrf_token": token},
        files={"file": ("empty.csv", b"", "text/csv")},
    )
    assert empty.status_code == 422


def test_an_upload_is_only_for_the_person_who_made_it(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    location = upload(client, "hubspot_contacts.csv").headers["location"]
    client.cookies.clear()
    log_in(client, personas.cora)  # Rita's coach: may read her book, not use her uploads
    assert client.get(location).status_code == 404
    assert client.get(f"{location}/problems.csv").status_code == 404
    assert client.get("/import/not-a-token").status_code == 404


def test_the_upload_form_needs_its_csrf_token(client: TestClient, personas: Personas) -> None:
    log_in(client, personas.rita)
    response = client.post(
        "/import",
        data={"kind": "contacts"},
        files={"file": ("a.csv", b"First name\nDana\n", "text/csv")},
    )
    assert response.status_code == 403
