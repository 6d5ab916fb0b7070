"""``aimfire health`` and ``aimfire report losses`` from the terminal."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aimfire.cli import app
from health_support import NOW, closed_deal, deal
from support import Personas


@pytest.fixture
def run(database_url: str, tmp_path: Path, personas: Personas):  # type: ignore[no-untyped-def]
    env = {
        "AIMFIRE_DATABASE_URL": database_url,
        "AIMFIRE_DATA_DIR": str(tmp_path / "data"),
        "AIMFIRE_SECRET_KEY": "cli-tests",
        "AIMFIRE_USER": personas.rita.email,
    }

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, list(args), env=env)

    return invoke


@pytest.mark.parametrize("command", [["health"], ["report"], ["report", "losses"]])
def test_each_health_command_explains_itself(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_health_lists_flagged_deals_with_the_question_to_answer(  # type: ignore[no-untyped-def]
    run, db: Session, personas: Personas
) -> None:
    stale = deal(db, personas.rita, title="Whitfield seats", days_in_stage=30)
    db.commit()
    table = run("health")
    assert table.exit_code == 0, table.output
    assert "Whitfield seats" in table.output and "No next step" in table.output
    listed = json.loads(run("health", "--json").output)
    assert (listed["total"], listed["page"]) == (1, 1)
    assert listed["items"][0]["deal_id"] == stale.id
    flags = listed["items"][0]["flags"]
    assert {f["rule"] for f in flags} == {"no_next_step", "too_long_in_stage"}
    refused = run("health", "--owner-id", str(personas.ben.id))
    assert refused.exit_code == 1 and "No such user" in refused.output


def test_the_loss_report_prints_reasons_and_lessons(  # type: ignore[no-untyped-def]
    run, db: Session, personas: Personas
) -> None:
    closed_deal(db, personas.rita, closed_at=NOW - timedelta(days=2), outcome="lost",
                reasons=["competitor"], lesson="They chose the concert venue.")  # fmt: skip
    db.commit()
    table = run("report", "losses")
    assert table.exit_code == 0, table.output
    assert "Competitor" in table.output and "concert venue" in table.output
    report = json.loads(run("report", "losses", "--json").output)
    assert (report["closed"], report["lost"], report["reasons"][0]["reason"]) == (
        1,
        1,
        "competitor",
    )
    since = (NOW + timedelta(days=5)).date().isoformat()
    later = json.loads(run("report", "losses", "--since", since, "--until", since, "--json").output)
    assert later["closed"] == 0
    bad = run("report", "losses", "--since", "yesterday")
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    backwards = run("report", "losses", "--since", since, "--until", "2020-01-01")
    assert backwards.exit_code == 1 and "starts after it ends" in backwards.output
