"""``aimfire plan``, ``today``, ``log`` and ``commitments``: the daily loop from a terminal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from aimfire.cli.common import (
    AsUser,
    JsonFlag,
    acting_user,
    fail,
    print_json,
    print_table,
    session,
)
from aimfire.domain.interactions import CommitmentStatus
from aimfire.services import commitments, interactions, today
from aimfire.services.commitments import PROMISES_PER_PAGE
from aimfire.services.paging import MAX_PER_PAGE
from aimfire.services.validation import parse_input
from aimfire.web.api.commitments import CommitmentOut
from aimfire.web.api.interactions import InteractionOut, TodayOut
from aimfire.web.api.schemas import PageOut

When = Annotated[
    datetime, typer.Option("--at", help="When, in your time zone: '2026-11-24 10:00'.")
]


def register(app: typer.Typer) -> None:
    for command in (plan, show_today, log, list_commitments):
        app.command(command.__name__.replace("show_", "").replace("list_", ""))(command)


def plan(
    contact_id: Annotated[int, typer.Option(help="Who: the contact's id.")],
    at: When,
    reason: Annotated[str | None, typer.Option(help="Why, e.g. referral, renewal.")] = None,
    channel: Annotated[
        str | None, typer.Option(help="How: phone, email, meeting, video, text.")
    ] = None,
    objective: Annotated[str, typer.Option(help="What: one objective.")] = "",
    type_id: Annotated[
        int | None, typer.Option(help="Interaction type from your playbook.")
    ] = None,
    deal_id: Annotated[int | None, typer.Option(help="The deal it is about.")] = None,
    question: Annotated[
        list[str] | None, typer.Option(help="A learning question (repeatable).")
    ] = None,
    minutes: Annotated[int | None, typer.Option(help="Planned minutes.")] = None,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Plan an interaction: who, why, how and what."""
    with session(write=True) as db:
        actor = acting_user(db, as_user)
        data = parse_input(
            interactions.PlanInput,
            {
                "contact_id": contact_id, "deal_id": deal_id, "type_id": type_id,
                "reason": reason, "channel": channel, "objective": objective,
                "learning_questions": "\n".join(question or []), "scheduled_at": at,
                "planned_minutes": minutes,
            },
        )  # fmt: skip
        planned = interactions.plan_interaction(db, actor, data)
        db.commit()
        out = InteractionOut.of(planned)
        if json_output:
            print_json(out)
            return
        typer.echo(f"Planned interaction {planned.id} with {planned.contact.full_name}.")
        typer.echo("Ready." if out.ready else "Not ready; missing: " + "; ".join(out.missing))


def show_today(as_user: AsUser = None, json_output: JsonFlag = False) -> None:
    """Today's queue: who, why, how and what, with the time the block takes."""
    with session() as db:
        actor = acting_user(db, as_user)
        queue = today.today_queue(db, actor)
        if json_output:
            print_json(TodayOut.of(queue))
            return
        zone = ZoneInfo(actor.user.time_zone)
        rows = [
            (
                row.interaction.id,
                row.interaction.scheduled_at.astimezone(zone).strftime("%H:%M"),
                row.interaction.contact.full_name,
                row.interaction.reason or "—",
                row.interaction.channel or "—",
                row.interaction.objective or "—",
                "; ".join(row.problems) or "ready",
            )
            for row in queue.rows
        ]
        title = f"Today, {queue.day:%a %d %b}: {len(rows)} planned, about {queue.total_minutes} min"
        print_table(title, ("id", "when", "who", "why", "how", "what", "status"), rows)
        for suggestion in queue.suggestions:
            typer.echo(f"Suggested: {suggestion.why} Objective: {suggestion.objective}")
        if queue.more_diagnoses:
            typer.echo(f"{queue.more_diagnoses} more flagged deals: see aimfire health.")


def _promise(party: str, text: str) -> dict[str, Any]:
    description, _, due = text.rpartition("|")
    if not description:
        raise typer.BadParameter(f"write the {party} promise as 'what|YYYY-MM-DD'")
    return {"party": party, "description": description, "due_on": due}


def log(
    interaction_id: Annotated[int, typer.Argument(help="The planned interaction's id.")],
    reached: Annotated[str, typer.Option(help="connected, voicemail, no_answer or bounced.")],
    met: Annotated[str | None, typer.Option(help="Objective met: yes, partly or no.")] = None,
    result: Annotated[
        str | None, typer.Option(help="order, advance, continuation, no_sale.")
    ] = None,
    learned: Annotated[str, typer.Option(help="What you learned.")] = "",
    they_promised: Annotated[
        list[str] | None, typer.Option(help="'what|YYYY-MM-DD' (repeatable).")
    ] = None,
    i_promised: Annotated[
        list[str] | None, typer.Option(help="'what|YYYY-MM-DD' (repeatable).")
    ] = None,
    next_at: Annotated[
        datetime | None, typer.Option(help="Next step: schedule at this time.")
    ] = None,
    next_channel: Annotated[str | None, typer.Option(help="Next step's channel.")] = None,
    next_objective: Annotated[str | None, typer.Option(help="Next step's objective.")] = None,
    won: Annotated[bool, typer.Option("--won", help="Next step: close the deal won.")] = False,
    lost: Annotated[bool, typer.Option("--lost", help="Next step: close the deal lost.")] = False,
    no_next: Annotated[str | None, typer.Option(help="No next step, because ...")] = None,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Log an outcome against its plan. A next step is required."""
    kinds = [
        k
        for k, chosen in (("scheduled", next_at), ("won", won), ("lost", lost), ("none", no_next))
        if chosen
    ]
    data: dict[str, Any] = {
        "reached": reached, "objective_met": met, "result": result, "learned": learned,
        "commitments": [_promise("prospect", t) for t in they_promised or []]
        + [_promise("rep", t) for t in i_promised or []],
        "next_step": kinds[0] if len(kinds) == 1 else None,
        "no_next_step_reason": no_next or "",
    }  # fmt: skip
    if next_at is not None:
        data["next"] = {
            "scheduled_at": next_at,
            "channel": next_channel,
            "objective": next_objective,
        }
    with session(write=True) as db:
        actor = acting_user(db, as_user)
        logged = interactions.log_outcome(
            db, actor, interaction_id, parse_input(interactions.OutcomeInput, data)
        )
        db.commit()
        if json_output:
            print_json(InteractionOut.of(logged))
        else:
            typer.echo(f"Logged interaction {logged.id}; next step: {logged.next_step}.")


def list_commitments(
    status: Annotated[str, typer.Option(help="open, kept, broken or all.")] = "open",
    page: Annotated[int, typer.Option(min=1)] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=MAX_PER_PAGE)] = PROMISES_PER_PAGE,
    as_user: AsUser = None,
    json_output: JsonFlag = False,
) -> None:
    """Promises made by prospects and by you, with how well each side keeps them."""
    if status not in {"all", *CommitmentStatus}:
        fail("--status is one of open, kept, broken or all.")
    chosen = None if status == "all" else CommitmentStatus(status)
    with session() as db:
        actor = acting_user(db, as_user)
        found = commitments.commitments_page(db, actor, status=chosen, page=page, per_page=per_page)
        if json_output:
            print_json(PageOut[CommitmentOut].of(found, CommitmentOut.model_validate))
            return
        current = today.local_day(actor)
        rows = [
            (c.id, f"{c.due_on}{' overdue' if c.status == 'open' and c.due_on < current else ''}",
             c.party, c.contact.full_name, c.description, c.status)
            for c in found.items
        ]  # fmt: skip
        title = f"Promises: page {found.page} of {found.pages} ({found.total} in all)"
        print_table(title, ("id", "due", "by", "contact", "promise", "status"), rows)
        for rate in commitments.keeping_rates(db, actor).values():
            kept = f"{rate.rate:.0%}" if rate.rate is not None else "—"
            typer.echo(f"{rate.party}: kept {kept} ({rate.kept} kept, {rate.broken} broken)")
