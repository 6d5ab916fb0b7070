"""Words the product uses about contacts and their part in a deal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from itertools import repeat


class ContactSource(StrEnum):
    REFERRAL = "referral"
    INBOUND = "inbound"
    LIST = "list"
    EVENT = "event"
    EXISTING_CUSTOMER = "existing_customer"
    COLD = "cold"
    OTHER = "other"


class ContactRole(StrEnum):
    """The part a person plays in a buying decision."""

    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    GATEKEEPER = "gatekeeper"
    USER = "user"


_NOT_DIGIT = re.compile(r"[^0-9]")  # not \D: it keeps digits of every script


def phone_digits(phone: str | None) -> str:
    """Digits only, so "+1 (555) 010-2030" and "5550102030" find each other."""
    return _NOT_DIGIT.sub("", phone or "")


# Long enough for two full names, an email and a phone number; short enough to sit in an index.
SEARCH_TEXT_LIMIT = 300


def folded(text: str) -> str:
    """Lower case without accents, so "GARCÍA", "García" and "garcia" find each other."""
    if text.isascii():
        return text.lower()
    # Decomposed both before and after case folding: "ᴬ" only becomes "A" once decomposed,
    # and only then folds to "a"; so folding twice gives what folding once gave.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return decomposed.translate(_without_combining_marks())


@cache  # built on first use, not when the module is imported
def _without_combining_marks() -> dict[int, None]:
    """Every combining mark (all lie below U+20000) mapped to nothing: accents left by NFKD."""
    return dict.fromkeys(point for point in range(0x20000) if unicodedata.combining(chr(point)))


def person_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def search_text(first_name: str, last_name: str, email: str, phone_digits: str) -> str:
    """What a contact search looks through, folded once when the contact is written."""
    return search_texts([first_name], [last_name], [email], [phone_digits])[0]


def search_texts(
    first_names: Iterable[str],
    last_names: Iterable[str],
    emails: Iterable[str],
    phone_digits: Iterable[str],
) -> list[str]:
    """``search_text`` of many contacts given column by column (an import's batch)."""
    # The email last: an email long enough to be cut short loses only its own end.
    parts = zip(first_names, last_names, phone_digits, emails, strict=True)
    words = map(" ".join, map(filter, repeat(None), parts))  # the blank parts left out
    return [folded(text)[:SEARCH_TEXT_LIMIT] for text in words]


def humanize(value: str) -> str:
    """``decision_maker`` -> ``Decision maker`` for labels in pages and tables."""
    return value.replace("_", " ").capitalize()
