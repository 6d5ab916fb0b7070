"""Turning mapped CSV rows into records, one writer per kind, in batches.

``convert`` checks one row on its own (raising ``ValueError`` with the reason); ``write``
looks up what a whole batch refers to in one query per table, then inserts and updates the
batch with executemany. Nothing here commits: the import runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, String, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from aimfire.domain.contacts import ContactRole, ContactSource, folded, phone_digits
from aimfire.domain.csv_mapping import Kind
from aimfire.domain.csv_values import (
    ROLE_SYNONYMS,
    SOURCE_SYNONYMS,
    first_phone,
    match_choice,
    parse_date,
    parse_datetime,
    parse_email,
    split_name,
)
from aimfire.services.access import Actor
from aimfire.store.bulk import insert_many, one_of
from aimfire.store.models import Account, Contact, Deal
from aimfire.store.searchable import contact_text

contacts = Contact.__table__
accounts = Account.__table__
deals = Deal.__table__
MIN_PHONE_DIGITS = 7  # shorter numbers are extensions or junk, not a way to tell people apart
ACCOUNT_CACHE_LIMIT = 100_000
INSTANT_CACHE_SIZE = 4096


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
        """Ids of the owner's accounts by case-folded name, creating those that are missing."""
        wanted = {name.casefold(): name for name in names if name}
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
    kind: Kind

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx

    def convert(self, values: dict[str, str], custom: dict[str, str]) -> dict[str, Any]:
        raise NotImplementedError

    def write(self, batch: list[Pending]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once every batch is written, in the same transaction."""


# --- contacts ----------------------------------------------------------------------------

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_digits",
    "title",
    "source",
    "role",
    "notes",
    "account_id",
)


class ContactWriter(Writer):
    kind = Kind.CONTACTS

    def convert(self, values: dict[str, str], custom: dict[str, str]) -> dict[str, Any]:
        first = text(values, "first_name", 80, "The first name")
        last = text(values, "last_name", 80, "The last name")
        if not first and "full_name" in values:
            first, split_last = split_name(values["full_name"])
            last = last or split_last
            if len(first) > 80 or len(last) > 80:
                raise ValueError("The name is longer than 80 characters")
        if not first:
            raise ValueError("A contact needs a first name")
        given: dict[str, Any] = {"first_name": first}
        if last:
            given["last_name"] = last
        if "email" in values:
            given["email"] = parse_email(values["email"])
        phone = first_phone(values.get("phone") or values.get("mobile_phone") or "")
        if len(phone) > 40:
            raise ValueError("The phone number is longer than 40 characters")
        if phone:
            given["phone"], given["phone_digits"] = phone, phone_digits(phone)
        for name, limit, label in (("title", 120, "The job title"), ("notes", 20_000, "Notes")):
            if value := text(values, name, limit, label):
                given[name] = value
        custom = dict(custom)
        for name, choices, synonyms in (
            ("source", ContactSource, SOURCE_SYNONYMS),
            ("role", ContactRole, ROLE_SYNONYMS),
        ):
            if name in values:
                chosen = lenient_choice(values[name], choices, synonyms)
                if chosen is None:
                    custom[name.capitalize()] = values[name]
                else:
                    given[name] = chosen
        company = text(values, "company", 200, "The company name")
        created = self.ctx.when(values.get("created_at")) or self.ctx.now
        return {"given": given, "company": company, "custom": custom, "created_at": created}

    def write(self, batch: list[Pending]) -> None:
        ctx = self.ctx
        existing = self._existing(batch)
        inserts: list[dict[str, Any]] = []
        updates: dict[int, dict[str, Any]] = {}
        in_batch: dict[tuple[str, str], dict[str, Any]] = {}
        companies: dict[int, str] = {}  # id() of a row to write -> the company it names
        for pending in batch:
            given, custom = pending.data["given"], pending.data["custom"]
            keys = _contact_keys(given)
            match = next((existing[k] for k in keys if k in existing), None)
            match = match or next((in_batch[k] for k in keys if k in in_batch), None)
            if match is None:
                match = self._new_row(given, custom, pending.data["created_at"])
                inserts.append(match)
                in_batch.update(dict.fromkeys(keys, match))
            elif not ctx.update_duplicates:
                ctx.counts.skipped += 1
                continue
            else:
                match.update(given)
                match["custom_fields"] = {**match["custom_fields"], **custom}
                match["updated_at"] = ctx.now
                if "id" in match:
                    updates[match["id"]] = match
                ctx.counts.updated += 1
            if pending.data["company"]:
                companies[id(match)] = pending.data["company"]
        # Accounts are looked up (or created) only for rows that are written.
        account_ids = ctx.account_ids(companies.values())
        for row in (*inserts, *updates.values()):
            if id(row) in companies:
                row["account_id"] = account_ids[companies[id(row)].casefold()]
            row["search_text"] = contact_text(row)
        if inserts:
            insert_many(ctx.db, contacts, inserts)
            ctx.counts.created += len(inserts)
        if updates:
            _update_rows(
                ctx.db, contacts, (*CONTACT_FIELDS, "custom_fields", "search_text"), updates
            )

    def _new_row(self, given: dict[str, Any], custom: dict[str, str], created: datetime) -> dict:
        row = {
            "owner_id": self.ctx.actor.id,
            "account_id": None,
            "last_name": "",
            "email": "",
            "phone": "",
            "phone_digits": "",
            "title": "",
            "source": ContactSource.OTHER.value,
            "role": None,
            "notes": "",
            **given,
            "custom_fields": custom,
            "created_at": created,
            "updated_at": self.ctx.now,
        }
        return row

    def _existing(self, batch: list[Pending]) -> dict[tuple[str, str], dict[str, Any]]:
        emails = {p.data["given"]["email"] for p in batch if p.data["given"].get("email")}
        phones = {
            digits
            for p in batch
            if len(digits := p.data["given"].get("phone_digits", "")) >= MIN_PHONE_DIGITS
        }
        if not emails and not phones:
            return {}
        by_id: dict[int, dict[str, Any]] = {}
        # One query per key: SQLite plans "email IN (...) OR phone IN (...)" as a scan.
        for key, wanted in (("email", emails), ("phone_digits", phones)):
            if wanted:
                values = {"owner": self.ctx.actor.id, "wanted": list(wanted)}
                for record in self.ctx.db.execute(_contacts_by(key), values).mappings():
                    by_id.setdefault(record["id"], dict(record))
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for row_id in sorted(by_id, reverse=True):  # the oldest contact wins when several match
            row = by_id[row_id]
            row["custom_fields"] = dict(row["custom_fields"] or {})
            found.update(dict.fromkeys(_contact_keys(row), row))
        return found


@cache  # built once: a statement built per batch cost as much as running it
def _contacts_by(key: str) -> Select[Any]:
    """The owner's contacts whose ``key`` column is one of the wanted values."""
    columns = (contacts.c.id, *(contacts.c[name] for name in CONTACT_FIELDS))
    return select(*columns, contacts.c.custom_fields).where(
        contacts.c.owner_id == bindparam("owner"),
        one_of(contacts.c[key], "wanted"),
    )


def _contact_keys(values: dict[str, Any]) -> list[tuple[str, str]]:
    keys = []
    if email := values.get("email"):
        keys.append(("email", email))
    if len(digits := values.get("phone_digits") or "") >= MIN_PHONE_DIGITS:
        keys.append(("phone", digits))
    return keys


def _update_rows(
    db: Session, table: Any, names: tuple[str, ...], rows: dict[int, dict[str, Any]]
) -> None:
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

# The owner's accounts with one of the names, as written or in any case: built once, the
# owner and the names bound when they run (``_named``).
_WITH_NAME = (
    accounts.c.owner_id == bindparam("owner"),
    or_(
        one_of(accounts.c.name, "names"),
        one_of(func.lower(accounts.c.name, type_=String), "lowered"),
    ),
)
_ACCOUNT_IDS = select(accounts.c.id, accounts.c.name).where(*_WITH_NAME).order_by(accounts.c.id)
_ACCOUNTS = (
    select(*(accounts.c[name] for name in ("id", *ACCOUNT_FIELDS)))
    .where(*_WITH_NAME)
    .order_by(accounts.c.id.desc())
)


def _named(owner_id: int, names: Iterable[str]) -> dict[str, Any]:
    wanted = list(names)
    return {"owner": owner_id, "names": wanted, "lowered": [name.lower() for name in wanted]}


class AccountWriter(Writer):
    kind = Kind.ACCOUNTS

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
            _update_rows(ctx.db, accounts, ACCOUNT_FIELDS[1:], updates)


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
