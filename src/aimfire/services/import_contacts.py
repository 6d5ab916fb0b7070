"""The contacts writer of a CSV import, which checks and converts a batch column by column.

A contacts file is the big one (a whole book from another CRM, up to a million rows), so its
rows are not each turned into a dict and checked on their own as other kinds are. Each column
of a batch is stripped, checked and converted in one pass, in C where the standard library
allows (``map`` over ``str`` methods, ``max`` over lengths). A row's problem is the one a
check of that row alone would find: the checks run in the same order and a row keeps its
first problem. The rows that are surely new contacts of companies already met (no email or
phone the book may hold or another row gives: the usual case) are inserted straight from
their columns; the others wait, a few thousand at a time, to be looked up together, then are
matched row by row in file order if any is a duplicate.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select

from aimfire.domain.contacts import ContactRole, ContactSource, phone_digits, search_texts
from aimfire.domain.csv_mapping import Kind
from aimfire.domain.csv_values import (
    ROLE_SYNONYMS,
    SOURCE_SYNONYMS,
    first_phone,
    parse_email,
    split_name,
)
from aimfire.services.import_writers import (
    ACCOUNT_NAMES,
    CONTACT_KEYS,
    MIN_PHONE_DIGITS,
    ImportContext,
    Layout,
    Pending,
    RawRow,
    Writer,
    lenient_choice,
    update_rows,
)
from aimfire.store.bulk import insert_columns, insert_many, one_of
from aimfire.store.models import Contact
from aimfire.store.searchable import contact_text

T = TypeVar("T")
contacts = Contact.__table__
NAME_LIMIT = 80
KEYS_PER_FETCH = 10_000  # the book's keys are read this many rows at a time
KNOWN_KEY_SLOTS = 1 << 24  # 16 MB; with a million keys, one in sixteen is looked up for nothing
HELD_ROWS = 5000  # rows held back (``ContactWriter._held_back``) before they are looked up
# What a row can give; a contact's other columns are the import's own.
GIVEN = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_digits",
    "title",
    "source",
    "role",
    "notes",
)
DIGITS = GIVEN.index("phone_digits")
CONTACT_FIELDS = (*GIVEN, "account_id")  # what an update may change
BLANK: dict[str, Any] = {  # what a new contact has where its row gives nothing
    "account_id": None,
    "last_name": "",
    "email": "",
    "phone": "",
    "phone_digits": "",
    "title": "",
    "source": ContactSource.OTHER.value,
    "role": None,
    "notes": "",
}


class ContactBatch:
    """A batch's rows as columns of stripped cells, and the first problem of each row that
    has one."""

    def __init__(self, layout: Layout, rows: Sequence[RawRow]) -> None:
        self.size = len(rows)
        self.problems: dict[int, str] = {}
        # What each row said (for the problems report), padded to the header's width.
        self.cells = [self._fitted(i, layout, cells) for i, (_, cells) in enumerate(rows)]
        fitting = (cells[: layout.width] for cells in self.cells)
        by_index = list(zip(*fitting, strict=True))
        self._columns = {target: by_index[i] for i, target in layout.fields}
        self.custom = [(header, by_index[i]) for i, header in layout.custom]

    def _fitted(self, i: int, layout: Layout, cells: list[str]) -> list[str]:
        try:
            return layout.fit(cells)
        except ValueError as error:
            self.refuse(i, str(error))
            return cells

    def refuse(self, i: int, reason: str) -> None:
        self.problems.setdefault(i, reason)

    def has(self, target: str) -> bool:
        return target in self._columns

    def column(self, target: str) -> list[str]:
        """The stripped cells mapped to ``target``; blanks where no column is."""
        cells = self._columns.get(target)
        return list(map(str.strip, cells)) if cells is not None else [""] * self.size

    def at_most(self, values: list[str], limit: int, label: str) -> None:
        if values and max(map(len, values)) > limit:
            for i, value in enumerate(values):
                if len(value) > limit:
                    self.refuse(i, f"{label} is longer than {limit} characters")

    def parsed(self, values: list[str], parse: Callable[[str], T]) -> list[T | None]:
        """Each non-blank value parsed; None for a blank one, or for one that cannot be."""
        out: list[T | None] = []
        for i, value in enumerate(values):
            if not value:
                out.append(None)
                continue
            try:
                out.append(parse(value))
            except ValueError as error:
                self.refuse(i, str(error))
                out.append(None)
        return out

    def chosen(
        self,
        target: str,
        choices: type[StrEnum],
        synonyms: dict[str, str],
        custom: list[dict[str, str]],
    ) -> list[str | None]:
        """The known choice each cell names; an unknown word is kept as a custom field."""
        words = self.column(target)
        meaning = {word: lenient_choice(word, choices, synonyms) for word in set(words) if word}
        chosen = [meaning.get(word) for word in words]
        for i, word in enumerate(words):
            if word and chosen[i] is None:
                custom[i][target.capitalize()] = word
        return chosen


class KnownKeys:
    """The emails and phone numbers the book may hold: those it held when the import began and
    those the import has written since. Only these are looked up in the database; the usual
    batch, all new contacts, then asks nothing.

    Each key marks one slot of a fixed table by its hash, so memory stays the same however
    large the book or the file: a key may share a slot with another (and be looked up for
    nothing), but a key written is never missed. A contact another session adds to the book
    while the import runs is not known to it.
    """

    def __init__(self, slots: int = KNOWN_KEY_SLOTS) -> None:
        if slots & (slots - 1):
            raise ValueError("the number of slots must be a power of two")
        self._slots = bytearray(slots)
        self._last = slots - 1  # a hash's low bits pick its slot

    def add(self, keys: Iterable[str]) -> None:
        slots, last = self._slots, self._last
        for key in keys:
            slots[hash(key) & last] = 1

    def mark(self, keys: Iterable[str]) -> set[str]:
        """Add ``keys``; return those that may have been known already (or given twice)."""
        slots, last = self._slots, self._last
        known = set()
        for key in keys:
            slot = hash(key) & last
            if slots[slot]:
                known.add(key)
            else:
                slots[slot] = 1
        return known


class HeldRows:
    """Rows of several batches held back from writing, as columns, and the keys among theirs
    that the book may already hold (to be looked up)."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {}
        self.companies: list[str] = []
        self.doubtful: set[str] = set()

    @property
    def size(self) -> int:
        return len(self.companies)

    def add(self, columns: dict[str, list[Any]], companies: list[str]) -> None:
        for name, values in columns.items():
            self.columns.setdefault(name, []).extend(values)
        self.companies.extend(companies)

    def taken(self) -> tuple[dict[str, list[Any]], list[str], set[str]]:
        """The rows held, which are no longer."""
        held = self.columns, self.companies, self.doubtful
        self.columns, self.companies, self.doubtful = {}, [], set()
        return held


class ContactWriter(Writer):
    kind = Kind.CONTACTS
    looked_up = (*CONTACT_KEYS, *ACCOUNT_NAMES)

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.known = KnownKeys()
        self.held = HeldRows()
        self.statistics_stale = False
        query = select(contacts.c.email, contacts.c.phone_digits).where(
            contacts.c.owner_id == ctx.actor.id
        )
        rows = ctx.db.execute(query.execution_options(yield_per=KEYS_PER_FETCH))
        self.known.add(key for row in rows for key in row if key)

    def take(self, rows: Sequence[RawRow]) -> None:
        batch = ContactBatch(self.ctx.layout, rows)
        columns, companies = self._converted(batch)
        for i in sorted(batch.problems):
            self.ctx.reject(Pending(rows[i][0], batch.cells[i], {}), batch.problems[i])
        good = [i for i in range(batch.size) if i not in batch.problems]
        held = self._held_back(columns, companies, good)
        if ready := [i for i in good if i not in held]:
            self._insert(_picked(columns, ready), [companies[i] for i in ready])
        if held:
            self.held.add(_picked(columns, sorted(held)), [companies[i] for i in sorted(held)])
            if self.held.size >= HELD_ROWS:
                self._settle()

    def finish(self) -> None:
        self._settle()

    def tables_grew(self) -> None:
        # Taken when the rows held back are next looked up (``_settle``), rather than now,
        # which would end the COPY of the rows written meanwhile.
        self.statistics_stale = True

    def _held_back(
        self, columns: dict[str, list[Any]], companies: list[str], rows: list[int]
    ) -> set[int]:
        """The rows that cannot be written as new contacts without asking the database: an
        email or phone number the book may hold (or another row of the batch gives), or a
        company the import has not met yet. They wait, the book's keys then known to include
        theirs, until enough have gathered to be looked up together (``_settle``). The rest,
        surely new, are written at once; on PostgreSQL, their COPY goes on undisturbed."""
        emails, phones = columns["email"], columns["phone_digits"]
        if len(rows) < len(emails):
            emails, phones = [emails[i] for i in rows], [phones[i] for i in rows]
        phones = [digits if len(digits) >= MIN_PHONE_DIGITS else "" for digits in phones]
        doubtful = self.known.mark(filter(None, itertools.chain(emails, phones)))
        self.held.doubtful |= doubtful
        cache = self.ctx.account_cache
        unmet = {name for name in set(companies) if name and name.casefold() not in cache}
        if not (doubtful or unmet):
            return set()
        return {
            row
            for row, email, phone in zip(rows, emails, phones, strict=True)
            if email in doubtful or phone in doubtful or companies[row] in unmet
        }

    def _settle(self) -> None:
        """Write the rows held back, in file order, each matched by email then phone to a
        contact already in the book or held before it (updated or skipped), or else new."""
        columns, companies, doubtful = self.held.taken()
        if not companies:
            return
        if self.statistics_stale:
            super().tables_grew()
            self.statistics_stale = False
        emails = [email for email in columns["email"] if email]
        phones = [d for d in columns["phone_digits"] if len(d) >= MIN_PHONE_DIGITS]
        existing = self._existing(doubtful & set(emails), doubtful & set(phones))
        twice = len(set(emails)) < len(emails) or len(set(phones)) < len(phones)
        if existing or twice:
            self._match_row_by_row(columns, companies, existing)
        else:
            self._insert(columns, companies)

    # --- checking and converting ------------------------------------------------------------

    def _converted(self, batch: ContactBatch) -> tuple[dict[str, list[Any]], list[str]]:
        """What each row gives, checked in the order a row on its own is checked; and each
        row's company. A column a row does not give holds a blank (None for a choice)."""
        first, last = batch.column("first_name"), batch.column("last_name")
        batch.at_most(first, NAME_LIMIT, "The first name")
        batch.at_most(last, NAME_LIMIT, "The last name")
        if batch.has("full_name"):
            _split_full_names(batch, first, last, batch.column("full_name"))
        if not all(first):
            for i in (i for i, name in enumerate(first) if not name):
                batch.refuse(i, "A contact needs a first name")
        emails = batch.parsed(batch.column("email"), parse_email)
        phones = batch.column("phone")
        if batch.has("mobile_phone"):
            phones = [p or m for p, m in zip(phones, batch.column("mobile_phone"), strict=True)]
        phones = list(map(first_phone, phones))
        batch.at_most(phones, 40, "The phone number")
        title, notes = batch.column("title"), batch.column("notes")
        batch.at_most(title, 120, "The job title")
        batch.at_most(notes, 20_000, "Notes")
        custom = _custom_fields(batch)
        source = batch.chosen("source", ContactSource, SOURCE_SYNONYMS, custom)
        role = batch.chosen("role", ContactRole, ROLE_SYNONYMS, custom)
        companies = batch.column("company")
        batch.at_most(companies, 200, "The company name")
        created = batch.parsed(batch.column("created_at"), self.ctx.when)
        columns = {
            "first_name": first,
            "last_name": last,
            "email": [email or "" for email in emails],
            "phone": phones,
            "phone_digits": list(map(phone_digits, phones)),
            "title": title,
            "source": source,
            "role": role,
            "notes": notes,
            "custom_fields": custom,
            "created_at": [when or self.ctx.now for when in created],
        }
        return columns, companies

    # --- writing ------------------------------------------------------------------------------

    def _insert(self, columns: dict[str, list[Any]], companies: list[str]) -> None:
        """Every row of the batch as a new contact, straight from the columns."""
        ctx = self.ctx
        size = len(companies)
        ids = ctx.account_ids(company for company in companies if company)
        filled = {  # a blank where the default is not (the source) becomes the default
            name: [value or BLANK[name] for value in values] if BLANK.get(name) else values
            for name, values in columns.items()
        }
        searched = (filled[name] for name in ("first_name", "last_name", "email", "phone_digits"))
        insert_columns(
            ctx.db,
            contacts,
            {
                **filled,
                "owner_id": [ctx.actor.id] * size,
                "account_id": [ids[c.casefold()] if c else None for c in companies],
                "updated_at": [ctx.now] * size,
                "search_text": search_texts(*searched),
            },
        )
        ctx.counts.created += size

    def _match_row_by_row(
        self,
        columns: dict[str, list[Any]],
        companies: list[str],
        existing: dict[tuple[str, str], dict[str, Any]],
    ) -> None:
        """Each row, in file order, matched by email then phone to a contact already there or
        written earlier in the batch, which it updates (or is skipped), or else a new one."""
        ctx = self.ctx
        rows = _given_rows(columns)
        inserts: list[dict[str, Any]] = []
        updates: dict[int, dict[str, Any]] = {}
        in_batch: dict[tuple[str, str], dict[str, Any]] = {}
        company_of: dict[int, str] = {}  # id() of a row to write -> the company it names
        for (given, custom, created), company in zip(rows, companies, strict=True):
            keys = _contact_keys(given)
            match = next((existing[k] for k in keys if k in existing), None)
            match = match or next((in_batch[k] for k in keys if k in in_batch), None)
            if match is None:
                match = self._new_row(given, custom, created)
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
            if company:
                company_of[id(match)] = company
        # Accounts are looked up (or created) only for rows that are written.
        account_ids = ctx.account_ids(company_of.values())
        for row in (*inserts, *updates.values()):
            if id(row) in company_of:
                row["account_id"] = account_ids[company_of[id(row)].casefold()]
            row["search_text"] = contact_text(row)
        if inserts:
            insert_many(ctx.db, contacts, inserts)
            ctx.counts.created += len(inserts)
        if updates:
            names = (*CONTACT_FIELDS, "custom_fields", "search_text")
            update_rows(ctx.db, contacts, names, updates)

    def _new_row(self, given: dict[str, Any], custom: dict[str, str], created: datetime) -> dict:
        return {
            "owner_id": self.ctx.actor.id,
            **BLANK,
            **given,
            "custom_fields": custom,
            "created_at": created,
            "updated_at": self.ctx.now,
        }

    def _existing(
        self, emails: set[str], phones: set[str]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """The owner's contacts with one of these emails or phone numbers, by key."""
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


def _picked(columns: dict[str, list[Any]], rows: list[int]) -> dict[str, list[Any]]:
    """The columns of some rows only."""
    return {name: [column[i] for i in rows] for name, column in columns.items()}


def _split_full_names(
    batch: ContactBatch, first: list[str], last: list[str], full: list[str]
) -> None:
    """A row with no first name but a full name ('Dana Whitfield', 'Whitfield, Dana') gets
    its names from the full name."""
    for i, name in enumerate(full):
        if name and not first[i]:
            first[i], split_last = split_name(name)
            last[i] = last[i] or split_last
            if len(first[i]) > NAME_LIMIT or len(last[i]) > NAME_LIMIT:
                batch.refuse(i, f"The name is longer than {NAME_LIMIT} characters")


def _custom_fields(batch: ContactBatch) -> list[dict[str, str]]:
    custom: list[dict[str, str]] = [{} for _ in range(batch.size)]
    for header, cells in batch.custom:
        for fields, value in zip(custom, map(str.strip, cells), strict=True):
            if value:
                fields[header] = value
    return custom


def _given_rows(
    columns: dict[str, list[Any]],
) -> Iterator[tuple[dict[str, Any], dict[str, str], datetime]]:
    """Each row's given fields (those it fills in; a phone's digits whenever it gives a
    phone), custom fields and creation time."""
    for values, custom, created in zip(
        zip(*(columns[name] for name in GIVEN), strict=True),
        columns["custom_fields"],
        columns["created_at"],
        strict=True,
    ):
        given = {name: value for name, value in zip(GIVEN, values, strict=True) if value}
        if "phone" in given:
            given["phone_digits"] = values[DIGITS]
        yield given, custom, created


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
