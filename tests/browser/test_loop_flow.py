"""Plan from a playbook type, fix what readiness finds, work the block from the keyboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from aimfire.services import choices
from aimfire.services.access import actor_for
from aimfire.services.setup import Database
from aimfire.services.today import today_queue
from aimfire.store.models import Contact, Deal, PipelineStage, User
from support import PASSWORD, Personas, later_today


def test_a_rep_plans_checks_readiness_and_logs_an_outcome_with_the_keyboard(
    page: Page, live_server: str, personas: Personas, database: Database
) -> None:
    with database.sessions.begin() as db:
        db.add(Contact(owner_id=personas.rita.id, first_name="Dana", last_name="Whitfield"))
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(personas.rita.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Plan from a playbook type: its objective and questions fill in.
    page.goto(f"{live_server}/interactions/new")
    page.get_by_label("Interaction type").select_option(label="Call a buyer back")
    expect(page.get_by_label("What (one objective)")).to_have_value(
        "Get a yes or no, or learn exactly which objection stands in the way."
    )
    page.get_by_label("Who", exact=True).select_option(label="Dana Whitfield")
    # The form proposes an hour from now, which from 23:00 is tomorrow: keep the plan on Today.
    page.get_by_label("When").fill(later_today().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Ready: who, why, how and what are all planned.")).to_be_visible()
    page.get_by_role("link", name="Edit plan").click()
    page.get_by_label("What (one objective)").fill("")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("alert")).to_contain_text("what: write the objective")

    # Today refuses to start the block until the plan is complete.
    page.goto(f"{live_server}/today")
    expect(page.get_by_text("Dana Whitfield")).to_be_visible()
    page.get_by_label("4").check()
    page.get_by_role("button", name="Check readiness and start work mode").click()
    expect(page.get_by_role("alert")).to_contain_text("Not ready")
    page.get_by_role("link", name="Edit").first.click()
    objective = page.get_by_label("What (one objective)")
    objective.fill("Convince Dana to renew")
    expect(page.locator("#objective-check")).to_contain_text("Tell objective")
    page.get_by_role("button", name="Use this rewrite").first.click()
    expect(page.locator("#objective-check")).to_contain_text("objective: you can say yes or no")
    page.get_by_role("button", name="Save plan").click()
    page.goto(f"{live_server}/today")
    page.get_by_label("4").check()
    page.get_by_role("button", name="Check readiness and start work mode").click()

    # Work mode: the outcome from the keyboard, with a promise and a next step.
    expect(page.get_by_text("Work mode · 1 of 1")).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("y")
    page.keyboard.press("a")
    page.locator("#c0_description").fill("Talk to my wife about the seats")
    due = datetime.now(UTC).date() + timedelta(days=2)
    page.locator("#c0_due_on").fill(due.isoformat())
    expect(page.get_by_text("Their promise depends on someone else")).to_be_visible()
    page.get_by_role("button", name="Plan it as the next step").click()
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    page.get_by_label("Next interaction at").fill(tomorrow.strftime("%Y-%m-%dT10:00"))
    page.locator("body").click()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", name="Block done")).to_be_visible()

    # Tomorrow holds the next step; after the promised day, the follow-up on the promise.
    with database.sessions() as db:
        rita = db.scalar(select(User).where(User.id == personas.rita.id))
        assert rita is not None
        actor = actor_for(db, rita)
        next_day = today_queue(db, actor, now=tomorrow.replace(hour=23))
        assert [row.interaction.channel for row in next_day.rows] == ["meeting"]
        assert next_day.suggestions == []
        later = today_queue(
            db,
            actor,
            now=datetime.combine(due + timedelta(days=1), datetime.min.time(), UTC)
            + timedelta(hours=12),
        )
        assert [s.reason for s in later.suggestions] == ["commitment_follow_up"]
        assert "Talk to my wife about the seats" in later.suggestions[0].objective


def test_a_contact_beyond_the_forms_first_few_hundred_is_found_by_typing(
    page: Page,
    live_server: str,
    personas: Personas,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(choices, "CHOICES", 2)  # the select holds two; the book has three
    monkeypatch.setattr(choices, "DEAL_CHOICES", 0)  # and no deal of the one there is
    with database.sessions.begin() as db:
        for first, last in (("Ada", "Adams"), ("Bo", "Baker"), ("Zed", "Young")):
            db.add(Contact(owner_id=personas.rita.id, first_name=first, last_name=last))
        stage = db.scalar(select(PipelineStage).where(PipelineStage.key == "qualified"))
        assert stage is not None
        db.add(Deal(owner_id=personas.rita.id, title="Harbor renewal", stage_id=stage.id))
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(personas.rita.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/interactions/new")
    who = page.get_by_label("Who", exact=True)
    expect(who.locator("option", has_text="Zed Young")).to_have_count(0)
    page.get_by_label("Find: Who").fill("zed")
    expect(who.locator("option:checked")).to_have_text("Zed Young")
    page.get_by_label("Find: Deal (optional)").fill("harbor")
    expect(page.get_by_label("Deal (optional)", exact=True).locator("option:checked")).to_have_text(
        "Harbor renewal"
    )
    page.get_by_label("What (one objective)").fill("Learn who signs off on the seats")
    page.get_by_label("When").fill(later_today().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Zed Young").first).to_be_visible()
    expect(page.get_by_text("Harbor renewal").first).to_be_visible()
