"""Fuzzing the JSON API's write payloads: Unicode, huge fields, wrong types, wrong shapes.

Every answer is a success or a 4xx in the one JSON error shape, a refused payload writes
nothing, and nothing is ever a 500 (on both databases: PostgreSQL refuses NUL characters in
text, SQLite does not).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nasty import NASTY_TEXT
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aimfire.store.models import Commitment, Contact, Deal, Interaction
from support import Api

SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    NASTY_TEXT,
)
ANY = st.recursive(
    SCALAR,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def payloads(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Objects with some of the endpoint's fields (good or bad values), or any JSON at all."""
    good_or_bad = {name: st.one_of(valid, ANY) for name, valid in fields.items()}
    objects = st.fixed_dictionaries({}, optional=good_or_bad)
    return st.one_of(objects, objects, objects, ANY)


def _counts(db: Session) -> tuple[int, ...]:
    db.rollback()
    return tuple(
        db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Contact, Deal, Interaction, Commitment)
    )


def _check(response: Any, db: Session, before: tuple[int, ...]) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "fields"} and error["message"]
        assert _counts(db) == before, "a refused payload wrote rows"


FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def book(rita: Api) -> dict[str, int]:
    contact = rita.post("/contacts", {"first_name": "Dana"}).json()["id"]
    deal = rita.post("/deals", {"title": "Suite", "contact_id": contact}).json()["id"]
    return {"contact": contact, "deal": deal}


def _plan(rita: Api, contact: int) -> int:
    body = {
        "contact_id": contact,
        "reason": "referral",
        "channel": "phone",
        "objective": "Learn who decides",
        "scheduled_at": "2030-01-07T10:00:00Z",
    }
    response = rita.post("/interactions", body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_contact_payloads_never_break_the_api(rita: Api, db: Session) -> None:
    fields = {
        "first_name": st.text(min_size=1, max_size=80),
        "last_name": st.text(max_size=80),
        "email": st.emails(),
        "phone": st.text(max_size=40),
        "source": st.just("referral"),
        "role": st.just("decision_maker"),
        "account_id": st.integers(),
        "notes": NASTY_TEXT,
    }

    @FUZZ
    @given(payloads(fields))
    def run(body: Any) -> None:
        before = _counts(db)
        _check(rita.post("/contacts", body), db, before)

    run()


def test_deal_payloads_never_break_the_api(rita: Api, db: Session, book: dict[str, int]) -> None:
    fields = {
        "title": st.text(min_size=1, max_size=200),
        "contact_id": st.just(book["contact"]),
        "value": st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False).map(str),
            st.text(max_size=12),
            st.just("NaN"),
            st.just("1e400"),
        ),
        "stage_id": st.integers(min_value=-2, max_value=12),
        "expected_close_on": st.dates().map(str),
        "notes": NASTY_TEXT,
    }

    @FUZZ
    @given(payloads(fields), st.booleans())
    def run(body: Any, update: bool) -> None:
        before = _counts(db)
        if update:
            _check(rita.put(f"/deals/{book['deal']}", body), db, before)
        else:
            _check(rita.post("/deals", body), db, before)

    run()


def test_plan_payloads_never_break_the_api(rita: Api, db: Session, book: dict[str, int]) -> None:
    fields = {
        "contact_id": st.just(book["contact"]),
        "deal_id": st.just(book["deal"]),
        "reason": st.sampled_from(["referral", "nope"]),
        "channel": st.just("phone"),
        "objective": NASTY_TEXT,
        "learning_questions": NASTY_TEXT,
        "scheduled_at": st.one_of(st.datetimes().map(str), st.text(max_size=30)),
        "planned_minutes": st.integers(),
        "type_id": st.integers(),
        "follows_commitment_id": st.integers(),
    }

    @FUZZ
    @given(payloads(fields))
    def run(body: Any) -> None:
        before = _counts(db)
        _check(rita.post("/interactions", body), db, before)

    run()


def test_outcome_payloads_never_break_the_api(rita: Api, db: Session, book: dict[str, int]) -> None:
    planned = _plan(rita, book["contact"])
    promise = st.fixed_dictionaries(
        {},
        optional={
            "party": st.sampled_from(["prospect", "x"]),
            "description": NASTY_TEXT,
            "due_on": st.one_of(st.dates().map(str), ANY),
        },
    )
    fields = {
        "reached": st.sampled_from(["connected", "voicemail", "maybe"]),
        "objective_met": st.just("yes"),
        "result": st.sampled_from(["advance", "order"]),
        "answers": st.lists(NASTY_TEXT, max_size=25),
        "learned": NASTY_TEXT,
        "commitments": st.lists(promise, max_size=3),
        "tonality": st.integers(-3, 9),
        "next_step": st.sampled_from(["scheduled", "none", "won", "later"]),
        "next": st.fixed_dictionaries(
            {},
            optional={
                "scheduled_at": st.datetimes().map(str),
                "channel": st.just("meeting"),
                "objective": NASTY_TEXT,
            },
        ),
        "no_next_step_reason": NASTY_TEXT,
        "actual_minutes": st.integers(),
    }
    state = {"planned": planned}

    @FUZZ
    @given(payloads(fields))
    def run(body: Any) -> None:
        before = _counts(db)
        response = rita.post(f"/interactions/{state['planned']}/outcome", body)
        _check(response, db, before)
        if response.status_code == 200:  # logged: plan another one to keep fuzzing
            state["planned"] = _plan(rita, book["contact"])

    run()


@pytest.mark.parametrize("field", ["first_name", "notes"])
def test_a_nul_character_is_stored_or_refused_never_a_500(
    rita: Api, db: Session, field: str
) -> None:
    body = {"first_name": "Dana", field: "a\x00b"}
    before = _counts(db)
    _check(rita.post("/contacts", body), db, before)


@pytest.mark.parametrize("path", ["/contacts", "/deals", "/accounts"])
def test_a_nul_character_in_a_search_is_never_a_500(rita: Api, path: str) -> None:
    assert rita.get(path, q="a\x00b").status_code < 500
