"""Words the product uses about contacts and their part in a deal."""

from __future__ import annotations

import re
from enum import StrEnum


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


def humanize(value: str) -> str:
    """``decision_maker`` -> ``Decision maker`` for labels in pages and tables."""
    return value.replace("_", " ").capitalize()
