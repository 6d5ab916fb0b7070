"""Understanding a CSV file from another CRM: its encoding, delimiter, header row, and which
column means which field, with presets for HubSpot, Salesforce and Pipedrive exports.

Pure functions over bytes, text and lists of cells; the import service does the reading.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aimfire.domain.csv_values import fold


class Kind(StrEnum):
    CONTACTS = "contacts"
    ACCOUNTS = "accounts"
    DEALS = "deals"
    INTERACTIONS = "interactions"


CUSTOM = "custom"  # keep the column as a custom field, named by its header
IGNORE = "ignore"  # leave the column out
KEEPS_CUSTOM_FIELDS = frozenset({Kind.CONTACTS, Kind.DEALS})


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    synonyms: tuple[str, ...] = ()  # header spellings (folded) that mean this field


def _f(name: str, label: str, *synonyms: str) -> Field:
    return Field(name, label, tuple(fold(s) for s in (name, label, *synonyms)))


_CREATED = ("created", "create date", "created date", "creation date", "date created")
FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.CONTACTS: (
        _f("first_name", "First name", "firstname", "given name", "forename"),
        _f("last_name", "Last name", "lastname", "surname", "family name"),
        _f("full_name", "Full name", "name", "contact name", "contact", "person"),
        _f("email", "Email", "email address", "e-mail", "emails", "work email", "primary email"),
        _f("phone", "Phone", "phone number", "telephone", "work phone", "business phone"),
        _f("mobile_phone", "Mobile phone", "mobile", "mobile phone number", "cell", "cell phone"),
        _f("title", "Job title", "title", "position", "role title", "jobtitle"),
        _f(
            "company",
            "Company",
            "company name",
            "account",
            "account name",
            "organization",
            "organisation",
            "organization name",
            "associated company",
        ),
        _f("source", "Source", "lead source", "contact source", "original source"),
        _f("role", "Part in decisions", "buying role", "contact role"),
        _f("notes", "Notes", "note", "description", "comments"),
        _f("created_at", "Created", *_CREATED),
    ),
    Kind.ACCOUNTS: (
        _f(
            "name",
            "Name",
            "company",
            "company name",
            "account",
            "account name",
            "organization",
            "organisation",
            "organization name",
        ),
        _f("industry", "Industry", "sector"),
        _f("website", "Website", "website url", "web site", "domain", "company domain name"),
        _f("phone", "Phone", "phone number", "telephone", "main phone"),
        _f("notes", "Notes", "note", "description", "about"),
        _f("created_at", "Created", *_CREATED),
    ),
    Kind.DEALS: (
        _f("title", "Title", "deal", "deal name", "name", "opportunity", "opportunity name"),
        _f("value", "Value", "amount", "deal value", "deal amount", "price"),
        _f("stage", "Stage", "deal stage", "stage name", "pipeline stage"),
        _f("status", "Status (open, won, lost)", "deal status"),
        _f("contact_email", "Contact email", "email", "contact email address"),
        _f(
            "contact_name",
            "Contact name",
            "contact",
            "contact person",
            "associated contact",
            "primary contact",
            "person",
        ),
        _f(
            "company",
            "Company",
            "company name",
            "account",
            "account name",
            "organization",
            "organisation",
            "associated company",
        ),
        _f("expected_close_on", "Expected close date", "expected close", "expected close date"),
        _f("close_date", "Close date (expected, or when closed)", "close date", "closedate"),
        _f("closed_at", "Closed on", "closed", "won time", "lost time", "closed date"),
        _f("proposal_sent_on", "Proposal sent on", "proposal sent", "proposal date"),
        _f("decision_maker_met", "Decision maker met", "met decision maker"),
        _f("notes", "Notes", "note", "description", "deal description", "comments"),
        _f("created_at", "Created", *_CREATED),
    ),
    Kind.INTERACTIONS: (
        _f("contact_email", "Contact email", "email", "email address"),
        _f("contact_phone", "Contact phone", "phone", "phone number"),
        _f("contact_name", "Contact name", "contact", "name", "person", "contact person"),
        _f("deal_title", "Deal", "deal", "deal name", "opportunity"),
        _f("reason", "Reason (why)", "why", "purpose"),
        _f("channel", "Channel (how)", "how", "type", "activity type", "medium"),
        _f("objective", "Objective (what)", "what", "goal", "aim", "subject"),
        _f("learning_questions", "Learning questions", "questions", "what to learn"),
        _f("best_outcome", "Best outcome"),
        _f("minimum_outcome", "Minimum acceptable outcome", "fallback", "minimum outcome"),
        _f(
            "scheduled_at",
            "Scheduled at",
            "date",
            "when",
            "due date",
            "start",
            "start time",
            "activity date",
            "scheduled",
            "date time",
        ),
        _f("planned_minutes", "Planned minutes", "duration", "planned duration"),
        _f("status", "Status (planned, done, cancelled)", "done"),
        _f("reached", "Reached", "outcome", "call outcome", "connected"),
        _f("objective_met", "Objective met", "met", "objective achieved"),
        _f("result", "Result", "result class"),
        _f("learned", "What was learned", "learned", "learnings", "notes", "note"),
        _f("actual_minutes", "Actual minutes", "actual duration", "minutes"),
        _f("logged_at", "Logged at", "completed at", "done at", "marked as done time"),
        _f("tonality", "Tonality"),
        _f("emotional_engagement", "Emotional engagement"),
        _f("business_relevance", "Business relevance"),
        _f("personal_relevance", "Personal relevance"),
        _f("depth_of_engagement", "Depth of engagement"),
        _f("next_step", "Next step (scheduled, won, lost, none)"),
        _f("no_next_step_reason", "Why no next step"),
        _f("commitment", "Commitment", "promise", "commitment made"),
        _f("commitment_party", "Commitment by (prospect or rep)", "promised by"),
        _f("commitment_due_on", "Commitment due", "promise due", "commitment due date"),
        _f("commitment_status", "Commitment status (open, kept, broken)", "promise status"),
    ),
}


def field_names(kind: Kind) -> list[str]:
    return [field.name for field in FIELDS[kind]]


# --- presets ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    label: str
    kind: Kind
    columns: Mapping[str, str]  # folded header -> field name


def _preset(name: str, label: str, kind: Kind, columns: dict[str, str]) -> Preset:
    return Preset(name, label, kind, {fold(header): field for header, field in columns.items()})


# Column headers as each CRM's export writes them (HubSpot: property labels; Salesforce:
# report labels and the API names of its Data Export; Pipedrive: "Entity - Field").
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        _preset("hubspot_contacts", "HubSpot contacts export", Kind.CONTACTS, {
            "First Name": "first_name", "Last Name": "last_name", "Email": "email",
            "Phone Number": "phone", "Mobile Phone Number": "mobile_phone",
            "Job Title": "title", "Company Name": "company", "Associated Company": "company",
            "Original Source": "source", "Create Date": "created_at", "Notes": "notes",
            "Record ID": CUSTOM, "Contact owner": CUSTOM, "Lifecycle Stage": CUSTOM,
            "Lead Status": CUSTOM, "Last Activity Date": CUSTOM,
        }),
        _preset("hubspot_deals", "HubSpot deals export", Kind.DEALS, {
            "Deal Name": "title", "Amount": "value", "Deal Stage": "stage",
            "Close Date": "close_date", "Create Date": "created_at",
            "Deal Description": "notes", "Associated Company": "company",
            "Associated Contact": "contact_name", "Associated Contact Email": "contact_email",
            "Record ID": CUSTOM, "Deal owner": CUSTOM, "Pipeline": CUSTOM, "Deal Type": CUSTOM,
        }),
        _preset("salesforce_contacts", "Salesforce contacts export", Kind.CONTACTS, {
            "First Name": "first_name", "FirstName": "first_name", "Last Name": "last_name",
            "LastName": "last_name", "Email": "email", "Phone": "phone", "Business Phone": "phone",
            "Mobile": "mobile_phone", "MobilePhone": "mobile_phone", "Title": "title",
            "Account Name": "company", "Lead Source": "source", "LeadSource": "source",
            "Description": "notes", "Created Date": "created_at", "CreatedDate": "created_at",
            "Contact ID": CUSTOM, "Contact Owner": CUSTOM, "Id": CUSTOM, "AccountId": CUSTOM,
            "OwnerId": CUSTOM, "Salutation": CUSTOM, "Mailing City": CUSTOM, "MailingCity": CUSTOM,
        }),
        _preset("salesforce_deals", "Salesforce opportunities export", Kind.DEALS, {
            "Opportunity Name": "title", "Name": "title", "Amount": "value", "Stage": "stage",
            "StageName": "stage", "Close Date": "close_date", "CloseDate": "close_date",
            "Account Name": "company", "Contact Name": "contact_name",
            "Primary Contact": "contact_name", "Description": "notes",
            "Created Date": "created_at", "CreatedDate": "created_at",
            "Opportunity ID": CUSTOM, "Opportunity Owner": CUSTOM, "Id": CUSTOM,
            "AccountId": CUSTOM, "OwnerId": CUSTOM, "Probability (%)": CUSTOM,
            "Probability": CUSTOM, "IsClosed": CUSTOM, "IsWon": CUSTOM,
            "Forecast Category": CUSTOM, "ForecastCategoryName": CUSTOM,
        }),
        _preset("pipedrive_contacts", "Pipedrive people export", Kind.CONTACTS, {
            "Person - Name": "full_name", "Person - First name": "first_name",
            "Person - Last name": "last_name", "Person - Email": "email",
            "Person - Email - Work": "email", "Person - Phone": "phone",
            "Person - Phone - Work": "phone", "Person - Phone - Mobile": "mobile_phone",
            "Person - Organization": "company", "Organization name": "company",
            "Organization - Name": "company", "Person - Job title": "title",
            "Person - Notes": "notes", "Person - Note": "notes",
            "Person - Person created": "created_at", "Person - Creation date": "created_at",
            "Person - ID": CUSTOM, "Person - Owner": CUSTOM, "Person - Label": CUSTOM,
            "Person - Pipedrive System ID": CUSTOM,
        }),
        _preset("pipedrive_deals", "Pipedrive deals export", Kind.DEALS, {
            "Deal - Title": "title", "Deal - Value": "value", "Deal - Stage": "stage",
            "Deal - Stage (pipeline)": "stage", "Deal - Status": "status",
            "Deal - Organization": "company", "Organization": "company",
            "Deal - Contact person": "contact_name", "Contact person": "contact_name",
            "Deal - Expected close date": "expected_close_on", "Deal - Closed on": "closed_at",
            "Deal - Won time": "closed_at", "Deal - Lost time": "closed_at",
            "Deal - Deal created": "created_at", "Deal - Creation date": "created_at",
            "Deal - Notes": "notes", "Person - Email": "contact_email",
            "Deal - ID": CUSTOM, "Deal - Owner": CUSTOM, "Deal - Currency": CUSTOM,
            "Deal - Currency of value": CUSTOM, "Deal - Lost reason": CUSTOM,
            "Deal - Probability": CUSTOM, "Deal - Pipedrive System ID": CUSTOM,
        }),
    )
}  # fmt: skip
PRESET_FAMILIES = ("hubspot", "salesforce", "pipedrive")


def find_preset(name: str, kind: Kind) -> Preset:
    """A preset by full name ('hubspot_contacts') or by CRM for this kind ('hubspot')."""
    key = fold(name).replace("_", "")
    for preset in PRESETS.values():
        if preset.kind == kind and key in (fold(preset.name), fold(preset.name.split("_")[0])):
            return preset
    names = ", ".join(p.name for p in PRESETS.values() if p.kind == kind) or "none"
    raise ValueError(f"No preset '{name}' for {kind}; presets: {names}")


def presets_for(kind: Kind) -> list[Preset]:
    return [preset for preset in PRESETS.values() if preset.kind == kind]


def detect_preset(kind: Kind, headers: Sequence[str]) -> Preset | None:
    """The preset whose export columns this header row has most of: at least three, more
    than any other preset, and one only that CRM writes (an id or owner column, say)."""
    folded = {fold(header) for header in headers}
    generic = set().union(*(field.synonyms for field in FIELDS[kind]))
    scored = sorted(
        ((len(folded & set(p.columns)), p) for p in presets_for(kind)),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not scored or scored[0][0] < 3 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None  # too few columns, or as much like one CRM as another
    best = scored[0][1]
    return best if folded & (set(best.columns) - generic) else None


# --- mapping ---------------------------------------------------------------------------

_PREFIX = re.compile(r"^(?:person|deal|organization|organisation|contact|activity|account)")


def guess_field(kind: Kind, header: str, preset: Preset | None = None) -> str | None:
    key = fold(header)
    if preset is not None and key in preset.columns:
        return preset.columns[key]
    for candidate in (key, _PREFIX.sub("", key)):
        for field in FIELDS[kind]:
            if candidate and candidate in field.synonyms:
                return field.name
    return None


def guess_mapping(kind: Kind, headers: Sequence[str], preset: Preset | None = None) -> list[str]:
    """A target for every column, in order: a field name, CUSTOM or IGNORE.

    Each field is taken by the first column that means it; unknown columns become custom
    fields where the kind keeps them, otherwise they are ignored.
    """
    taken: set[str] = set()
    fallback = CUSTOM if kind in KEEPS_CUSTOM_FIELDS else IGNORE
    targets = []
    for header in headers:
        field = guess_field(kind, header, preset) if header.strip() else None
        if field is None or field in taken:
            targets.append(fallback if header.strip() else IGNORE)
        else:
            taken.add(field)
            targets.append(field)
    return targets


def mapping_problems(kind: Kind, targets: Sequence[str]) -> list[str]:
    """What makes a mapping unusable for the whole file (not for one row)."""
    known = set(field_names(kind)) | {CUSTOM, IGNORE}
    problems = [f"'{t}' is not a field of {kind}" for t in dict.fromkeys(targets) if t not in known]
    if CUSTOM in targets and kind not in KEEPS_CUSTOM_FIELDS:
        problems.append(f"{kind.capitalize()} have no custom fields; ignore those columns.")
    doubled = [t for t, n in Counter(targets).items() if n > 1 and t not in (CUSTOM, IGNORE)]
    problems += [f"More than one column is mapped to '{t}'." for t in doubled]
    chosen = set(targets)
    needs = {
        Kind.CONTACTS: ({"first_name", "full_name"}, "a first name or a full name"),
        Kind.ACCOUNTS: ({"name"}, "the account name"),
        Kind.DEALS: ({"title"}, "the deal title"),
        Kind.INTERACTIONS: ({"scheduled_at"}, "the date of the interaction"),
    }
    fields, words = needs[kind]
    if not chosen & fields:
        problems.append(f"Map a column to {words}.")
    if kind == Kind.INTERACTIONS and not chosen & {
        "contact_email",
        "contact_phone",
        "contact_name",
    }:
        problems.append("Map a column that names the contact (email, phone or name).")
    return problems


def parse_map_option(option: str) -> tuple[str, str]:
    """'Column=field' from the command line; 'Column=' means ignore it."""
    header, sep, target = option.rpartition("=")
    if not sep or not header.strip():
        raise ValueError(f"'{option}' is not Column=field")
    return header.strip(), target.strip() or IGNORE


def apply_overrides(
    headers: Sequence[str], targets: Sequence[str], overrides: Mapping[str, str]
) -> list[str]:
    """The targets with some columns (named by header, any case) set by hand."""
    by_header = {fold(header): target for header, target in overrides.items()}
    unknown = set(by_header) - {fold(header) for header in headers}
    if unknown:
        names = ", ".join(h for h in overrides if fold(h) in unknown)
        raise ValueError(f"The file has no column named {names}")
    claimed = {t for t in by_header.values() if t not in (CUSTOM, IGNORE)}
    result = []
    for header, target in zip(headers, targets, strict=True):
        if fold(header) in by_header:
            result.append(by_header[fold(header)])
        else:  # a guessed column gives way to a field the caller put elsewhere
            result.append(IGNORE if target in claimed else target)
    return result


# --- reading the file ------------------------------------------------------------------

CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def detect_encoding(chunks: Iterable[bytes]) -> str:
    """'utf-8-sig', 'utf-16', 'utf-8', 'cp1252' (Windows) or 'latin-1', from the whole file."""
    iterator = iter(chunks)
    first = next(iterator, b"")
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8, undefined = True, False
    for chunk in itertools.chain((first,), iterator):
        if is_utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        if not is_utf8 and not undefined:
            undefined = any(byte in CP1252_UNDEFINED for byte in chunk)
        if undefined:
            break
    if is_utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    return "latin-1" if undefined else "cp1252"


DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's lines into the same number of columns most often.

    The last line of the sample may be cut short, so it is left out.
    """
    lines = sample.splitlines()
    if len(lines) > 1:
        lines = lines[:-1]
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        rows = [row for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
        widths = [len(row) for row in rows if any(cell.strip() for cell in row)]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = (count / len(widths), width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


_DATA_LIKE = re.compile(r"^[\d\s+().,:/\-]+$|@|^\d{4}-\d{2}-\d{2}")


def find_header(kind: Kind, rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the header row among the first rows, or None when the file has no header.

    Reports often start with a title and blank lines; the header is the row naming the most
    known columns, else the first full row of text that does not look like data.
    """
    known = set().union(*(field.synonyms for field in FIELDS[kind]))
    known |= {key for preset in presets_for(kind) for key in preset.columns}
    scores = [
        sum(1 for cell in row if fold(cell) in known or _PREFIX.sub("", fold(cell)) in known)
        for row in rows
    ]
    if scores and max(scores) > 0:
        return scores.index(max(scores))
    widths = Counter(len(row) for row in rows if any(cell.strip() for cell in row))
    width = widths.most_common(1)[0][0] if widths else 0
    for index, row in enumerate(rows):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) == width and all(cells) and not any(_DATA_LIKE.search(c) for c in cells):
            return index
        return None
    return None


def numbered_headers(width: int) -> list[str]:
    return [f"Column {number}" for number in range(1, width + 1)]


def unique_headers(headers: Sequence[str]) -> list[str]:
    """Headers made unique and never blank ('Email', 'Email' -> 'Email', 'Email (2)')."""
    seen: Counter[str] = Counter()
    result = []
    for index, header in enumerate(headers, start=1):
        name = " ".join(header.split()) or f"Column {index}"
        seen[fold(name)] += 1
        result.append(name if seen[fold(name)] == 1 else f"{name} ({seen[fold(name)]})")
    return result
