"""A rep sets a goal and reads the plan and the scorecard; a coach's note gets acknowledged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from aimfire.store.models import User
from history_rows import History
from support import PASSWORD, Personas


def log_in(page: Page, live_server: str, user: User) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def expect_charts_drawn(page: Page) -> None:
    """Every chart image loaded and decoded (a blocked or broken SVG has no width)."""
    charts = page.locator(".charts img")
    expect(charts).to_have_count(5)
    for i in range(5):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_js_property("complete", True)
        assert chart.evaluate("image => image.naturalWidth") > 0


def some_history(db: Session, rep: User) -> None:
    rows = History(db, rep)
    now = datetime.now(UTC)
    for days in range(1, 60, 3):
        channel = "meeting" if days % 2 else "phone"
        rows.interaction(now - timedelta(days=days), channel=channel, result="advance")
        rows.interaction(now - timedelta(days=days, hours=2), reached="voicemail")
    rows.deal(3_000, "proposal", proposal_sent_on=(now - timedelta(days=20)).date())
    rows.won(2_500, now - timedelta(days=30))
    db.commit()


def test_a_rep_sets_a_goal_then_reads_the_plan_and_the_scorecard(
    page: Page, live_server: str, personas: Personas, db: Session
) -> None:
    some_history(db, personas.rita)
    log_in(page, live_server, personas.rita)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Goals").click()
    page.get_by_label("Amount").fill("30000")
    page.get_by_label("Period", exact=True).select_option("quarter")
    page.get_by_role("button", name="Set goal").click()
    expect(page.get_by_role("status")).to_contain_text("Goal set: Q")
    expect(page.get_by_role("cell", name="30,000 USD")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plan").click()
    expect(page.get_by_role("heading", name=re.compile(r"Q\d \d{4} revenue goal"))).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"^The Q\d \d{4} revenue goal is 30,000 USD"))
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Connected conversations"))).to_be_visible()
    close_rate = page.get_by_role("row", name=re.compile(r"^Close rate \d+% "))
    expect(close_rate).to_contain_text("1 sale of 1 proposal")
    expect(page.get_by_text(re.compile("Your team \\(East\\) logged too little"))).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecard").click()
    expect(page.get_by_role("heading", name="Weekly scorecard")).to_be_visible()
    lines = page.locator(".verdicts > li")
    expect(lines).to_have_count(3)
    expect(lines.nth(2)).to_contain_text("Conversations")
    expect(lines.nth(2).locator(".verdict")).to_have_text(re.compile("Yes|Not yet"))
    expect(page.locator("#trend-table tbody tr")).to_have_count(12)
    expect(page.get_by_role("img", name=re.compile("^Chart: Sales won per week"))).to_be_visible()
    expect_charts_drawn(page)
    page.get_by_role("link", name="← Previous week").click()
    expect(page.locator(".verdicts > li").first.locator(".verdict")).not_to_have_text("Not yet")


def test_the_scorecard_and_its_charts_work_without_javascript(
    browser: Browser, live_server: str, personas: Personas, db: Session
) -> None:
    some_history(db, personas.rita)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, personas.rita)
    page.goto(f"{live_server}/scorecard?week=2025-W10")
    expect(page.get_by_role("heading", name="Weekly scorecard")).to_be_visible()
    expect(page.get_by_text("Week 2025-W10: 3 Mar \u2013 9 Mar 2025")).to_be_visible()
    expect_charts_drawn(page)
    page.get_by_role("link", name="Next week →").click()
    expect(page.get_by_text("Week 2025-W11: 10 Mar \u2013 16 Mar 2025")).to_be_visible()
    context.close()


def test_a_coach_writes_a_note_that_the_rep_acknowledges(
    page: Page, live_server: str, personas: Personas
) -> None:
    log_in(page, live_server, personas.cora)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coach").click()
    expect(page.get_by_role("heading", name="Coaching")).to_be_visible()
    page.get_by_role("link", name="Rita").click()
    expect(page.get_by_role("heading", name="Rita read-only")).to_be_visible()
    page.get_by_label("Kind of note").select_option("hold_accountable")
    page.get_by_role("textbox", name=re.compile("^Note")).fill(
        "Conversations were short: block Tuesday 9-11."
    )
    page.get_by_role("button", name="Send note").click()
    expect(page.get_by_role("status")).to_contain_text("Note (hold accountable) sent to Rita.")
    written = page.locator("article.note", has_text="block Tuesday 9-11")
    expect(written).to_contain_text("Not acknowledged yet.")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, personas.rita)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecard").click()
    note = page.locator("article.note", has_text="block Tuesday 9-11")
    expect(note).to_contain_text("Hold accountable from Cora")
    note.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("Note from Cora acknowledged.")
    expect(note).to_contain_text("Acknowledged")
    expect(note.get_by_role("button", name="Acknowledge")).to_have_count(0)
