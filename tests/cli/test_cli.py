from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aimfire.cli import app
from aimfire.services.demo import DEMO_LOGINS
from aimfire.store.models import Contact
from support import PASSWORD, Personas

COMMANDS = (
    [], ["serve"], ["demo"], ["db"], ["db", "upgrade"], ["users"], ["users", "create"],
    ["users", "list"], ["contacts"], ["contacts", "list"], ["contacts", "add"], ["deals"],
    ["deals", "list"],
)  # fmt: skip


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {
        "AIMFIRE_DATABASE_URL": database_url,
        "AIMFIRE_DATA_DIR": str(tmp_path / "data"),
        "AIMFIRE_SECRET_KEY": "cli-tests",
        "AIMFIRE_USER": "",
    }

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env, input=input)

    return invoke


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "aimfire")
def test_every_command_explains_itself(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_the_first_user_created_is_the_owner(run, db: Session) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "users", "create", "--email", "Olive@Example.com", "--name", "Olive", "--password", PASSWORD
    )
    assert result.exit_code == 0, result.output
    assert "owner (admin)" in result.output
    listed = run("users", "list", "--json")
    assert json.loads(listed.output)[0]["email"] == "olive@example.com"
    again = run(
        "users", "create", "--email", "olive@example.com", "--name", "O", "--password", PASSWORD
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_a_password_can_be_typed_at_the_prompt(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "users",
        "create",
        "--email",
        "p@example.com",
        "--name",
        "P",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output


def test_contacts_are_added_and_listed_as_table_or_json(run, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    added = run(
        "contacts",
        "add",
        "--as",
        personas.rita.email,
        "--first-name",
        "Dana",
        "--phone",
        "555 010 2030",
        "--json",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["full_name"] == "Dana"
    table = run("contacts", "list", "--as", personas.rita.email, "-q", "5550102030")
    assert "Dana" in table.output
    page = json.loads(run("contacts", "list", "--as", personas.rita.email, "--json").output)
    assert page["total"] == 1 and page["items"][0]["phone"] == "555 010 2030"
    others = json.loads(run("contacts", "list", "--as", personas.ben.email, "--json").output)
    assert others["total"] == 0


def test_bad_input_is_a_clear_message_and_writes_nothing(
    run, personas: Personas, db: Session
) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "contacts", "add", "--as", personas.rita.email, "--first-name", "Dana", "--email", "nope"
    )
    assert result.exit_code == 1
    assert "email" in result.output and "Traceback" not in result.output
    assert db.scalar(select(func.count(Contact.id))) == 0


def test_it_asks_who_you_are_when_several_people_use_the_install(run, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    result = run("contacts", "list")
    assert result.exit_code == 1 and "--as EMAIL" in result.output
    unknown = run("contacts", "list", "--as", "who@example.com")
    assert unknown.exit_code == 1 and "No active user" in unknown.output


def test_demo_data_loads_once_and_lists_deals(run) -> None:  # type: ignore[no-untyped-def]
    first = run("demo")
    assert first.exit_code == 0, first.output
    assert all(login.email in first.output for login in DEMO_LOGINS)
    assert "already there" in run("demo").output
    deals = json.loads(run("deals", "list", "--as", DEMO_LOGINS[0].email, "--json").output)
    assert deals["total"] > 10
    table = run("deals", "list", "--as", DEMO_LOGINS[1].email)
    assert "Deals: page 1" in table.output


def test_db_upgrade_reports_the_revision(run) -> None:  # type: ignore[no-untyped-def]
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "revision" in result.output


def test_db_upgrade_explains_an_unreachable_database(tmp_path: Path) -> None:
    env = {
        "AIMFIRE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "AIMFIRE_DATA_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 1
    assert "Could not open postgresql+psycopg://nobody@127.0.0.1:1/none" in result.output
