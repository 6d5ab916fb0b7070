"""``aimfire behaviour-plan`` and ``aimfire scorecard``: the same numbers as the web app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from aimfire.cli import app
from aimfire.services.access import actor_for
from aimfire.services.goals import GoalInput, create_goal
from history_rows import History, utc
from support import Personas


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        "AIMFIRE_DATABASE_URL": database_url,
        "AIMFIRE_DATA_DIR": str(tmp_path / "data"),
        "AIMFIRE_SECRET_KEY": "cli-tests",
        "AIMFIRE_USER": "",
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), env=env)

    return invoke


@pytest.mark.parametrize("command", ["behaviour-plan", "scorecard"])
def test_each_command_explains_itself(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and "--json" in result.output


def test_the_behaviour_plan_is_told_in_words_or_given_as_json(
    run, db: Session, personas: Personas
) -> None:  # type: ignore[no-untyped-def]
    rita = actor_for(db, personas.rita)
    goal = {"kind": "revenue", "amount": "30000", "period": "quarter", "start_on": "2099-01-01"}
    create_goal(db, rita, GoalInput.model_validate(goal))
    History(db, personas.rita).deal(3_000, "proposal")
    db.commit()
    text = run("behaviour-plan", "--as", personas.rita.email)
    assert text.exit_code == 0, text.output
    assert "Q1 2099 revenue goal" in text.output
    assert "The Q1 2099 revenue goal is 30,000 USD" in " ".join(text.output.split())
    data = json.loads(run("behaviour-plan", "--as", personas.rita.email, "--json").output)
    [plan] = data["plans"]
    # 30,000 at an average deal of 3,000 (the open deal, no history): 10 sales, / 25% = 40
    assert [s["period"] for s in plan["stages"][:2]] == [10, 40]
    assert data["window_days"] == 180 and data["prior_note"].startswith("Your team (East)")


def test_the_scorecard_gives_the_three_lines_for_a_week(
    run, db: Session, personas: Personas
) -> None:  # type: ignore[no-untyped-def]
    History(db, personas.rita).interaction(utc(2025, 3, 4, 10), result="advance")
    db.commit()
    text = run("scorecard", "--as", personas.rita.email, "--week", "2025-W10")
    assert text.exit_code == 0, text.output
    assert "Week 2025-W10: Mon 03 Mar to Sun 09 Mar 2025" in text.output
    assert "Conversations: 1 connected conversation; no target set." in text.output
    data = json.loads(
        run("scorecard", "--as", personas.rita.email, "--week", "2025-W10", "--json").output
    )
    assert data["counts"]["advances_logged"] == 1
    assert data["week"]["label"] == "2025-W10"


def test_a_bad_week_is_a_clear_error(run, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    result = run("scorecard", "--as", personas.rita.email, "--week", "2025-W60")
    assert result.exit_code == 1
    assert "ISO year 2025 has weeks 01 to 52" in result.output
    assert "Traceback" not in result.output
