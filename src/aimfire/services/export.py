"""Everything a user owns (for an admin: the whole instance) as one versioned JSON document,
and restoring such a document into an empty database.

The document is written so that export -> restore -> export gives the same bytes: tables in
foreign-key order, rows by primary key, keys sorted, instants in ISO 8601 UTC, no export time.
Money is stored as whole cents, so every amount is exact; a decimal would be written as a
string. Logins (web sessions and API tokens) are credentials, not data, and are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Date,
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from aimfire.errors import Conflict, Invalid
from aimfire.services.access import Actor
from aimfire.store import deal_summaries, rep_days, searchable
from aimfire.store.models import Base
from aimfire.store.types import UTCDateTime

FORMAT = "aimfire-export"
VERSION = 1
# Sign-ins and the data version are not data: neither exported nor counted as what makes a
# database not empty.
NOT_DATA = frozenset({"user_sessions", "api_tokens", "data_version"})
# And the summaries kept beside deals and reps are rebuilt on restore.
EXCLUDED = NOT_DATA | {"deal_activity", "deal_flag_days", "rep_days"}
# Worked out from the other columns of their row; a restore works them out again.
DERIVED_COLUMNS = frozenset({("contacts", "search_text"), ("accounts", "search_text")})
# Filled in by every fresh database (defaults and built-ins); a restore replaces them.
SEED_TABLES = ("pipeline_stages", "playbooks", "interaction_types")
OWNED_BY_OWNER_ID = frozenset(
    {
        "accounts",
        "contacts",
        "deals",
        "deal_stage_changes",
        "interactions",
        "commitments",
        "work_sessions",
        "goals",
        "weekly_targets",
    }
)
INSERT_CHUNK = 1000


def exported_tables() -> list[Table]:
    return [table for table in Base.metadata.sorted_tables if table.name not in EXCLUDED]


def exported_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if (table.name, c.name) not in DERIVED_COLUMNS]


def _tables() -> dict[str, Table]:
    return {table.name: table for table in exported_tables()}


@dataclass(frozen=True, slots=True)
class Scope:
    user_id: int | None  # None: the whole instance

    def describe(self) -> dict[str, Any]:
        if self.user_id is None:
            return {"kind": "instance"}
        return {"kind": "user", "user_id": self.user_id}


def scope_for(actor: Actor) -> Scope:
    return Scope(None if actor.is_admin else actor.id)


def _filters(user_id: int) -> dict[str, ColumnElement[bool] | None]:
    """Which rows of each table belong to one user's export; None leaves a table out."""
    t = _tables()
    own_deals = select(t["deals"].c.id).where(t["deals"].c.owner_id == user_id)
    teams = select(t["team_members"].c.team_id).where(t["team_members"].c.user_id == user_id)
    used_types = select(t["interactions"].c.type_id).where(t["interactions"].c.owner_id == user_id)
    playbooks = t["playbooks"].c
    types = t["interaction_types"].c
    used_playbooks = select(types.playbook_id).where(types.id.in_(used_types))
    readable_playbooks = select(playbooks.id).where(
        or_(
            playbooks.team_id.is_(None),
            playbooks.team_id.in_(teams),
            playbooks.id.in_(used_playbooks),
        )
    )
    filters: dict[str, ColumnElement[bool] | None] = {
        "users": t["users"].c.id == user_id,
        "teams": None,
        "team_members": None,
        "pipeline_stages": true(),
        "playbooks": playbooks.id.in_(readable_playbooks),
        "interaction_types": types.playbook_id.in_(readable_playbooks),
        "deal_contacts": t["deal_contacts"].c.deal_id.in_(own_deals),
        "post_mortems": t["post_mortems"].c.deal_id.in_(own_deals),
        "coach_notes": (t["coach_notes"].c.author_id == user_id)
        & (t["coach_notes"].c.rep_id == user_id),
    }
    for name in OWNED_BY_OWNER_ID:
        filters[name] = t[name].c.owner_id == user_id
    unknown = set(t) - set(filters)
    if unknown:  # a new table must say whose it is before a user's export can include it
        raise RuntimeError(f"No export rule for tables: {', '.join(sorted(unknown))}")
    return filters


_AS_TEXT = (datetime, date, Decimal)  # JSON has no such types: written as ISO text


def _as_text(column: Any) -> bool:
    stored = getattr(column.type, "impl_instance", column.type)  # our types wrap a base type
    try:
        return issubclass(stored.python_type, _AS_TEXT)
    except NotImplementedError:  # a type with no single Python type (none is a date)
        return False


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value.isoformat()


def _rows(db: Session, table: Table, where: ColumnElement[bool] | None) -> Iterator[dict]:
    columns = exported_columns(table)
    query = select(*columns).order_by(*table.primary_key.columns)
    if where is not None:
        query = query.where(where)
    names = [column.name for column in columns]
    # Worked out once per table: a million rows each asking every value its type was a
    # quarter of the export's time.
    textual = [i for i, column in enumerate(columns) if _as_text(column)]
    team_less = table.name == "playbooks" and where is not None
    for row in db.execute(query.execution_options(yield_per=1000)):
        values = list(row)
        for i in textual:
            if values[i] is not None:
                values[i] = _text(values[i])
        record = dict(zip(names, values, strict=True))
        if team_less:
            record["team_id"] = None  # a user's export carries no teams
        yield record


def _revision(db: Session) -> str | None:
    try:
        return db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def write_export(db: Session, actor: Actor, out: TextIO) -> dict[str, int]:
    """Write the actor's export to ``out``; returns how many rows each table had."""
    return write_scope(db, scope_for(actor), out)


def write_scope(db: Session, scope: Scope, out: TextIO) -> dict[str, int]:
    filters = _filters(scope.user_id) if scope.user_id is not None else {}
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    out.write("{\n")
    out.write(f'"format":{dumps(FORMAT)},\n"version":{VERSION},\n')
    out.write(f'"scope":{dumps(scope.describe())},\n"schema":{dumps(_revision(db))},\n')
    out.write('"tables":{')
    counts: dict[str, int] = {}
    first_table = True
    for table in exported_tables():
        where = filters.get(table.name, true()) if scope.user_id is not None else None
        if scope.user_id is not None and where is None:
            continue
        out.write(("" if first_table else ",") + f"\n{dumps(table.name)}:[")
        first_table = False
        count = 0
        for row in _rows(db, table, None if scope.user_id is None else where):
            out.write(("\n" if count == 0 else ",\n") + dumps(row))
            count += 1
        out.write("\n]" if count else "]")
        counts[table.name] = count
    out.write("\n}\n}\n")
    return counts


# --- restore -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestoreReport:
    scope: dict[str, Any]
    counts: dict[str, int]


def _parse(source: TextIO) -> dict[str, Any]:
    try:
        document = json.load(source)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise Invalid(f"This is not an aimfire export (not JSON: {error}).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Invalid("This is not an aimfire export (its 'format' is not 'aimfire-export').")
    if document.get("version") != VERSION:
        raise Invalid(
            f"This export has version {document.get('version')!r}; this aimfire reads "
            f"version {VERSION}."
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise Invalid("The export has no 'tables'.")
    known = _tables()
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise Invalid(f"The export has tables this aimfire does not know: {', '.join(unknown)}.")
    for name, rows in tables.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise Invalid(f"The table '{name}' in the export is not a list of rows.")
        columns = {column.name for column in known[name].columns}  # derived ones are ignored
        extra = sorted({key for row in rows for key in row} - columns)
        if extra:
            raise Invalid(f"The table '{name}' has columns this aimfire does not know: {extra}.")
    return document


def _require_empty(db: Session) -> None:
    filled = []
    for table in Base.metadata.sorted_tables:
        if table.name in SEED_TABLES or table.name in NOT_DATA:
            continue
        count = db.scalar(select(func.count()).select_from(table))
        if count:
            filled.append(f"{count} {table.name.replace('_', ' ')}")
    if filled:
        raise Conflict(
            "The database is not empty (it has "
            + ", ".join(filled)
            + "). Restore into a new, empty database: point AIMFIRE_DATABASE_URL at one."
        )


def _load(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(f"'{value}' has no time zone")
        return moment
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, JSON):
        return value
    return value


def restore(db: Session, source: TextIO) -> RestoreReport:
    """Load an export into this (empty) database, keeping every id."""
    document = _parse(source)
    _require_empty(db)
    known = _tables()
    for name in reversed(SEED_TABLES):
        db.execute(delete(known[name]))
    order = [table.name for table in exported_tables()]
    position = {name: index for index, name in enumerate(order)}
    counts: dict[str, int] = {}
    deferred: list[tuple[Table, list[dict[str, Any]]]] = []
    try:
        for name in order:
            table = known[name]
            rows = document["tables"].get(name, [])
            later = [  # references to rows not inserted yet are filled in at the end
                fk.parent.name
                for fk in table.foreign_keys
                if position.get(fk.column.table.name, -1) >= position[name]
            ]
            loaded = [
                {
                    column.name: _load(column, row.get(column.name))
                    for column in exported_columns(table)
                }
                for row in rows
            ]
            fix = [row for row in loaded if any(row[c] is not None for c in later)]
            if fix:
                deferred.append((table, [_later_values(table, row, later) for row in fix]))
            for row in fix:
                row.update(dict.fromkeys(later))
            for start in range(0, len(loaded), INSERT_CHUNK):
                db.execute(insert(table), loaded[start : start + INSERT_CHUNK])
            counts[name] = len(loaded)
        for table, changes in deferred:
            _apply_later(db, table, changes)
        searchable.rebuild_all(db.connection())
        deal_summaries.rebuild_all(db.connection())
        rep_days.rebuild_all(db.connection())
    except (ValueError, TypeError, SQLAlchemyError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        message = f"The export does not fit this database ({reason}); nothing was restored."
        raise Invalid(message) from None
    _advance_sequences(db)
    return RestoreReport(document.get("scope") or {}, counts)


def _later_values(table: Table, row: dict[str, Any], later: list[str]) -> dict[str, Any]:
    keys = {column.name: row[column.name] for column in table.primary_key.columns}
    values = {name: row[name] for name in later}
    if "updated_at" in table.columns:  # keep the original, not the update's own time
        values["updated_at"] = row["updated_at"]
    return {"keys": keys, "values": values}


def _apply_later(db: Session, table: Table, changes: list[dict[str, Any]]) -> None:
    keys, names = list(changes[0]["keys"]), list(changes[0]["values"])
    statement = (
        update(table)
        .where(*(table.c[key] == bindparam(f"key_{key}") for key in keys))
        .values({name: bindparam(f"new_{name}") for name in names})
    )
    params = [
        {f"key_{k}": change["keys"][k] for k in keys}
        | {f"new_{n}": change["values"][n] for n in names}
        for change in changes
    ]
    for start in range(0, len(params), INSERT_CHUNK):
        db.execute(statement, params[start : start + INSERT_CHUNK])


def _advance_sequences(db: Session) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move; move them."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for table in exported_tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or columns[0].name != "id":
            continue
        db.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'COALESCE(MAX(id), 0) + 1, false) FROM "{table.name}"'
            )
        )
