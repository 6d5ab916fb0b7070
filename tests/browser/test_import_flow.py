"""A rep brings a HubSpot export over: upload, preview and mapping, dry run, import, report."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from support import PASSWORD, Personas

HUBSPOT = (
    "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Lifecycle Stage\n"
    "701,Dana,Whitfield,dana@harbordental.example,555-010-2030,Harbor Dental Group,Lead\n"
    "702,Kai,Brennan,not-an-email,555-010-3000,Keystone Facilities,Lead\n"
    "703,Mira,Solberg,mira@keystone.example,,Keystone Facilities,Customer\n"
)


def test_a_rep_previews_dry_runs_and_imports_a_hubspot_export(
    page: Page, live_server: str, personas: Personas, tmp_path: Path
) -> None:
    export = tmp_path / "hubspot-contacts.csv"
    export.write_text(HUBSPOT, encoding="utf-8")
    page.goto(f"{live_server}/import")
    page.get_by_label("Email").fill(personas.rita.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Import from CSV")).to_be_visible()

    page.get_by_label("What the file holds").select_option("contacts")
    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Import contacts")).to_be_visible()
    expect(page.get_by_text("Looks like a HubSpot contacts export")).to_be_visible()
    preview = page.locator("table.preview")
    expect(preview.get_by_role("cell", name="dana@harbordental.example")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")
    expect(page.get_by_label("Company Name")).to_have_value("company")
    expect(page.get_by_label("Lifecycle Stage")).to_have_value("custom")

    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_role("status")).to_contain_text("nothing was written")
    report = page.locator("dl.report")
    expect(report).to_contain_text("Would be added")
    expect(report.locator("dd").nth(1)).to_have_text("2")

    page.get_by_role("button", name="Import the good rows").click()
    expect(page.get_by_role("heading", name="Imported hubspot-contacts.csv")).to_be_visible()
    expect(page.locator("dl.report dd").nth(1)).to_have_text("2")
    problems = page.locator("table.problems")
    expect(problems.get_by_role("row")).to_have_count(2)  # the header and the one bad row
    expect(problems).to_contain_text("'not-an-email' is not an email address")
    expect(problems.get_by_role("cell", name="3", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download the bad rows as CSV")).to_be_visible()

    page.get_by_role("link", name="See them").click()
    expect(page.get_by_role("link", name="Dana Whitfield")).to_be_visible()
    expect(page.get_by_role("link", name="Mira Solberg")).to_be_visible()
    expect(page.get_by_role("link", name="Kai Brennan")).to_have_count(0)
