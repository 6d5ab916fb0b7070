"""Reading the values other CRMs write into CSV cells: dates, money, yes/no, names, choices.

Every parser takes the cell's text (already stripped and known not to be empty) and either
returns a value or raises ``ValueError`` with a message fit to show beside the line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = (
    r"(?:[T ]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?"
    r"\s*(?P<zone>z|utc|gmt|[+-]\d{2}:?\d{2})?)?"
)
_ISO = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + r"$", re.I)
_ISO_FAST = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$"
)
_NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})" + _TIME + "$", re.I
)
_NAMED = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?[\s\-]+(?P<mon1>[a-z]{3,9})\.?,?[\s\-]+"
    r"|(?P<mon2>[a-z]{3,9})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+)"
    r"(?P<y>\d{4})" + _TIME.replace("[T ]+", "[T ,]+") + "$",
    re.I,
)


def _year(text: str) -> int:
    year = int(text)
    return year + (2000 if year < 70 else 1900) if len(text) == 2 else year


def _parts(text: str, day_first: bool) -> tuple[date, re.Match[str]]:
    value = text.strip()
    if match := _ISO.match(value):
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    elif match := _NUMERIC.match(value):
        a, b = int(match["a"]), int(match["b"])
        # 31.12.2026 is day-first wherever dots are used; slashes and dashes vary by country.
        day_number, month = (a, b) if day_first or match["sep"] == "." else (b, a)
        if month > 12 and day_number <= 12:  # the file says otherwise; believe the file
            day_number, month = month, day_number
        day = date(_year(match["y"]), month, day_number)
    elif match := _NAMED.match(value):
        month_name = (match["mon1"] or match["mon2"]).lower()
        if month_name not in MONTHS:
            raise ValueError(f"'{text}' has no month name I know")
        day = date(int(match["y"]), MONTHS[month_name], int(match["d1"] or match["d2"]))
    else:
        raise ValueError(f"'{text}' is not a date (use e.g. 2026-03-31 or 03/31/2026)")
    return day, match


def parse_date(text: str, *, day_first: bool = False) -> date:
    """A calendar date; any time of day in the cell is ignored."""
    try:
        return _parts(text, day_first)[0]
    except ValueError as error:
        raise ValueError(_date_message(text, error)) from None


def parse_datetime(text: str, zone: ZoneInfo, *, day_first: bool = False) -> datetime:
    """An instant in UTC. Times without an offset are local times in ``zone``."""
    if _ISO_FAST.match(text):  # the common case, parsed in C
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                return moment.replace(tzinfo=zone).astimezone(UTC)
            return moment.astimezone(UTC)
    try:
        day, match = _parts(text, day_first)
        hour = int(match["hour"] or 0)
        if ampm := match["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError(f"'{text}' has an hour that does not fit AM/PM")
            hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
        fraction = (match["frac"] or "0")[:6].ljust(6, "0")
        moment = datetime.combine(
            day, time(hour, int(match["minute"] or 0), int(match["second"] or 0), int(fraction))
        )
    except ValueError as error:
        raise ValueError(_date_message(text, error)) from None
    offset = (match["zone"] or "").lower()
    if offset in {"z", "utc", "gmt"}:
        return moment.replace(tzinfo=UTC)
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        return moment.replace(tzinfo=UTC) - timedelta(minutes=minutes)
    return moment.replace(tzinfo=zone).astimezone(UTC)


def _date_message(text: str, error: ValueError) -> str:
    message = str(error)
    return message if message.startswith(f"'{text}'") else f"'{text}' is not a real date"


def guess_day_first(values: Iterable[str]) -> bool | None:
    """Whether dates like 03/04/2026 put the day first, judged from sample values.

    None when the sample cannot tell (every such date has both parts 12 or less).
    """
    for value in values:
        if (match := _NUMERIC.match(value.strip())) and match["sep"] != ".":
            a, b = int(match["a"]), int(match["b"])
            if a > 12 >= b:
                return True
            if b > 12 >= a:
                return False
    return None


_MONEY_NOISE = re.compile(r"[\s\u00a0'\u2019]|[A-Za-z]{3}\b|[$€£¥₹]|^[A-Za-z]{3}")


def parse_money_cents(text: str) -> int:
    """An amount of money as whole cents: '1,234.50', '1.234,50', '$1 200', 'EUR 99'."""
    value = _MONEY_NOISE.sub("", text.strip())
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("-()")
    if not value or not re.fullmatch(r"[\d.,]+", value):
        raise ValueError(f"'{text}' is not an amount of money")
    dot, comma = value.rfind("."), value.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_mark = "." if dot > comma else ","
    elif comma >= 0:
        # '1,234' and '1,234,567' group thousands; '12,5' and '1,50' are decimals.
        groups = value.split(",")
        decimal_mark = "" if len(groups[-1]) == 3 and len(groups) > 1 else ","
        if value.count(",") > 1:
            decimal_mark = ""
    elif value.count(".") > 1:
        decimal_mark = ""
    else:
        decimal_mark = "."
    thousands = {".": ",", ",": ".", "": ",."}[decimal_mark]
    for mark in thousands:
        value = value.replace(mark, "")
    value = value.replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount of money") from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"'{text}' has fractions of a cent")
    return -int(cents) if negative else int(cents)


TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "on", "checked", "ja", "oui", "si"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "off", "unchecked", "nein", "non"})


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{text}' is not yes or no")


def parse_int(text: str, low: int, high: int, what: str = "number") -> int:
    value = text.strip()
    if re.fullmatch(r"[+-]?\d+(?:\.0+)?", value):
        number = int(value.split(".")[0])
        if low <= number <= high:
            return number
    raise ValueError(f"'{text}' is not a whole {what} from {low} to {high}")


def parse_minutes(text: str) -> int:
    """A duration in minutes: '30', '30 min', '1:30', '1h 30m', '90 minutes', '2 hours'."""
    value = text.strip().lower()
    if match := re.fullmatch(r"(\d{1,3}):(\d{2})(?::\d{2})?", value):
        minutes = int(match[1]) * 60 + int(match[2])
    elif match := re.fullmatch(
        r"(?:(\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:ute)?s?)?)?", value
    ):
        if not (match[1] or match[2]):
            raise ValueError(f"'{text}' is not a number of minutes")
        minutes = round(float(match[1] or 0) * 60) + int(match[2] or 0)
    elif re.fullmatch(r"\d+(?:\.0+)?", value):
        minutes = int(value.split(".")[0])
    else:
        raise ValueError(f"'{text}' is not a number of minutes")
    if not 1 <= minutes <= 24 * 60:
        raise ValueError(f"'{text}' is not between 1 minute and 24 hours")
    return minutes


def split_name(full: str) -> tuple[str, str]:
    """'Dana Whitfield' -> ('Dana', 'Whitfield'); 'Whitfield, Dana' -> ('Dana', 'Whitfield')."""
    full = " ".join(full.split())
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.partition(" ")
    return first, last


@lru_cache(maxsize=8192)  # the same words come back on row after row
def fold(text: str) -> str:
    """Lower case with every non-alphanumeric character removed: 'Closed - Won' -> 'closedwon'."""
    return _NOT_ALNUM.sub("", text.casefold())


_NOT_ALNUM = re.compile(r"[\W_]+")


# Folded words to values, per (enum, synonyms), built at first use: every row asks again.
# The synonyms mapping is kept with its table so its id cannot be reused while cached.
_CHOICE_TABLES: dict[tuple[type[StrEnum], int], tuple[Mapping[str, str], dict[str, str]]] = {}


def match_choice(text: str, choices: type[StrEnum], synonyms: Mapping[str, str]) -> str:
    """The enum value a cell means: its value, its label, or a known synonym (all folded)."""
    key = (choices, id(synonyms))
    if key not in _CHOICE_TABLES:
        words = {**synonyms, **{fold(member.value): member.value for member in choices}}
        _CHOICE_TABLES[key] = (synonyms, words)
    found = _CHOICE_TABLES[key][1].get(fold(text))
    if found is None:
        allowed = ", ".join(member.value for member in choices)
        raise ValueError(f"'{text}' is not one of: {allowed}")
    return found


def match_stage(text: str, stages: Sequence[tuple[str, str]]) -> str | None:
    """The key of the pipeline stage a CRM's stage name means, or None.

    ``stages`` are (key, name) pairs of this install; other CRMs' default stage names are
    translated to the nearest default stage here, when this install has it.
    """
    word = fold(text)
    for key, name in stages:
        if word in (fold(key), fold(name)):
            return key
    known = {key for key, _ in stages}
    key = STAGE_SYNONYMS.get(word)
    return key if key in known else None


# Default stage names of HubSpot, Salesforce and Pipedrive, folded, to this app's stage keys.
STAGE_SYNONYMS = {
    # HubSpot sales pipeline
    "appointmentscheduled": "meeting_set",
    "qualifiedtobuy": "qualified",
    "presentationscheduled": "meeting_set",
    "decisionmakerboughtin": "decision",
    "contractsent": "proposal",
    "closedwon": "won",
    "closedlost": "lost",
    # Salesforce opportunity stages
    "prospecting": "new",
    "qualification": "qualified",
    "needsanalysis": "needs_analysed",
    "valueproposition": "needs_analysed",
    "iddecisionmakers": "needs_analysed",
    "perceptionanalysis": "needs_analysed",
    "proposalpricequote": "proposal",
    "negotiationreview": "decision",
    # Pipedrive default pipeline
    "leadin": "new",
    "contactmade": "qualified",
    "demoscheduled": "meeting_set",
    "needsdefined": "needs_analysed",
    "proposalmade": "proposal",
    "negotiationsstarted": "decision",
    # plain words
    "lead": "new",
    "open": "new",
    "won": "won",
    "lost": "lost",
    "meetingscheduled": "meeting_set",
    "negotiation": "decision",
}

SOURCE_SYNONYMS = {
    "referrals": "referral",
    "referred": "referral",
    "wordofmouth": "referral",
    "partnerreferral": "referral",
    "employeereferral": "referral",
    "organicsearch": "inbound",
    "directtraffic": "inbound",
    "paidsearch": "inbound",
    "socialmedia": "inbound",
    "paidsocial": "inbound",
    "emailmarketing": "inbound",
    "web": "inbound",
    "website": "inbound",
    "webform": "inbound",
    "inboundcall": "inbound",
    "advertisement": "inbound",
    "purchasedlist": "list",
    "offlinesources": "list",
    "import": "list",
    "tradeshow": "event",
    "seminarinternal": "event",
    "seminarpartner": "event",
    "conference": "event",
    "webinar": "event",
    "customer": "existing_customer",
    "existingcustomer": "existing_customer",
    "coldcall": "cold",
    "outbound": "cold",
    "othercampaigns": "other",
}

ROLE_SYNONYMS = {
    "dm": "decision_maker",
    "decider": "decision_maker",
    "economicbuyer": "decision_maker",
    "champion": "influencer",
    "evaluator": "influencer",
    "assistant": "gatekeeper",
    "enduser": "user",
}

CHANNEL_SYNONYMS = {
    "call": "phone",
    "phonecall": "phone",
    "telephone": "phone",
    "calls": "phone",
    "mail": "email",
    "emails": "email",
    "inperson": "meeting",
    "visit": "meeting",
    "meetings": "meeting",
    "facetoface": "meeting",
    "lunch": "meeting",
    "videocall": "video",
    "zoom": "video",
    "teams": "video",
    "googlemeet": "video",
    "webex": "video",
    "sms": "text",
    "whatsapp": "text",
    "linkedin": "text",
    "social": "text",
    "message": "text",
}

REASON_SYNONYMS = {
    "askedtobecalled": "asked_to_be_called",
    "callback": "asked_to_be_called",
    "inbound": "inbound_enquiry",
    "enquiry": "inbound_enquiry",
    "inquiry": "inbound_enquiry",
    "inboundinquiry": "inbound_enquiry",
    "followupproposal": "proposal_follow_up",
    "proposalfollowup": "proposal_follow_up",
    "stalled": "re_engage_stalled",
    "reengage": "re_engage_stalled",
    "list": "list_or_event",
    "event": "list_or_event",
    "coldcall": "list_or_event",
}

STATUS_SYNONYMS = {
    "scheduled": "planned",
    "open": "planned",
    "todo": "planned",
    "notstarted": "planned",
    "completed": "done",
    "complete": "done",
    "held": "done",
    "logged": "done",
    "canceled": "cancelled",
    "noshow": "cancelled",
    "undone": "planned",
}

REACHED_SYNONYMS = {
    "reached": "connected",
    "yes": "connected",
    "spoke": "connected",
    "answered": "connected",
    "leftvoicemail": "voicemail",
    "leftmessage": "voicemail",
    "vm": "voicemail",
    "noanswer": "no_answer",
    "notreached": "no_answer",
    "busy": "no_answer",
    "bounce": "bounced",
    "wrongnumber": "bounced",
}

OBJECTIVE_MET_SYNONYMS = {
    "y": "yes",
    "true": "yes",
    "n": "no",
    "false": "no",
    "partially": "partly",
}
RESULT_SYNONYMS = {
    "won": "order",
    "sale": "order",
    "closed": "order",
    "nosale": "no_sale",
    "lost": "no_sale",
    "nextstep": "advance",
}
NEXT_STEP_SYNONYMS = {"nonextstep": "none", "closedwon": "won", "closedlost": "lost"}
PARTY_SYNONYMS = {
    "customer": "prospect",
    "client": "prospect",
    "buyer": "prospect",
    "them": "prospect",
    "contact": "prospect",
    "me": "rep",
    "us": "rep",
    "seller": "rep",
    "salesrep": "rep",
    "owner": "rep",
}
COMMITMENT_STATUS_SYNONYMS = {
    "pending": "open",
    "due": "open",
    "done": "kept",
    "fulfilled": "kept",
    "met": "kept",
    "missed": "broken",
    "notkept": "broken",
}
DEAL_STATUS_SYNONYMS = {"closedwon": "won", "closedlost": "lost", "active": "open"}

_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}")


def parse_email(text: str) -> str:
    """The first email address in a cell (exports may hold several, comma-separated)."""
    first = text.strip()
    if "," in first or ";" in first:
        first = re.split(r"[,;]", first)[0].strip()
    first = first.strip("<>").lower()
    if not _EMAIL.fullmatch(first) or len(first) > 254:
        raise ValueError(f"'{text}' is not an email address")
    return first


def first_phone(text: str) -> str:
    """The first of several comma- or semicolon-separated phone numbers."""
    if "," in text or ";" in text:
        return re.split(r"[,;]", text.strip())[0].strip()
    return text.strip()
