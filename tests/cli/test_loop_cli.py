from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aimfire.cli import app
from aimfire.store.models import Contact
from support import Personas


@pytest.fixture
def run(database_url: str, tmp_path: Path, personas: Personas):  # type: ignore[no-untyped-def]
    env = {
        "AIMFIRE_DATABASE_URL": database_url,
        "AIMFIRE_DATA_DIR": str(tmp_path / "data"),
        "AIMFIRE_SECRET_KEY": "cli-tests",
        "AIMFIRE_USER": personas.rita.email,
    }

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, list(args), env=env, input=input)

    return invoke


@pytest.fixture
def dana(db: Session, personas: Personas) -> int:
    contact = Contact(owner_id=personas.rita.id, first_name="Dana")
    db.add(contact)
    db.commit()
    return contact.id


@pytest.mark.parametrize("command", ["plan", "today", "log", "commitments", "lint"])
def test_each_loop_command_explains_itself(command: str) -> None:
    assert CliRunner().invoke(app, [command, "--help"]).exit_code == 0


def test_plan_today_and_log_with_a_required_next_step(run, dana: int) -> None:  # type: ignore[no-untyped-def]
    planned = run(
        "plan",
        "--contact-id",
        str(dana),
        "--at",
        "2020-01-01 09:00",
        "--reason",
        "referral",
        "--channel",
        "phone",
        "--objective",
        "Learn who signs",
        "--json",
    )
    assert planned.exit_code == 0, planned.output
    interaction = json.loads(planned.output)
    assert interaction["ready"] is True
    queue = json.loads(run("today", "--json").output)
    assert [row["interaction"]["id"] for row in queue["rows"]] == [interaction["id"]]
    assert "Dana" in run("today").output
    refused = run("log", str(interaction["id"]), "--reached", "connected", "--met", "yes",
                  "--result", "continuation")  # fmt: skip
    assert refused.exit_code == 1 and "Choose the next step" in refused.output
    logged = run("log", str(interaction["id"]), "--reached", "connected", "--met", "yes",
                 "--result", "advance", "--they-promised", "Ask her boss|2026-12-01",
                 "--next-at", "2026-12-02 10:00", "--next-channel", "phone",
                 "--next-objective", "Get the boss's answer", "--json")  # fmt: skip
    assert logged.exit_code == 0, logged.output
    assert json.loads(logged.output)["next_interaction_id"]
    promises = json.loads(run("commitments", "--json").output)
    assert [p["description"] for p in promises["items"]] == ["Ask her boss"]
    assert (promises["total"], promises["page"]) == (1, 1)
    listed = run("commitments").output
    assert "Promises: page 1 of 1 (1 in all)" in listed and "prospect: kept" in listed


def test_an_incomplete_plan_says_what_is_missing(run, dana: int) -> None:  # type: ignore[no-untyped-def]
    result = run("plan", "--contact-id", str(dana), "--at", "2030-01-01 09:00")
    assert result.exit_code == 0 and "Not ready; missing: why" in result.output


def test_bad_input_is_a_message_not_a_traceback(run, dana: int) -> None:  # type: ignore[no-untyped-def]
    result = run("plan", "--contact-id", str(dana), "--at", "2030-01-01 09:00", "--channel", "fax")
    assert result.exit_code == 1 and "channel" in result.output and "Traceback" not in result.output
    assert run("commitments", "--status", "maybe").exit_code == 1


def test_lint_reads_json_lines_and_keeps_their_order(tmp_path: Path) -> None:
    source = tmp_path / "objectives.jsonl"
    source.write_text(
        '{"text": "Convince them to renew"}\n{"text": "Learn who signs the PO"}\nnot json\n'
    )
    result = CliRunner().invoke(app, ["lint", "--jsonl", str(source)])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line.get("label") for line in lines] == ["tell", "learning", None]
    assert lines[0]["findings"][0]["rule"] == "tell_mode"
    assert set(lines[0]["findings"][0]) >= {"rule", "message", "start", "end", "suggestion"}
    assert lines[2]["line"] == 3
    piped = CliRunner().invoke(app, ["lint", "--jsonl", "-"], input='{"text": ""}\n')
    assert json.loads(piped.output)["label"] == "missing"


def test_lint_prints_a_verdict_and_json() -> None:
    human = CliRunner().invoke(app, ["lint", "Touch base with Tom"])
    assert "aimless" in human.output
    machine = json.loads(
        CliRunner().invoke(app, ["lint", "--json", "Book a demo for Tuesday"]).output
    )
    assert machine["label"] == "action" and machine["ok"] is True


def test_lint_evaluates_a_labelled_set() -> None:
    data = Path(__file__).parents[1] / "data" / "objectives.jsonl"
    result = CliRunner().invoke(app, ["lint", "--evaluate", str(data)])
    assert result.exit_code == 0 and "accuracy" in result.output.lower()
