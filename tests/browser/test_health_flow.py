"""A deal goes stale, its flag asks the question, and planning the diagnosis clears it."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from health_support import deal
from support import PASSWORD, Personas


def test_a_stale_deal_is_flagged_and_planning_its_diagnosis_clears_no_next_step(
    page: Page, live_server: str, personas: Personas, db: Session
) -> None:
    stale = deal(db, personas.rita, title="Whitfield family: season tickets", stage_key="qualified",
                 days_in_stage=30)  # fmt: skip
    db.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(personas.rita.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/deals/board")
    card = page.locator("li.card", has_text="Whitfield family")
    expect(card.get_by_text("No next step")).to_be_visible()
    card.get_by_role("link", name="Whitfield family: season tickets", exact=True).click()

    health = page.locator("section.health")
    expect(health.get_by_role("heading", name="Deal health: 2 flags")).to_be_visible()
    flag = health.locator("li.flag", has_text="No next step")
    expect(flag).to_contain_text("Nothing is planned on this open deal.")
    expect(flag).to_contain_text("Find out: What has to happen next on their side, and by when?")
    flag.get_by_role("link", name="Plan a diagnosis call").click()

    expect(page.get_by_label("What (one objective)")).to_have_value(
        "Learn what has to happen next on their side, and by when"
    )
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("status")).to_contain_text("Planned")

    page.goto(f"{live_server}/deals/{stale.id}")
    health = page.locator("section.health")
    expect(health.get_by_role("heading", name="Deal health: 1 flag")).to_be_visible()
    expect(health).to_contain_text("Too long in stage")
    expect(health.get_by_text("No next step")).to_have_count(0)
