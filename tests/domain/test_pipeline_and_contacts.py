from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from aimfire.domain.contacts import (
    SEARCH_TEXT_LIMIT,
    folded,
    humanize,
    phone_digits,
    search_text,
)
from aimfire.domain.pipeline import DEFAULT_STAGES, StageOutcome, cents_to_amount, format_money


def test_the_default_pipeline_ends_in_won_and_lost() -> None:
    assert [s.key for s in DEFAULT_STAGES][-2:] == ["won", "lost"]
    assert [s.outcome for s in DEFAULT_STAGES].count(StageOutcome.OPEN) == 6


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_amounts_round_trip_exactly_through_text(cents: int) -> None:
    assert Decimal(cents_to_amount(cents)) * 100 == cents


def test_money_reads_like_money() -> None:
    assert format_money(240000, "USD") == "2,400 USD"
    assert format_money(25050, "EUR") == "250.50 EUR"
    assert format_money(-5, "USD") == "-0.05 USD"


@given(st.text())
@example("+91 \u0c66\u09ea5 \u0663\u0663")  # digits of other scripts are not phone digits
def test_phone_digits_keeps_only_digits(text: str) -> None:
    assert all(ch in "0123456789" for ch in phone_digits(text))


def test_phone_numbers_written_differently_match() -> None:
    assert phone_digits("+1 (555) 010-2030") == "15550102030"
    assert phone_digits(None) == ""


LATIN = "abcdefghijklmnopqrstuvwxyzàáâäãåçèéêëìíîïñòóôöõøùúûüýÿßæœ "


@given(st.text(alphabet=LATIN))
@example("José GARCÍA")
def test_folding_ignores_case_and_accents(name: str) -> None:
    assert folded(name.upper()) == folded(name) == folded(name.title())
    assert folded(name).isascii() or any(ch in name for ch in "øæœ")


@given(st.text())
@example("ᴬ")
def test_folding_twice_gives_what_folding_once_gave(text: str) -> None:
    assert folded(folded(text)) == folded(text)


@given(st.text(max_size=80), st.text(max_size=80), st.text(max_size=254), st.text(max_size=40))
def test_the_search_text_fits_its_index_and_holds_each_word(
    first: str, last: str, email: str, digits: str
) -> None:
    text = search_text(first, last, email, digits)
    assert len(text) <= SEARCH_TEXT_LIMIT
    if len(folded(f"{first} {last}")) < SEARCH_TEXT_LIMIT:
        assert all(folded(word) in text for word in f"{first} {last}".split())


def test_labels_read_as_words() -> None:
    assert humanize("decision_maker") == "Decision maker"
