"""A rep's first minutes: log in, add a contact, open a deal, move it on the board, log out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from support import PASSWORD, Personas


def test_a_rep_adds_a_contact_opens_a_deal_and_moves_it_on_the_board(
    page: Page, live_server: str, personas: Personas
) -> None:
    page.goto(f"{live_server}/contacts")
    expect(page).to_have_url(f"{live_server}/login?next=/contacts")
    page.get_by_label("Email").fill(personas.rita.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()

    page.keyboard.press("n")
    expect(page.get_by_role("heading", name="New contact")).to_be_visible()
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Whitfield")
    page.get_by_label("Email").fill("dana@whitfield.example")
    page.get_by_label("Phone").fill("+1 555 010 2030")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("heading", name="Dana Whitfield")).to_be_visible()

    page.get_by_role("link", name="New deal").click()
    page.get_by_label("Title").fill("Whitfield family: season tickets")
    page.get_by_label("Value").fill("2400")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_role("heading", name="Whitfield family: season tickets")).to_be_visible()
    expect(page.get_by_text("2,400 USD")).to_be_visible()

    page.goto(f"{live_server}/deals/board")
    new_column = page.locator("section.column", has=page.get_by_role("heading", name="New"))
    expect(
        new_column.get_by_role("link", name="Whitfield family: season tickets", exact=True)
    ).to_be_visible()
    page.get_by_role("link", name="Move Whitfield family: season tickets").click()
    dialog = page.get_by_role("dialog", name="Move Whitfield family: season tickets")
    expect(dialog.get_by_label("Move to")).to_be_focused()
    expect(dialog.get_by_label("Move to")).to_have_value(
        new_column.get_attribute("data-stage") or ""
    )
    dialog.get_by_label("Move to").select_option(label="Qualified")
    dialog.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_contain_text("moved to Qualified")
    qualified = page.locator("section.column", has=page.get_by_role("heading", name="Qualified"))
    expect(
        qualified.get_by_role("link", name="Whitfield family: season tickets", exact=True)
    ).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{live_server}/deals/board")
    expect(page).to_have_url(f"{live_server}/login?next=/deals/board")


def test_the_search_finds_a_contact_by_phone_digits_and_by_name_without_accents(
    page: Page, live_server: str, personas: Personas
) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(personas.rita.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    add_contact(page, live_server, first="Omar", phone="(555) 777-1234")
    search(page, live_server, "5557771234")
    expect(page.get_by_role("link", name="Omar")).to_be_visible()
    add_contact(page, live_server, first="Zoë", last="MÜLLER")
    search(page, live_server, "zoe muller")
    expect(page.get_by_role("link", name="Zoë MÜLLER")).to_be_visible()
    expect(page.get_by_role("link", name="Omar")).to_have_count(0)


def add_contact(
    page: Page, live_server: str, *, first: str, last: str = "", phone: str = ""
) -> None:
    page.goto(f"{live_server}/contacts/new")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Phone").fill(phone)
    page.get_by_role("button", name="Save contact").click()


def search(page: Page, live_server: str, words: str) -> None:
    """The contact search, from the keyboard: "/" puts the cursor in the search box."""
    page.goto(f"{live_server}/contacts")
    page.keyboard.press("/")
    page.keyboard.type(words)
    page.keyboard.press("Enter")
