"""``aimfire contacts``: search the book and add people."""

from __future__ import annotations

from typing import Annotated

import typer

from aimfire.cli.common import AsUser, JsonFlag, acting_user, print_json, print_table, session
from aimfire.services import contacts
from aimfire.services.validation import parse_input
from aimfire.web.api.schemas import ContactOut, PageOut

app = typer.Typer(help="Search and add contacts.", no_args_is_help=True)


@app.command("list")
def list_contacts(
    query: Annotated[
        str, typer.Option("--query", "-q", help="Words matching name, company, email or phone.")
    ] = "",
    page: Annotated[int, typer.Option(min=1)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=200)] = 50,
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived contacts.")
    ] = False,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """List (and search) your contacts."""
    with session() as db:
        actor = acting_user(db, as_user)
        results = contacts.search_contacts(
            db, actor, query=query, include_archived=archived, page=page, per_page=per_page
        )
        if json_output:
            print_json(PageOut[ContactOut].of(results, ContactOut.model_validate))
            return
        rows = [
            (c.id, c.full_name, c.account.name if c.account else "", c.phone, c.email)
            for c in results.items
        ]
        title = f"Contacts: page {results.page} of {results.pages} ({results.total} in all)"
        print_table(title, ("id", "name", "company", "phone", "email"), rows)


@app.command("add")
def add_contact(
    first_name: Annotated[str, typer.Option(help="First name.")],
    last_name: Annotated[str, typer.Option(help="Last name.")] = "",
    email: Annotated[str, typer.Option(help="Email address.")] = "",
    phone: Annotated[str, typer.Option(help="Phone number.")] = "",
    title: Annotated[str, typer.Option(help="Job title.")] = "",
    account_id: Annotated[int | None, typer.Option(help="Id of one of your accounts.")] = None,
    source: Annotated[
        str, typer.Option(help="referral, inbound, list, event, existing_customer, cold, other")
    ] = "other",
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Add a contact to your book."""
    with session(write=True) as db:
        actor = acting_user(db, as_user)
        data = parse_input(
            contacts.ContactInput,
            {
                "first_name": first_name,
                "last_name": last_name,
                "email": email or None,
                "phone": phone,
                "title": title,
                "account_id": account_id,
                "source": source,
            },
        )
        contact = contacts.create_contact(db, actor, data)
        db.commit()
        if json_output:
            print_json(ContactOut.model_validate(contact))
        else:
            typer.echo(f"Added {contact.full_name} (id {contact.id}).")
