from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimfire.domain import csv_mapping as cm
from aimfire.domain.contacts import ContactSource
from aimfire.domain.csv_mapping import CUSTOM, IGNORE, Kind
from aimfire.domain.csv_values import (
    SOURCE_SYNONYMS,
    STAGE_SYNONYMS,
    fold,
    guess_day_first,
    match_choice,
    match_stage,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_email,
    parse_minutes,
    parse_money_cents,
    split_name,
)
from aimfire.domain.pipeline import DEFAULT_STAGES

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
CHICAGO = ZoneInfo("America/Chicago")
STAGES = [(spec.key, spec.name) for spec in DEFAULT_STAGES]


def headers_of(name: str) -> list[str]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


# --- presets and guesses -------------------------------------------------------------------


def test_a_hubspot_contacts_export_is_recognised_and_mapped() -> None:
    headers = headers_of("hubspot_contacts.csv")
    preset = cm.detect_preset(Kind.CONTACTS, headers)
    assert preset is not None and preset.name == "hubspot_contacts"
    mapping = dict(zip(headers, cm.guess_mapping(Kind.CONTACTS, headers, preset), strict=True))
    assert mapping == {
        "Record ID": CUSTOM,
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone Number": "phone",
        "Job Title": "title",
        "Company Name": "company",
        "Lifecycle Stage": CUSTOM,
        "Contact owner": CUSTOM,
        "Original Source": "source",
        "Create Date": "created_at",
    }


def test_a_salesforce_contacts_report_is_recognised_and_mapped() -> None:
    headers = headers_of("salesforce_contacts.csv")
    preset = cm.detect_preset(Kind.CONTACTS, headers)
    assert preset is not None and preset.name == "salesforce_contacts"
    mapping = dict(zip(headers, cm.guess_mapping(Kind.CONTACTS, headers, preset), strict=True))
    assert mapping["Account Name"] == "company"
    assert mapping["Mobile"] == "mobile_phone"
    assert mapping["Lead Source"] == "source"
    assert mapping["Contact ID"] == CUSTOM


def test_pipedrive_and_hubspot_deal_exports_are_recognised() -> None:
    pipedrive = ["Deal - Title", "Deal - Value", "Deal - Stage", "Deal - Status", "Organization"]
    preset = cm.detect_preset(Kind.DEALS, pipedrive)
    assert preset is not None and preset.name == "pipedrive_deals"
    assert cm.guess_mapping(Kind.DEALS, pipedrive, preset) == [
        "title",
        "value",
        "stage",
        "status",
        "company",
    ]
    hubspot = cm.detect_preset(Kind.DEALS, headers_of("hubspot_deals.csv"))
    assert hubspot is not None and hubspot.name == "hubspot_deals"


def test_a_plain_spreadsheet_matches_no_preset_but_is_still_guessed() -> None:
    headers = ["First name", "Last name", "E-mail", "Mobile", "Company", "Favourite colour"]
    assert cm.detect_preset(Kind.CONTACTS, headers) is None
    assert cm.guess_mapping(Kind.CONTACTS, headers) == [
        "first_name",
        "last_name",
        "email",
        "mobile_phone",
        "company",
        CUSTOM,
    ]


def test_a_field_is_taken_by_the_first_column_that_means_it() -> None:
    assert cm.guess_mapping(Kind.CONTACTS, ["Email", "Work email", ""]) == [
        "email",
        CUSTOM,
        IGNORE,
    ]


def test_unknown_columns_are_ignored_where_the_kind_has_no_custom_fields() -> None:
    assert cm.guess_mapping(Kind.ACCOUNTS, ["Company", "Employees"]) == ["name", IGNORE]


def test_a_preset_is_found_by_crm_name_for_the_kind() -> None:
    assert cm.find_preset("HubSpot", Kind.DEALS).name == "hubspot_deals"
    assert cm.find_preset("salesforce_contacts", Kind.CONTACTS).name == "salesforce_contacts"
    with pytest.raises(ValueError, match="No preset 'zoho'"):
        cm.find_preset("zoho", Kind.CONTACTS)


def test_overrides_move_a_field_and_name_unknown_columns() -> None:
    headers = ["Mail", "Email", "Note"]
    targets = cm.guess_mapping(Kind.CONTACTS, headers)
    assert targets == [CUSTOM, "email", "notes"]
    moved = cm.apply_overrides(headers, targets, {"mail": "email", "Note": "ignore"})
    assert moved == ["email", IGNORE, IGNORE]
    with pytest.raises(ValueError, match="no column named Phone"):
        cm.apply_overrides(headers, targets, {"Phone": "phone"})


def test_a_mapping_that_cannot_work_is_explained() -> None:
    problems = cm.mapping_problems(Kind.CONTACTS, ["email", "email", "colour"])
    assert "'colour' is not a field of contacts" in problems
    assert "More than one column is mapped to 'email'." in problems
    assert "Map a column to a first name or a full name." in problems
    assert cm.mapping_problems(Kind.ACCOUNTS, ["name", CUSTOM]) == [
        "Accounts have no custom fields; ignore those columns."
    ]
    assert cm.mapping_problems(Kind.INTERACTIONS, ["scheduled_at"]) == [
        "Map a column that names the contact (email, phone or name)."
    ]
    assert cm.mapping_problems(Kind.DEALS, ["title", "value"]) == []


def test_map_options_from_the_command_line() -> None:
    assert cm.parse_map_option("E-mail address=email") == ("E-mail address", "email")
    assert cm.parse_map_option("Notes=") == ("Notes", IGNORE)
    assert cm.parse_map_option("a=b=custom") == ("a=b", "custom")
    with pytest.raises(ValueError):
        cm.parse_map_option("just a column")


# --- reading the file ----------------------------------------------------------------------


ENCODED = "Name,City\nInès Fontaine,Zürich\nJosé,Málaga\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (ENCODED, "utf-8"),
        (ENCODED, "utf-8-sig"),
        (ENCODED, "utf-16"),
        (ENCODED + "“Quoted”,5 €\n", "cp1252"),  # Excel on Windows
        (ENCODED + "x\x81y,z\n", "latin-1"),  # \x81 means nothing in Windows-1252
    ],
)
def test_the_encoding_is_detected_from_the_whole_file(text: str, encoding: str) -> None:
    raw = text.encode(encoding)
    chunks = [raw[:7], raw[7:20], raw[20:]]
    assert cm.detect_encoding(chunks) == encoding
    assert raw.decode(encoding) == text


def test_a_utf8_character_split_between_chunks_is_still_utf8() -> None:
    raw = "Müller\n".encode()
    assert cm.detect_encoding([raw[:2], raw[2:]]) == "utf-8"
    assert cm.detect_encoding([]) == "utf-8"


@settings(deadline=None)  # timing on a busy machine is not what is tested
@given(
    rows=st.lists(
        st.lists(
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=8), min_size=3, max_size=3
        ),
        min_size=2,
        max_size=6,
    ),
    delimiter=st.sampled_from(cm.DELIMITERS),
)
def test_the_delimiter_that_wrote_the_file_is_sniffed(
    rows: list[list[str]], delimiter: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerows([["first", "second", "third"], *rows])
    assert cm.sniff_delimiter(out.getvalue() + "cut short") == delimiter


def test_a_report_title_above_the_header_is_skipped() -> None:
    rows = [
        ["Contacts report"],
        ["Generated 2026-03-01"],
        [],
        ["First Name", "Last Name", "Email"],
        ["Dana", "Whitfield", "dana@example.com"],
    ]
    assert cm.find_header(Kind.CONTACTS, rows) == 3


def test_a_file_of_data_only_has_no_header() -> None:
    rows = [["Dana", "Whitfield", "dana@example.com"], ["Ben", "Okafor", "ben@example.com"]]
    assert cm.find_header(Kind.CONTACTS, rows) is None
    assert cm.numbered_headers(2) == ["Column 1", "Column 2"]


def test_an_unknown_header_row_of_words_is_still_a_header() -> None:
    rows = [["Vorname", "Nachname"], ["Jörg", "Schmidt"]]
    assert cm.find_header(Kind.CONTACTS, rows) == 0


def test_headers_are_made_unique_and_never_blank() -> None:
    assert cm.unique_headers(["Email", " email ", "", "Phone"]) == [
        "Email",
        "email (2)",
        "Column 3",
        "Phone",
    ]


# --- values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2026-03-05", False, date(2026, 3, 5)),
        ("2026/03/05", False, date(2026, 3, 5)),
        ("03/05/2026", False, date(2026, 3, 5)),
        ("03/05/2026", True, date(2026, 5, 3)),
        ("25/12/2026", False, date(2026, 12, 25)),  # the file says day first; believe it
        ("05.03.2026", False, date(2026, 3, 5)),  # dots are day first everywhere
        ("3/5/26", False, date(2026, 3, 5)),
        ("Mar 5, 2026", False, date(2026, 3, 5)),
        ("5 March 2026", False, date(2026, 3, 5)),
        ("Thursday, March 5, 2026", False, date(2026, 3, 5)),
        ("2026-03-05T14:22:00.000Z", False, date(2026, 3, 5)),
    ],
)
def test_dates_in_common_formats(text: str, day_first: bool, expected: date) -> None:
    assert parse_date(text, day_first=day_first) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "hello", "13/13/2026", "Foo 5, 2026", "5"])
def test_a_date_that_is_not_one_says_so(text: str) -> None:
    with pytest.raises(ValueError, match=f"'{text}'"):
        parse_date(text)


def test_local_times_are_read_in_the_users_time_zone() -> None:
    assert parse_datetime("2026-03-05 14:22", CHICAGO) == datetime(2026, 3, 5, 20, 22, tzinfo=UTC)
    assert parse_datetime("3/5/2026 2:30 PM", CHICAGO) == datetime(2026, 3, 5, 20, 30, tzinfo=UTC)
    # summer time: Chicago is UTC-5 in July
    assert parse_datetime("07/01/2026 09:00", CHICAGO) == datetime(2026, 7, 1, 14, tzinfo=UTC)


def test_times_with_a_zone_keep_it() -> None:
    assert parse_datetime("2026-03-05T14:22:00Z", CHICAGO) == datetime(
        2026, 3, 5, 14, 22, tzinfo=UTC
    )
    assert parse_datetime("2026-03-05 14:22 +0100", CHICAGO) == datetime(
        2026, 3, 5, 13, 22, tzinfo=UTC
    )


@settings(deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
    ),
    style=st.sampled_from(["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S"]),
)
def test_a_utc_time_written_in_any_format_reads_back(moment: datetime, style: str) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_datetime(moment.strftime(style) + "Z", CHICAGO) == moment


def test_the_date_order_is_guessed_from_the_sample() -> None:
    assert guess_day_first(["03/04/2026", "25/04/2026"]) is True
    assert guess_day_first(["03/04/2026", "04/25/2026"]) is False
    assert guess_day_first(["03/04/2026", "2026-04-25"]) is None


@settings(deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**14))
def test_money_written_in_us_or_european_style_reads_back_exactly(cents: int) -> None:
    units, rest = divmod(cents, 100)
    us = f"${units:,}.{rest:02d}"
    european = f"{units:,}".replace(",", ".") + f",{rest:02d} €"
    plain = str(Decimal(cents) / 100)
    assert parse_money_cents(us) == cents
    assert parse_money_cents(european) == cents
    assert parse_money_cents(plain) == cents


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1,234", 123_400),
        ("12,5", 1250),
        ("EUR 99", 9900),
        ("(1,000)", -100_000),
        ("1 200", 120_000),
    ],
)
def test_money_in_other_shapes(text: str, cents: int) -> None:
    assert parse_money_cents(text) == cents


@pytest.mark.parametrize("text", ["abc", "1e5", "0.005", "12.34.5,6,7x"])
def test_text_that_is_not_money_says_so(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money_cents(text)


def test_yes_no_minutes_names_and_emails() -> None:
    assert parse_bool("Yes") is True and parse_bool("0") is False
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert [parse_minutes(t) for t in ("45", "1:30", "1h 30m", "90 minutes", "2 hours")] == [
        45,
        90,
        90,
        90,
        120,
    ]
    with pytest.raises(ValueError):
        parse_minutes("0")
    assert split_name("Whitfield, Dana") == ("Dana", "Whitfield")
    assert split_name("Dana  van  Whitfield") == ("Dana", "van Whitfield")
    assert parse_email(" Dana@Example.COM, other@example.com") == "dana@example.com"
    with pytest.raises(ValueError):
        parse_email("dana at example")


@settings(deadline=None)
@given(
    first=st.from_regex(r"[A-Za-zÀ-ÿ]{1,12}", fullmatch=True),
    last=st.from_regex(r"[A-Za-zÀ-ÿ' -]{0,20}", fullmatch=True),
)
def test_a_full_name_splits_back_into_its_parts(first: str, last: str) -> None:
    last = " ".join(last.split())
    assert split_name(f"{first} {last}") == (first, last)


def test_choices_match_values_labels_and_other_crms_words() -> None:
    assert match_choice("Existing customer", ContactSource, SOURCE_SYNONYMS) == "existing_customer"
    assert match_choice("Organic Search", ContactSource, SOURCE_SYNONYMS) == "inbound"
    with pytest.raises(ValueError, match="is not one of"):
        match_choice("Carrier pigeon", ContactSource, SOURCE_SYNONYMS)


def test_other_crms_stage_names_find_the_nearest_default_stage() -> None:
    assert match_stage("Closed Won", STAGES) == "won"
    assert match_stage("Proposal/Price Quote", STAGES) == "proposal"
    assert match_stage("meeting set", STAGES) == "meeting_set"
    assert match_stage("Negotiating", STAGES) is None
    # A synonym only counts when this install has the stage it points to.
    assert match_stage("Closed Won", [("new", "New")]) is None
    assert set(STAGE_SYNONYMS.values()) <= {key for key, _ in STAGES}


@settings(deadline=None)
@given(st.text(max_size=30))
def test_folding_is_idempotent_and_keeps_only_letters_and_digits(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert all(ch.isalnum() for ch in fold(text))


def test_the_sample_files_use_the_encodings_they_claim() -> None:
    for path in DATA.glob("*.csv"):
        raw = path.read_bytes()
        assert cm.detect_encoding([raw]) == "utf-8", path.name
        assert not raw.startswith(codecs.BOM_UTF8)
