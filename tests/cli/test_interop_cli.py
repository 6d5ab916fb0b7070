from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aimfire.cli import app
from aimfire.store.models import Contact
from support import Personas

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


def invoker(database_url: str, data_dir: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {
        "AIMFIRE_DATABASE_URL": database_url,
        "AIMFIRE_DATA_DIR": str(data_dir),
        "AIMFIRE_SECRET_KEY": "cli-tests",
        "AIMFIRE_USER": "",
        "COLUMNS": "200",
    }

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    return invoke


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return invoker(database_url, tmp_path / "data")


def contacts(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count(Contact.id))) or 0


@pytest.mark.parametrize("command", [["import"], ["export"], ["restore"]])
def test_the_interop_commands_explain_themselves(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_a_hubspot_export_imports_with_a_table_of_columns_and_a_summary(
    run, db: Session, personas: Personas
) -> None:  # type: ignore[no-untyped-def]
    file = str(DATA / "hubspot_contacts.csv")
    result = run("import", "contacts", file, "--preset", "hubspot", "--as", personas.rita.email)
    assert result.exit_code == 0, result.output
    assert "HubSpot contacts export" in result.output
    assert "Phone Number" in result.output and "first_name" in result.output
    assert "6 rows read: 6 were added, 0 updated, 0 skipped as duplicates, 0 bad" in result.output
    assert contacts(db) == 6
    again = run("import", "contacts", file, "--as", personas.rita.email, "--json")
    report = json.loads(again.output)
    assert (report["created"], report["skipped"]) == (0, 6)


def test_bad_rows_come_as_a_table_as_json_and_as_a_csv(
    run, db: Session, personas: Personas, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    file = str(DATA / "contacts_with_bad_rows.csv")
    problems = tmp_path / "bad.csv"
    result = run(
        "import", "contacts", file, "--as", personas.rita.email, "--problems", str(problems)
    )
    assert result.exit_code == 0, result.output
    assert "Bad rows" in result.output
    assert "'not-an-email' is not an email address" in result.output
    rows = list(csv.reader(problems.read_text(encoding="utf-8").splitlines()))
    assert [row[:2] for row in rows[1:]] == [
        ["3", "A contact needs a first name"],
        ["4", "'not-an-email' is not an email address"],
        ["5", "'2026-02-30' is not a real date"],
    ]
    dry = run("import", "contacts", file, "--as", personas.rita.email, "--dry-run", "--json")
    report = json.loads(dry.output)
    assert report["dry_run"] is True and report["bad"] == 3
    assert (report["created"], report["skipped"]) == (0, 2)  # the good rows are there already
    assert report["problems"][0] == {"line": 3, "reason": "A contact needs a first name"}
    assert contacts(db) == 2  # the first import's good rows only


def test_columns_can_be_mapped_by_hand(
    run, db: Session, personas: Personas, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "people.csv"
    file.write_text("Given,Family,Mail\nDana,Whitfield,dana@example.com\n", encoding="utf-8")
    result = run(
        "import",
        "contacts",
        str(file),
        "--map",
        "Given=first_name",
        "--map",
        "family=last_name",
        "--map",
        "Mail=email",
        "--as",
        personas.rita.email,
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 1
    db.rollback()
    dana = db.scalar(select(Contact))
    assert dana is not None and (dana.last_name, dana.email) == ("Whitfield", "dana@example.com")
    bad = run("import", "contacts", str(file), "--map", "Nope=email", "--as", personas.rita.email)
    assert bad.exit_code == 1 and "no column named Nope" in bad.output


def test_export_then_restore_into_an_empty_database_gives_the_same_file(
    run, personas: Personas, tmp_path: Path, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    run("import", "contacts", str(DATA / "hubspot_contacts.csv"), "--as", personas.rita.email)
    first = tmp_path / "first.json"
    result = run("export", str(first), "--as", personas.ada.email)
    assert result.exit_code == 0, result.output
    assert "of the whole instance" in result.output
    refused = run("restore", str(first))
    assert refused.exit_code == 1 and "not empty" in refused.output
    if not database_url.startswith("sqlite"):
        return  # a second, empty PostgreSQL database is covered in test_export_restore
    empty = invoker(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path / "other")
    restored = empty("restore", str(first), "--json")
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.output)["tables"]["contacts"] == 6
    second = tmp_path / "second.json"
    assert empty("export", str(second), "--as", personas.ada.email).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
