"""The objective check: labels, findings, spans, rewrites and measured accuracy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimfire.domain import objective_lexicon as lex
from aimfire.domain.objective import (
    RULES,
    Finding,
    Label,
    ObjectiveCheck,
    check_objective,
    normalise,
)
from aimfire.domain.objective_eval import (
    evaluate,
    evaluate_rewrites,
    format_report,
    load_labelled,
    load_rewrites,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = {Label.LEARNING, Label.ACTION}

# Achieved when the floors were set: labelled set 1.000, holdout 0.955 (first and only run
# before the floors were written), rewrites 1.000. Floors sit 3 and 5 points below.
LABELLED_ACCURACY_FLOOR = 0.97
HOLDOUT_ACCURACY_FLOOR = 0.90
REWRITE_ACCEPTABLE_FLOOR = 0.90
# No example database: these properties should not write into the working tree.
PROPERTY = settings(deadline=None, database=None)


def rules_of(result: ObjectiveCheck) -> list[str]:
    return [finding.rule for finding in result.findings]


def finding_for(result: ObjectiveCheck, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


@pytest.mark.parametrize(
    "text",
    [
        "Learn who besides Dana signs off on the budget",
        "Find out what stopped them renewing last year",
        "Understand their decision criteria for the new CRM",
        "Who signs the PO and how long does approval take?",
        "Don't pitch anything; just find out why they stopped coming",
    ],
)
def test_it_labels_specific_learning(text: str) -> None:
    result = check_objective(text)
    assert result.label is Label.LEARNING
    assert result.is_good


@pytest.mark.parametrize(
    "text",
    [
        "Get Maria to agree to a site visit next Tuesday",
        "Have them decide yes or no on the 4-seat package by Friday",
        "Book a 30-minute demo with the ops team",
        "Sell 4 tickets for Saturday's game",
        "Follow up to get a yes or no on the proposal by Friday",
    ],
)
def test_it_labels_prospect_commitments_as_action(text: str) -> None:
    assert check_objective(text).label is Label.ACTION


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Convince them our software is better", "Convince"),
        ("Pitch the season ticket package", "Pitch"),
        ("Talk to them about the new premium seating", "Talk to them about"),
        ("Help them understand why our platform is worth the price", "Help them understand"),
        ("Sell them on the value of a partial plan", "Sell them"),
    ],
)
def test_tell_mode_names_the_phrase(text: str, phrase: str) -> None:
    result = check_objective(text)
    assert result.label is Label.TELL
    finding = finding_for(result, "tell_mode")
    assert phrase in text[finding.start : finding.end]
    assert phrase in finding.message


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Check in with Tom", "Check in"),
        ("Touch base about the renewal", "Touch base"),
        ("Just checking in to see where things are", "checking in"),
        ("Learn more about the account", "Learn more about the account"),
    ],
)
def test_aimless_wording_is_flagged_at_its_span(text: str, phrase: str) -> None:
    result = check_objective(text)
    assert result.label is Label.AIMLESS
    assert any(
        f.rule == "aimless" and phrase.lower() in text[f.start : f.end].lower()
        for f in result.findings
    )


def test_aimless_suggestion_names_the_missing_piece() -> None:
    finding = finding_for(check_objective("Touch base with Tom"), "aimless")
    assert finding.suggestion is not None
    assert "learn from Tom" in finding.suggestion
    assert "Tom to agree to" in finding.suggestion


def test_email_suggestions_ask_for_a_reply() -> None:
    finding = finding_for(check_objective("Follow up on the quote", channel="email"), "aimless")
    assert finding.suggestion is not None
    assert "reply" in finding.suggestion


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Send the contract", "Send"),
        ("Email the quote", "Email"),
        ("I will call back Tuesday", "call"),
    ],
)
def test_rep_only_objectives_are_aimless_continuations(text: str, phrase: str) -> None:
    result = check_objective(text)
    assert result.label is Label.AIMLESS
    finding = finding_for(result, "rep_only_actor")
    assert phrase in text[finding.start : finding.end]
    assert finding.suggestion is not None
    assert check_objective(finding.suggestion).label is Label.ACTION


def test_tell_wording_wins_over_a_rep_only_verb() -> None:
    result = check_objective("Send the brochure to show why our plan beats theirs")
    assert result.label is Label.TELL


@pytest.mark.parametrize(
    "text",
    ["Build rapport with the office manager", "Have a good conversation", "Make a good impression"],
)
def test_unverifiable_objectives_are_flagged(text: str) -> None:
    result = check_objective(text)
    assert result.label is Label.AIMLESS
    assert "not_verifiable" in rules_of(result)


def test_second_objective_is_flagged_and_the_first_kept() -> None:
    text = "Learn their budget for next year and also book a demo with the team"
    result = check_objective(text)
    assert result.label is Label.LEARNING
    finding = finding_for(result, "multiple_objectives")
    assert "book a demo" in text[finding.start : finding.end]
    assert finding.suggestion == "Learn their budget for next year"


@pytest.mark.parametrize(
    "text",
    [
        "Get them to agree to a demo and name who else should attend",
        "Learn which supplier they use and what they pay per cartridge",
        "Get a yes or no on the suite by Friday, and if it's no, learn why",
        "Present the proposal in person and book the follow-up meeting before leaving",
    ],
)
def test_single_objectives_are_not_split(text: str) -> None:
    result = check_objective(text)
    assert result.is_good
    assert "multiple_objectives" not in rules_of(result)


def test_fallback_after_a_pitch_does_not_hide_the_pitch() -> None:
    result = check_objective("Pitch the 3-game pack. If they say no, find out why.")
    assert result.label is Label.TELL


def test_want_framing_is_reported_with_a_learning_rewrite() -> None:
    text = "I want to get them to decide"
    finding = finding_for(check_objective(text), "want_framing")
    assert text[finding.start : finding.end] == "I want"
    assert finding.suggestion == (
        "I need to understand what is getting in the way of their decision"
    )


def test_want_framing_keeps_the_label_of_what_is_wanted() -> None:
    assert check_objective("I'd like to book a demo for next week").label is Label.ACTION
    assert check_objective("I want to pitch the new bundle").label is Label.TELL


@pytest.mark.parametrize(
    "text",
    [
        "Convince them our software is better",
        "Explain our pricing",
        "Persuade Karen to switch to our toner program",
        "Tell Mr. Lee why the hybrid is the smarter choice",
        "Walk them through the new claims portal",
    ],
)
def test_suggestion_for_a_tell_objective_checks_good(text: str) -> None:
    suggestion = finding_for(check_objective(text), "tell_mode").suggestion
    assert suggestion is not None
    assert check_objective(suggestion).label in GOOD


def test_rewrites_are_built_from_the_sentence() -> None:
    suggestion = finding_for(check_objective("Convince them our software is better"), "tell_mode")
    assert suggestion.suggestion == (
        "Understand what they would need to see to prefer our software over what they use now"
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u00a0"])
def test_blank_objective_is_missing(text: str) -> None:
    result = check_objective(text)
    assert result.label is Label.MISSING
    assert rules_of(result) == ["missing"]
    assert result.findings[0].suggestion


@pytest.mark.parametrize(
    "text",
    [
        "Goal: find out who will sign the renewal",
        "- Learn why they haven\u2019t responded to the last two emails  ",
        "\u2022 FIND OUT WHO SIGNS THE PO",
        "1) Find out when their policy expires",
    ],
)
def test_it_tolerates_headings_bullets_case_and_curly_quotes(text: str) -> None:
    assert check_objective(text).label is Label.LEARNING


def test_to_dict_has_the_documented_shape() -> None:
    data = check_objective("Pitch the season ticket package").to_dict()
    assert set(data) == {"text", "label", "ok", "findings"}
    assert data["label"] == "tell"
    assert data["ok"] is False
    assert set(data["findings"][0]) == {"rule", "message", "start", "end", "suggestion"}


def test_every_rule_is_documented() -> None:
    texts = [
        "",
        "Pitch it",
        "Check in",
        "Learn X and also book a demo",
        "Build rapport",
        "I want to book a demo",
        "Send the deck",
    ]
    seen = {finding.rule for text in texts for finding in check_objective(text).findings}
    assert seen == set(RULES)


@settings(PROPERTY, max_examples=300)
@given(st.text(max_size=500))
def test_it_never_raises_and_spans_stay_in_bounds(text: str) -> None:
    result = check_objective(text)
    assert result.text == text
    for finding in result.findings:
        assert finding.rule in RULES
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.start < finding.end or text == ""


@settings(PROPERTY, max_examples=150)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_it_is_deterministic(text: str) -> None:
    assert check_objective(text) == check_objective(text)


@settings(PROPERTY, max_examples=300)
@given(st.text(max_size=200))
def test_missing_exactly_when_blank(text: str) -> None:
    assert (check_objective(text).label is Label.MISSING) == (text.strip() == "")


_SALES_WORDS = (
    "learn find out who signs pitch convince get them to agree book a demo check in follow up "
    "send the quote I want and also then if not why build rapport , . ? ; Goal: Mr. Dr. Karen"
)
_WORDS = st.sampled_from(_SALES_WORDS.split(" "))


@settings(PROPERTY, max_examples=300)
@given(st.lists(_WORDS, max_size=25).map(" ".join))
def test_sales_like_word_salad_keeps_the_invariants(text: str) -> None:
    result = check_objective(text)
    assert (result.label is Label.MISSING) == (text.strip() == "")
    for finding in result.findings:
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.start < finding.end or text == ""


def test_accuracy_on_the_labelled_set() -> None:
    report = evaluate(load_labelled(DATA / "objectives.jsonl"))
    assert report.total >= 240
    assert report.accuracy >= LABELLED_ACCURACY_FLOOR, format_report(report)


def test_accuracy_on_the_holdout_set() -> None:
    report = evaluate(load_labelled(DATA / "objectives_holdout.jsonl"))
    assert report.total >= 80
    assert report.accuracy >= HOLDOUT_ACCURACY_FLOOR, format_report(report)


def test_rewrites_of_want_and_tell_objectives_check_good() -> None:
    report = evaluate_rewrites(load_rewrites(DATA / "objective_rewrites.jsonl"))
    assert len(report.outcomes) >= 35
    failures = [o.example.text for o in report.outcomes if not o.acceptable]
    assert report.acceptable_rate >= REWRITE_ACCEPTABLE_FLOOR, failures


def test_report_lists_scores_confusion_and_misses() -> None:
    examples = load_labelled(DATA / "objectives.jsonl")[:5]
    report = evaluate(examples)
    text = format_report(report)
    assert "accuracy" in text
    assert "precision" in text
    assert "confusion" in text
    assert set(report.confusion) == {label.value for label in Label}


# --- The fast scan finds exactly what the lexicon defines ---------------------------------

# The lexicon as one plain alternation of named groups, tried at every word start (no
# first-letter regrouping, no skipped stop words): the definition of what a scan finds.
PLAIN_SCAN = re.compile(
    r"(?<![\w'-])(?:"
    + "|".join(f"(?P<{kind}>{'|'.join(alts)})" for kind, alts in lex.CUE_GROUPS)
    + ")"
)


def fast_cues(norm: str) -> list[tuple[str, int, int]]:
    return [(lex.CUE_KINDS[m.lastgroup or ""], *m.span()) for m in lex.CUE_PATTERN.finditer(norm)]


def plain_cues(norm: str) -> list[tuple[str, int, int]]:
    return [(m.lastgroup or "", *m.span()) for m in PLAIN_SCAN.finditer(norm)]


def all_data_texts() -> list[str]:
    names = ["objectives.jsonl", "objectives_holdout.jsonl", "objective_rewrites.jsonl"]
    lines = [line for name in names for line in (DATA / name).read_text().splitlines()]
    return [json.loads(line)["text"] for line in lines if line.strip()]


def test_fast_scan_matches_the_plain_alternation_on_the_data() -> None:
    for text in all_data_texts():
        norm = normalise(text)
        assert fast_cues(norm) == plain_cues(norm), text


# Words that start cues, stop words the fast scan skips, and filler, to build odd sentences.
_SCAN_WORDS = sorted(
    {word for text in all_data_texts() for word in normalise(text).split()}
    | set(lex.NOT_A_CUE_HEAD.split("|"))
)


@settings(PROPERTY, max_examples=400)
@given(st.lists(st.sampled_from(_SCAN_WORDS), max_size=20).map(" ".join))
def test_fast_scan_matches_the_plain_alternation_on_word_salad(text: str) -> None:
    assert fast_cues(text) == plain_cues(text)
