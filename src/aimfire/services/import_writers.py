"""Turning mapped CSV rows into records, one writer per kind, a batch of rows at a time.

A writer ``take``s a batch: ``convert`` checks each row on its own (raising ``ValueError``
with the reason), then ``write`` looks up what the batch's good rows refer to in one query per
table, and inserts and updates them with executemany. Contacts, the kind that comes by the
hundred thousand, are checked column by column instead (``import_contacts``). Nothing here
commits: the import runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, CompoundSelect, String, bindparam, desc, func, select, union, update
from sqlalchemy.orm import Session

from aimfire.domain.contacts import folded, phone_digits
from aimfire.domain.csv_mapping import Kind
from aimfire.domain.csv_values import (
    first_phone,
    match_choice,
    parse_date,
    parse_datetime,
    parse_email,
    split_name,
)
from aimfire.services.access import Actor
from aimfire.store.bulk import insert_many, one_of, refresh_statistics
from aimfire.store.models import Account, Contact, Deal

contacts = Contact.__table__
accounts = Account.__table__
deals = Deal.__table__
# What the duplicate lookups filter on, whose statistics a long import keeps current.
CONTACT_KEYS = (contacts.c.owner_id, contacts.c.email, contacts.c.phone_digits)
ACCOUNT_NAMES = (accounts.c.owner_id, accounts.c.name)
MIN_PHONE_DIGITS = 7  # shorter numbers are extensions or junk, not a way to tell people apart
ACCOUNT_CACHE_LIMIT = 100_000
INSTANT_CACHE_SIZE = 4096


RawRow = tuple[int, list[str]]  # a row as read: the line it starts on, and its cells


@dataclass(frozen=True, slots=True)
class Layout:
    """Which cell of a row holds which field, and which cells are kept as custom fields."""

    width: int  # the header's
    fields: tuple[tuple[int, str], ...]  # (cell, field)
    custom: tuple[tuple[int, str], ...]  # (cell, header)

    def fit(self, cells: list[str]) -> list[str]:
        """The cells padded to the header's width; ValueError if the row holds more."""
        if len(cells) < self.width:
            return cells + [""] * (self.width - len(cells))
        if len(cells) > self.width and any(cell.strip() for cell in cells[self.width :]):
            raise ValueError(
                f"The row has {len(cells)} values but the header has {self.width} columns"
            )
        return cells

    def values(self, cells: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The row's fields and its custom fields, stripped; blank ones left out."""
        fields = {target: value for i, target in self.fields if (value := cells[i].strip())}
        custom = {header: value for i, header in self.custom if (value := cells[i].strip())}
        return fields, custom


@dataclass(slots=True)
class Pending:
    """A row that passed ``convert``: its line in the file, its cells, and what it holds."""

    line: int
    cells: list[str]
    data: dict[str, Any]


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    bad: int = 0
    accounts_created: int = 0


@dataclass
class ImportContext:
    db: Session
    actor: Actor
    zone: ZoneInfo
    day_first: bool
    update_duplicates: bool
    now: datetime
    counts: Counts
    reject: Callable[[Pending, str], None]
    layout: Layout
    account_cache: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Exports repeat the same stamps row after row (a day, a time); each is parsed once.
        self._instant = lru_cache(maxsize=INSTANT_CACHE_SIZE)(self._parse_instant)

    def _parse_instant(self, text: str) -> datetime:
        return parse_datetime(text, self.zone, day_first=self.day_first)

    def when(self, text: str | None) -> datetime | None:
        return self._instant(text) if text else None

    def day(self, text: str | None) -> date | None:
        return parse_date(text, day_first=self.day_first) if text else None

    def account_ids(self, names: Iterable[str]) -> dict[str, int]:
        """Ids of the owner's accounts by case-folded name, creating those that are missing
        (named as the first row that names each spells it)."""
        wanted: dict[str, str] = {}
        for name in filter(None, names):
            wanted.setdefault(name.casefold(), name)
        if len(self.account_cache) > ACCOUNT_CACHE_LIMIT:
            self.account_cache.clear()
        missing = {key: name for key, name in wanted.items() if key not in self.account_cache}
        if missing:
            self._load_accounts(missing)
            still = [name for key, name in missing.items() if key not in self.account_cache]
            if still:
                stamp = {"created_at": self.now, "updated_at": self.now}
                blank = {"industry": "", "website": "", "phone": "", "notes": ""}
                rows = [
                    {
                        "owner_id": self.actor.id,
                        "name": n,
                        "search_text": folded(n),
                        **blank,
                        **stamp,
                    }
                    for n in still
                ]
                insert_many(self.db, accounts, rows)
                self.counts.accounts_created += len(rows)
                self._load_accounts({name.casefold(): name for name in still})
        return {key: self.account_cache[key] for key in wanted}

    def _load_accounts(self, names: dict[str, str]) -> None:
        for account_id, name in self.db.execute(
            _ACCOUNT_IDS, _named(self.actor.id, names.values())
        ):
            self.account_cache.setdefault(name.casefold(), account_id)


def text(values: dict[str, str], name: str, limit: int, label: str) -> str:
    value = values.get(name, "")
    if len(value) > limit:
        raise ValueError(f"{label} is longer than {limit} characters")
    return value


def lenient_choice(value: str | None, choices: type[Any], synonyms: dict[str, str]) -> str | None:
    """A known choice, or None for an unknown word (kept in the custom fields by the caller)."""
    if not value:
        return None
    try:
        return match_choice(value, choices, synonyms)
    except ValueError:
        return None


class Writer:
    """Writes one kind of record from a batch of rows at a time: ``take`` checks each row on
    its own with ``convert`` (a ValueError gives the reason it is refused), then ``write``
    writes the rows that passed."""

    kind: Kind
    # The columns a batch looks rows up by, whose statistics the import keeps current.
    looked_up: tuple[Column[Any], ...] = ()

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx

    def take(self, rows: Sequence[RawRow]) -> None:
        layout, batch = self.ctx.layout, []
        for line, cells in rows:
            try:
                cells = layout.fit(cells)
                batch.append(Pending(line, cells, self.convert(*layout.values(cells))))
            except ValueError as error:
                self.ctx.reject(Pending(line, cells, {}), str(error))
        if batch:
            self.write(batch)

    def convert(self, values: dict[str, str], custom: dict[str, str]) -> dict[str, Any]:
        raise NotImplementedError

    def write(self, batch: list[Pending]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once every batch is written, in the same transaction."""

    def tables_grew(self) -> None:
        """Called when the rows imported have doubled since the planner's statistics were
        last taken: takes them afresh for the columns this writer looks rows up by."""
        refresh_statistics(self.ctx.db, self.looked_up)


def update_rows(
    db: Session, table: Any, names: tuple[str, ...], rows: dict[int, dict[str, Any]]
) -> None:
    """Set the named columns (and ``updated_at``) of rows by id, in one executemany."""
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in (*names, "updated_at")})
    )
    params = [
        {"row_id": row_id, **{f"new_{name}": row[name] for name in (*names, "updated_at")}}
        for row_id, row in rows.items()
    ]
    db.execute(statement, params)


# --- accounts ----------------------------------------------------------------------------

ACCOUNT_FIELDS = ("name", "industry", "website", "phone", "notes")  # the name first
ACCOUNT_LIMITS = {"name": 200, "industry": 120, "website": 300, "phone": 40, "notes": 20_000}


def _with_name(*columns: Any) -> CompoundSelect:
    """The owner's accounts with one of the names, as written or in any case: built once, the
    owner and the names bound when they run (``_named``). Two arms of a UNION, each reading
    its own index: the two conditions joined by OR were planned as a read of all of the
    owner's accounts, for every batch of an import."""
    owned = accounts.c.owner_id == bindparam("owner")
    lowered = func.lower(accounts.c.name, type_=String)
    return union(
        select(*columns).where(owned, one_of(accounts.c.name, "names")),
        select(*columns).where(owned, one_of(lowered, "lowered")),
    )


_ACCOUNT_IDS = _with_name(accounts.c.id, accounts.c.name).order_by("id")
_ACCOUNTS = _with_name(*(accounts.c[name] for name in ("id", *ACCOUNT_FIELDS))).order_by(desc("id"))


def _named(owner_id: int, names: Iterable[str]) -> dict[str, Any]:
    wanted = list(names)
    return {"owner": owner_id, "names": wanted, "lowered": [name.lower() for name in wanted]}


class AccountWriter(Writer):
    kind = Kind.ACCOUNTS
    looked_up = ACCOUNT_NAMES

    def convert(self, values: dict[str, str], custom: dict[str, str]) -> dict[str, Any]:
        given = {
            name: text(values, name, limit, name.capitalize())
            for name, limit in ACCOUNT_LIMITS.items()
            if name in values
        }
        if not given.get("name"):
            raise ValueError("An account needs a name")
        created = self.ctx.when(values.get("created_at")) or self.ctx.now
        return {"given": given, "created_at": created}

    def write(self, batch: list[Pending]) -> None:
        ctx = self.ctx
        names = {p.data["given"]["name"] for p in batch}
        existing = {
            row["name"].casefold(): dict(row)
            for row in ctx.db.execute(_ACCOUNTS, _named(ctx.actor.id, names)).mappings()
        }
        inserts: list[dict[str, Any]] = []
        updates: dict[int, dict[str, Any]] = {}
        for pending in batch:
            given = pending.data["given"]
            key = given["name"].casefold()
            match = existing.get(key)
            if match is None:
                row = {name: "" for name in ACCOUNT_FIELDS} | given
                row |= {"owner_id": ctx.actor.id, "updated_at": ctx.now}
                row["search_text"] = folded(given["name"])
                row["created_at"] = pending.data["created_at"]
                inserts.append(row)
                existing[key] = row
            elif not ctx.update_duplicates:
                ctx.counts.skipped += 1
            else:
                changes = {k: v for k, v in given.items() if v and k != "name"}
                match.update(changes | {"updated_at": ctx.now})
                if "id" in match:
                    updates[match["id"]] = match
                ctx.counts.updated += 1
        if inserts:
            insert_many(ctx.db, accounts, inserts)
            ctx.counts.created += len(inserts)
        if updates:  # never the name: the import matched the account by it
            update_rows(ctx.db, accounts, ACCOUNT_FIELDS[1:], updates)


# --- who a row is about ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactRef:
    id: int
    account_id: int | None
    role: str | None


def full_name_key(name: str) -> str:
    if "," in name:
        first, last = split_name(name)
        name = f"{first} {last}"
    return " ".join(name.split()).casefold()


class ContactFinder:
    """Finds the owner's contacts named in a batch: by email, then phone, then full name."""

    def __init__(self, ctx: ImportContext, batch: list[Pending]) -> None:
        who = [p.data["who"] for p in batch]
        emails = {w["email"] for w in who if w.get("email")}
        phones = {w["phone"] for w in who if w.get("phone")}
        names = {full_name_key(w["name"]) for w in who if w.get("name")}
        self.by_email: dict[str, ContactRef] = {}
        self.by_phone: dict[str, ContactRef] = {}
        self.by_name: dict[str, list[ContactRef]] = {}
        if not (emails or phones or names):
            return
        c = contacts.c
        full = func.lower(func.trim(c.first_name + " " + c.last_name))
        columns = (c.id, c.account_id, c.role, c.email, c.phone_digits, c.first_name, c.last_name)
        rows = {}
        for expression, wanted in ((c.email, emails), (c.phone_digits, phones), (full, names)):
            if wanted:
                query = select(*columns).where(c.owner_id == ctx.actor.id, expression.in_(wanted))
                rows.update({row.id: row for row in ctx.db.execute(query)})
        for row_id in sorted(rows, reverse=True):  # the oldest contact wins when several match
            row = rows[row_id]
            ref = ContactRef(row.id, row.account_id, row.role)
            if row.email:
                self.by_email[row.email] = ref
            if row.phone_digits:
                self.by_phone[row.phone_digits] = ref
            key = full_name_key(f"{row.first_name} {row.last_name}")
            self.by_name.setdefault(key, []).insert(0, ref)

    def find(self, who: dict[str, str]) -> ContactRef:
        """The one contact a row means, or ValueError saying why none could be chosen."""
        if (email := who.get("email")) and email in self.by_email:
            return self.by_email[email]
        if (phone := who.get("phone")) and phone in self.by_phone:
            return self.by_phone[phone]
        if name := who.get("name"):
            found = self.by_name.get(full_name_key(name), [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ValueError(
                    f"{len(found)} of your contacts are called {name}; give the email instead"
                )
        named = who.get("email") or who.get("phone_text") or who.get("name")
        raise ValueError(f"No contact {named} in your book; import your contacts first")


def who_from(values: dict[str, str], *, required: bool) -> dict[str, str]:
    who: dict[str, str] = {}
    if "contact_email" in values:
        who["email"] = parse_email(values["contact_email"])
    if "contact_phone" in values:
        digits = phone_digits(first_phone(values["contact_phone"]))
        if len(digits) >= MIN_PHONE_DIGITS:
            who["phone"], who["phone_text"] = digits, values["contact_phone"]
    if values.get("contact_name"):
        who["name"] = values["contact_name"]
    if required and not who:
        raise ValueError("The row does not say who the contact is")
    return who
