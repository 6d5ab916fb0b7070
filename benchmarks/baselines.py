"""Hand-written SQL for the benchmark baselines, run through the raw driver (sqlite3/psycopg).

Each function answers the same question as the service it is compared with, in as few plain
queries as a careful person would write by hand, and returns enough to check the answers
agree (row counts, totals). Queries are written with ``?`` placeholders; ``Raw`` turns
them into ``%s`` for psycopg.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, TextIO

from sqlalchemy.engine import make_url

from aimfire.domain.contacts import folded

MEETING = "('meeting', 'video')"


class Raw:
    """One raw driver connection; ``rows(sql, params)`` runs a query and fetches every row."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.kind = parsed.get_backend_name()
        if self.kind == "sqlite":
            import sqlite3

            from aimfire.store.db import SQLITE_MMAP_BYTES

            self.connection: Any = sqlite3.connect(parsed.database or "", isolation_level=None)
            # Read the file as the app does, so the ratio compares work, not settings.
            self.connection.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        else:
            import psycopg

            self.connection = psycopg.connect(
                host=parsed.host,
                port=parsed.port,
                user=parsed.username,
                password=parsed.password,
                dbname=parsed.database,
                autocommit=True,
            )

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.kind != "sqlite":
            sql = sql.replace("?", "%s")
        values = [_param(value, self.kind) for value in params]
        cursor = self.connection.execute(sql, values)
        return list(cursor.fetchall())

    def close(self) -> None:
        self.connection.close()


def _param(value: Any, kind: str) -> Any:
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return str(naive) if kind == "sqlite" else naive
    return value


def due_queue(raw: Raw, owner: int, end: datetime) -> list[tuple[Any, ...]]:
    """The due plans, then their contacts by id (joined in one statement, PostgreSQL's
    estimate of the due plans let it merge them with every contact of the book)."""
    plans = raw.rows(
        "SELECT i.id, i.reason, i.channel, i.objective, i.scheduled_at, i.planned_minutes,"
        " i.contact_id FROM interactions i"
        " WHERE i.owner_id = ? AND i.status = 'planned' AND i.scheduled_at < ?"
        " ORDER BY i.scheduled_at, i.id",
        [owner, end],
    )
    ids = sorted({plan[-1] for plan in plans})
    if ids:
        marks = ", ".join("?" * len(ids))
        raw.rows(f"SELECT id, first_name, last_name FROM contacts WHERE id IN ({marks})", ids)
    return plans


def overdue_promises(raw: Raw, owner: int, today: Any) -> list[tuple[Any, ...]]:
    return raw.rows(
        "SELECT m.id, m.description, m.due_on, c.first_name, c.last_name FROM commitments m"
        " JOIN contacts c ON c.id = m.contact_id WHERE m.owner_id = ? AND m.party = 'prospect'"
        " AND m.status = 'open' AND m.due_on < ? AND m.id NOT IN (SELECT follows_commitment_id"
        " FROM interactions WHERE owner_id = ? AND status = 'planned'"
        " AND follows_commitment_id IS NOT NULL) ORDER BY m.due_on",
        [owner, today, owner],
    )


RULES = (  # domain.health.Rule, most urgent first: the columns of deal_flag_days
    "stalled",
    "proposal_without_follow_up",
    "promise_overdue",
    "no_next_step",
    "decision_maker_unknown",
    "decision_maker_not_met",
    "too_long_in_stage",
)


def flagged_page(
    raw: Raw, owner: int, today: Any, *, suggested: bool = False, limit: int = 50
) -> tuple[int, list[int]]:
    """How many of the book's deals are flagged on ``today``, and the ids of the most urgent
    ``limit``, from the first flag days stored beside each deal (as the app does). Suggested:
    only those with nothing planned, no overdue promise and someone to call (Today)."""
    flagged = " OR ".join(f"{rule} <= ?" for rule in RULES)
    urgency = " ".join(f"WHEN {rule} <= ? THEN {rank}" for rank, rule in enumerate(RULES))
    where = f"owner_id = ? AND ({flagged})"
    params = [owner, *[today] * len(RULES)]
    if suggested:
        where += " AND no_next_step IS NOT NULL AND reachable"
        where += " AND (promise_overdue IS NULL OR promise_overdue > ?)"
        params.append(today)
    total = raw.rows(f"SELECT COUNT(*) FROM deal_flag_days WHERE {where}", params)[0][0]
    ids = raw.rows(
        f"SELECT deal_id FROM deal_flag_days WHERE {where}"
        f" ORDER BY CASE {urgency} END, value_cents DESC, deal_id LIMIT ?",
        [*params, *[today] * len(RULES), limit],
    )
    return total, [row[0] for row in ids]


def deal_facts(raw: Raw, ids: list[int]) -> int:
    """What deal health judges of these deals: their stage and activity, decision makers and
    open promises, three queries; then the deals themselves, as the page shows them."""
    if not ids:
        return 0
    marks = ", ".join("?" * len(ids))
    deals = raw.rows(
        "SELECT d.id, d.value_cents, d.stage_entered_at, d.decision_maker_met,"
        " d.proposal_sent_on, d.contact_id, s.key, s.position, a.latest_meeting_at, a.planned,"
        " a.last_conversation_at, a.unanswered, a.first_unanswered_at FROM deals d"
        " JOIN pipeline_stages s ON s.id = d.stage_id"
        " LEFT JOIN deal_activity a ON a.deal_id = d.id"
        f" WHERE d.id IN ({marks}) ORDER BY d.id",
        ids,
    )
    raw.rows(
        "SELECT dc.deal_id, c.id, c.first_name, c.last_name FROM deal_contacts dc"
        " JOIN contacts c ON c.id = dc.contact_id"
        f" WHERE dc.deal_id IN ({marks}) AND dc.role = 'decision_maker'",
        ids,
    )
    raw.rows(
        "SELECT deal_id, description, due_on FROM commitments WHERE deal_id IN"
        f" ({marks}) AND party = 'prospect' AND status = 'open'",
        ids,
    )
    raw.rows(
        "SELECT d.*, s.name, c.first_name, c.last_name, a.name FROM deals d"
        " JOIN pipeline_stages s ON s.id = d.stage_id"
        " LEFT JOIN contacts c ON c.id = d.contact_id LEFT JOIN accounts a ON a.id = d.account_id"
        f" WHERE d.id IN ({marks})",
        ids,
    )
    return len(deals)


def health_page(raw: Raw, owner: int, today: Any) -> int:
    """The health page: the flagged deals counted, the first fifty judged and shown."""
    total, ids = flagged_page(raw, owner, today)
    deal_facts(raw, ids)
    return total


def today_page(raw: Raw, owner: int, end: datetime, today: Any) -> int:
    """Today: the due plans, the overdue promises, and the ten most urgent diagnoses (flagged
    deals with nothing planned, no overdue promise, and someone to call)."""
    rows = due_queue(raw, owner, end)
    overdue_promises(raw, owner, today)
    _, ids = flagged_page(raw, owner, today, suggested=True, limit=10)
    deal_facts(raw, ids)
    return len(rows)


def contact_search(raw: Raw, owner: int, word: str, per_page: int = 50) -> int:
    """Contacts whose folded names, email or phone, or whose company, hold the word: counted,
    then the first page's ids read off the search index, then those contacts."""
    where = (
        "c.owner_id = ? AND c.archived_at IS NULL AND (c.search_text LIKE ? OR c.account_id IN"
        " (SELECT id FROM accounts WHERE owner_id = ? AND search_text LIKE ?))"
    )
    like = f"%{folded(word)}%"
    params = [owner, like, owner, like]
    total = raw.rows(f"SELECT COUNT(*) FROM contacts c WHERE {where}", params)[0][0]
    raw.rows(
        "SELECT c.*, a.name FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id"
        f" WHERE c.id IN (SELECT c.id FROM contacts c WHERE {where}"
        f" ORDER BY c.last_name, c.first_name, c.id LIMIT {per_page})"
        " ORDER BY c.last_name, c.first_name, c.id",
        params,
    )
    return int(total)


def pipeline_board(raw: Raw, owner: int, per_stage: int = 50) -> int:
    """Each active stage's totals and its newest cards, each stage's cards one LIMIT query,
    all of them in one UNION ALL; then the cards' health flags, from the stored first days."""
    totals = raw.rows(
        "SELECT stage_id, COUNT(*), SUM(value_cents) FROM deals WHERE owner_id = ?"
        " GROUP BY stage_id",
        [owner],
    )
    stages = raw.rows("SELECT * FROM pipeline_stages WHERE is_active ORDER BY position")
    newest = " UNION ALL ".join(
        "SELECT id FROM (SELECT id FROM deals WHERE owner_id = ? AND stage_id = ?"
        f" ORDER BY stage_entered_at DESC, id LIMIT {per_stage}) s{i}"
        for i in range(len(stages))
    )
    cards = raw.rows(
        "SELECT d.id, d.title, d.value_cents, d.stage_id, d.stage_entered_at, d.contact_id,"
        " c.first_name, c.last_name FROM deals d LEFT JOIN contacts c ON c.id = d.contact_id"
        f" WHERE d.id IN ({newest}) ORDER BY d.stage_entered_at DESC, d.id",
        [value for stage in stages for value in (owner, stage[0])],
    )
    if cards:
        raw.rows(
            f"SELECT deal_id, {', '.join(RULES)} FROM deal_flag_days WHERE owner_id = ?"
            f" AND deal_id IN ({', '.join('?' * len(cards))})",
            [owner, *(card[0] for card in cards)],
        )
    return sum(count for _, count, _ in totals)


class Span(NamedTuple):
    """Whole days of a rep's calendar: their first and last instants, and the days."""

    start: datetime
    end: datetime  # exclusive
    first_day: date
    last_day: date

    def weeks_before(self, weeks: int) -> Span:
        shift = timedelta(weeks=weeks)
        return Span(self.start - shift, self.end - shift, self.first_day - shift,
                    self.last_day - shift)  # fmt: skip


DAY_COUNTS = ("attempts", "conversations", "meetings", "advances", "objectives_met",
              "objectives_partly_met", "objectives_missed")  # fmt: skip


def funnel(raw: Raw, owners: Sequence[int], span: Span) -> int:
    """Counts of the funnel in a span for some reps (behaviour plan rates, scorecard lines):
    logged interactions summed from the days kept for each rep (as the app does), deals won,
    proposals sent and forward stage moves counted from their tables."""
    marks = ", ".join("?" * len(owners))
    days = raw.rows(
        f"SELECT owner_id, {', '.join(DAY_COUNTS)}, by_channel, quality FROM rep_days"
        f" WHERE owner_id IN ({marks}) AND day >= ? AND day <= ?",
        [*owners, span.first_day, span.last_day],
    )
    totals: dict[int, list[int]] = {}
    channels: dict[int, dict[str, int]] = {}
    ratings: dict[int, dict[tuple[str, str], int]] = {}
    for owner, *counts, by_channel, quality in days:
        into = totals.setdefault(owner, [0] * len(DAY_COUNTS))
        for i, n in enumerate(counts):
            into[i] += n
        for channel, n in _json(by_channel).items():
            seen = channels.setdefault(owner, {})
            seen[channel] = seen.get(channel, 0) + n
        for factor, tally in _json(quality).items():
            for rating, n in tally.items():
                given = ratings.setdefault(owner, {})
                given[factor, rating] = given.get((factor, rating), 0) + n
    raw.rows(
        "SELECT d.owner_id, COUNT(*), SUM(d.value_cents) FROM deals d"
        f" JOIN pipeline_stages s ON s.id = d.stage_id WHERE d.owner_id IN ({marks})"
        " AND s.outcome = 'won' AND d.closed_at >= ? AND d.closed_at < ? GROUP BY d.owner_id",
        [*owners, span.start, span.end],
    )
    raw.rows(
        f"SELECT owner_id, COUNT(*) FROM deals WHERE owner_id IN ({marks})"
        " AND proposal_sent_on >= ? AND proposal_sent_on <= ? GROUP BY owner_id",
        [*owners, span.first_day, span.last_day],
    )
    raw.rows(
        "SELECT x.owner_id, COUNT(*) FROM deal_stage_changes x"
        " JOIN pipeline_stages f ON f.id = x.from_stage_id"
        f" JOIN pipeline_stages t ON t.id = x.to_stage_id WHERE x.owner_id IN ({marks})"
        " AND t.position > f.position AND t.outcome <> 'lost'"
        " AND x.changed_at >= ? AND x.changed_at < ? GROUP BY x.owner_id",
        [*owners, span.start, span.end],
    )
    return sum(counts[0] for counts in totals.values())


def _json(value: Any) -> dict[str, Any]:
    """A JSON column as the driver gives it: text from sqlite3, already parsed by psycopg."""
    return json.loads(value) if isinstance(value, str) else value


def scorecard(raw: Raw, owners: Sequence[int], week: Span, window: Span) -> int:
    """One week's lines (promises resolved in it too) plus the behaviour-plan rates that set
    its targets."""
    marks = ", ".join("?" * len(owners))
    raw.rows(f"SELECT * FROM goals WHERE owner_id IN ({marks})", list(owners))
    raw.rows(f"SELECT * FROM weekly_targets WHERE owner_id IN ({marks})", list(owners))
    raw.rows(
        "SELECT owner_id, status, COUNT(*) FROM commitments"
        f" WHERE owner_id IN ({marks}) AND party = 'prospect' AND status IN ('kept', 'broken')"
        " AND resolved_at >= ? AND resolved_at < ? GROUP BY owner_id, status",
        [*owners, week.start, week.end],
    )
    funnel(raw, owners, window)
    return funnel(raw, owners, week)


def behaviour_plan(raw: Raw, owner: int, window: Span) -> int:
    raw.rows("SELECT * FROM goals WHERE owner_id = ? AND end_on >= ?", [owner, window.last_day])
    raw.rows(
        "SELECT AVG(d.value_cents) FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id"
        " WHERE d.owner_id = ? AND s.outcome = 'won' AND d.closed_at >= ?",
        [owner, window.start],
    )
    return funnel(raw, [owner], window)


OWNED = (
    "accounts",
    "contacts",
    "deals",
    "interactions",
    "commitments",
    "goals",
    "deal_stage_changes",
    "work_sessions",
    "weekly_targets",
)


def export(raw: Raw, owner: int, out: TextIO) -> int:
    """Every row of the rep's book as one JSON object per line (stdlib json, no checks)."""
    dumps = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":")).encode
    count = 0
    for table in OWNED:
        cursor = raw.connection.execute(
            f"SELECT * FROM {table} WHERE owner_id = {int(owner)} ORDER BY id"
        )
        names = [column[0] for column in cursor.description]
        while batch := cursor.fetchmany(2000):
            for row in batch:
                out.write(dumps(dict(zip(names, row, strict=True))))
                out.write("\n")
            count += len(batch)
    for table, parent in (("deal_contacts", "deal_id"), ("post_mortems", "deal_id")):
        cursor = raw.connection.execute(
            f"SELECT t.* FROM {table} t JOIN deals d ON d.id = t.{parent}"
            f" WHERE d.owner_id = {int(owner)} ORDER BY t.id"
        )
        names = [column[0] for column in cursor.description]
        for row in cursor:
            out.write(dumps(dict(zip(names, row, strict=True))))
            count += 1
    return count
