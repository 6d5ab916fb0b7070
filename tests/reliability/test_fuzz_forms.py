"""Fuzzing every HTML form of the web app: fill, drop or spoil its fields, post, never a 500.

The forms are found, not listed: each persona opens the app's pages (Rita with a small book,
so the detail pages have their forms) and every ``<form method="post">`` on them is read with
the standard library's HTML parser, as a browser would submit it. A new form on one of those
pages is fuzzed without touching this file.

Each post keeps the page's CSRF token. Most fields get a value a person could give (what the
page rendered, another option it offers, or a plausible value for the input's type: dates,
numbers within min/max, any Unicode text); up to three are spoiled: dropped, or given nasty
text (NUL, 100,000 characters, SQL, impossible dates, 1e309, huge or non-ASCII digits).
Every answer is a redirect, a page or a 4xx, never a 5xx, on both databases (PostgreSQL
refuses NUL characters in text, SQLite does not), and a refused post writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from httpx2 import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nasty import NASTY_TEXT
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.store.models import Account, Commitment, Contact, Deal, Interaction, Team
from support import Api, Personas, csrf_token, log_in, token_headers

WORDS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
)
FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
CSRF_FIELD = "csrf_token"
MOST_SPOILED = 3
SPOILED = st.one_of(  # dropped, one nasty value, or several under one name
    st.just(()),
    NASTY_TEXT.map(lambda text: (text,)),
    st.lists(NASTY_TEXT, min_size=2, max_size=4).map(tuple),
)
CSV = "First name,Last name,Email\nDana,Whitfield,dana@example.com\nLee,Park,lee@example.com\n"


@dataclass(frozen=True, slots=True)
class Control:
    """One control's contribution to a form: a value it sends as rendered, or offers."""

    name: str
    value: str
    sent: bool
    offered: bool  # a select's option, a radio, a checkbox, a named button, a suggestion
    kind: str  # an input's type (or "decimal" for step="0.01"), "select" or "textarea"
    bounds: tuple[int, int] = (0, 1_000)


@dataclass(frozen=True, slots=True)
class Field:
    """One name in a form, with everything its controls send and offer."""

    name: str
    sent: tuple[str, ...]
    offered: tuple[str, ...]
    kind: str
    bounds: tuple[int, int]

    @property
    def typed(self) -> bool:
        """A person fills it in (it is not a hidden input or a button)."""
        return self.kind not in ("hidden", "submit", "image")


@dataclass(frozen=True, slots=True)
class HtmlForm:
    page: str
    action: str
    csrf: str
    fields: tuple[Field, ...]

    @property
    def buttons_only(self) -> bool:
        """Archive, cancel, delete, revoke...: nothing to fill in, often the end of a record."""
        return not any(spec.typed for spec in self.fields)


@dataclass(slots=True)
class _OpenForm:
    action: str
    multipart: bool
    controls: list[Control] = field(default_factory=list)
    has_submit: bool = False


def _bounds(attrs: dict[str, str | None]) -> tuple[int, int]:
    low, high = attrs.get("min") or "0", attrs.get("max") or "1000"
    return (int(low), int(high)) if (low + high).isdigit() else (0, 1_000)


def _kind(tag: str, attrs: dict[str, str | None]) -> str:
    kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
    return "decimal" if kind == "number" and "." in (attrs.get("step") or "") else kind


class FormParser(HTMLParser):
    """The post forms of a page and their controls, as a browser reads them: including
    controls outside a form that name it (form="id") and a text input's suggestions (list=)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_OpenForm] = []
        self._by_id: dict[str, _OpenForm] = {}
        self._current: _OpenForm | None = None
        self._pending: list[tuple[_OpenForm | str, Control, str]] = []  # form or id, list id
        self._lists: dict[str, list[str]] = {}
        self._datalist: str | None = None
        self._select: tuple[_OpenForm | str, str] | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict[str, str | None] | None = None
        self._textarea: tuple[_OpenForm | str, str] | None = None
        self._text: list[str] | None = None  # a textarea's or an option's content

    def _owner(self, attrs: dict[str, str | None]) -> _OpenForm | str | None:
        return attrs.get("form") or self._current

    def _add(self, owner: _OpenForm | str | None, control: Control, suggestions: str = "") -> None:
        if owner is not None:  # resolved in close(): a form="id" may come later in the page
            self._pending.append((owner, control, suggestions))

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        owner, name = self._owner(attrs), attrs.get("name") or ""
        if tag == "form":
            self._start_form(attrs)
        elif tag in ("input", "button"):
            self._control(tag, attrs)
        elif tag == "datalist" and attrs.get("id"):
            self._datalist = str(attrs["id"])
            self._lists[self._datalist] = []
        elif tag == "option" and self._datalist is not None:
            self._lists[self._datalist].append(attrs.get("value") or "")
        elif tag == "select" and name and owner is not None:
            self._select, self._options = (owner, name), []
        elif tag == "option" and self._select is not None:
            self._end_option()  # </option> is optional
            self._option, self._text = attrs, []
        elif tag == "textarea" and name and owner is not None:
            self._textarea, self._text = (owner, name), []

    def _start_form(self, attrs: dict[str, str | None]) -> None:
        if (attrs.get("method") or "get").lower() != "post":
            return
        enctype = (attrs.get("enctype") or "").lower()
        self._current = _OpenForm(str(attrs.get("action") or ""), enctype.startswith("multipart"))
        self.forms.append(self._current)
        if attrs.get("id"):
            self._by_id[str(attrs["id"])] = self._current

    def _control(self, tag: str, attrs: dict[str, str | None]) -> None:
        kind, name, value = _kind(tag, attrs), attrs.get("name") or "", attrs.get("value")
        owner = self._owner(attrs)
        if kind in ("submit", "image"):
            first = isinstance(owner, _OpenForm) and not owner.has_submit  # Enter presses it
            if isinstance(owner, _OpenForm):
                owner.has_submit = True
            if name:
                self._add(owner, Control(name, value or "", first, True, kind))
        elif not name or tag == "button" or kind in ("button", "reset"):
            return
        elif kind in ("checkbox", "radio"):
            self._add(owner, Control(name, value or "on", "checked" in attrs, True, kind))
        else:
            control = Control(name, value or "", True, False, kind, _bounds(attrs))
            self._add(owner, control, attrs.get("list") or "")

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "datalist":
            self._datalist = None
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self._select is not None:
            self._end_option()
            self._end_select(*self._select)
        elif tag == "textarea" and self._textarea is not None:
            owner, name = self._textarea
            text = "".join(self._text or []).removeprefix("\n")
            self._add(owner, Control(name, text, True, False, "textarea"))
            self._textarea, self._text = None, None

    def _end_option(self) -> None:
        if self._option is None:
            return
        value = self._option.get("value")
        text = "".join(self._text or []).strip()
        self._options.append((text if value is None else value, "selected" in self._option))
        self._option, self._text = None, None

    def _end_select(self, owner: _OpenForm | str, name: str) -> None:
        """A (single) select sends its last selected option, or else its first one."""
        selected = [value for value, chosen in self._options if chosen]
        for value in selected[-1:] or [value for value, _ in self._options[:1]]:
            self._add(owner, Control(name, value, True, False, "select"))
        for value, _ in self._options:
            self._add(owner, Control(name, value, False, True, "select"))
        self._select = None

    def close(self) -> None:
        super().close()
        for owner, control, suggestions in self._pending:
            form = self._by_id.get(owner) if isinstance(owner, str) else owner
            if form is None:
                continue
            form.controls.append(control)
            for value in self._lists.get(suggestions, []):
                form.controls.append(Control(control.name, value, False, True, control.kind))


def _fields(form: _OpenForm) -> tuple[Field, ...]:
    names = dict.fromkeys(c.name for c in form.controls if c.name != CSRF_FIELD)
    fields = []
    for name in names:
        mine = [c for c in form.controls if c.name == name]
        sent = tuple(c.value for c in mine if c.sent)
        offered = tuple(dict.fromkeys(c.value for c in mine if c.offered))
        fields.append(Field(name, sent, offered, mine[0].kind, mine[0].bounds))
    return tuple(fields)


def forms_on(html: str, page: str) -> list[HtmlForm]:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    found = []
    for form in parser.forms:
        # Logging out ends the session, and every later post would only meet the login page.
        # A file upload is multipart; its own tests (tests/web/test_import_pages.py) post files.
        if form.action == "/logout" or form.multipart:
            continue
        token = next((c.value for c in form.controls if c.name == CSRF_FIELD and c.sent), "")
        assert token, f"a post form to {form.action} on {page} has no CSRF token"
        found.append(HtmlForm(page, form.action, token, _fields(form)))
    return found


def shape(action: str) -> str:
    """/admin/stages/3 -> /admin/stages/{id}: one handler, one template, whichever record."""
    return re.sub(r"/\d+(?=/|$)", "/{id}", action)


def discover(client: TestClient, pages: list[str]) -> list[HtmlForm]:
    """Every post form on the pages, once per shape of action (the same form for each of
    eight stages would only meet the same examples eight times); button-only forms last, so
    archiving or cancelling a record does not take the forms that edit it out of play first."""
    found: dict[str, HtmlForm] = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, f"{page}: {response.status_code}"
        for form in forms_on(response.text, page):
            found.setdefault(shape(form.action), form)
    return sorted(found.values(), key=lambda form: form.buttons_only)


def _plausible(spec: Field) -> st.SearchStrategy[str]:
    """A value a person could type into this kind of input."""
    low, high = spec.bounds
    days = st.dates(date(2020, 1, 1), date(2035, 12, 31))
    by_kind: dict[str, st.SearchStrategy[str]] = {
        "date": days.map(date.isoformat),
        "datetime-local": st.datetimes(datetime(2020, 1, 1), datetime(2035, 12, 31)).map(
            lambda moment: moment.strftime("%Y-%m-%dT%H:%M")
        ),
        "week": days.map(lambda day: f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"),
        "number": st.integers(low, high).map(str),
        "decimal": st.decimals(Decimal(low), Decimal(high) * 1_000, places=2).map(str),
        "email": st.emails(),
        "tel": st.from_regex(r"\+?[0-9][0-9 ()-]{5,18}", fullmatch=True),
        "password": st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=8),
    }
    return by_kind.get(spec.kind, WORDS)


def _good(spec: Field) -> st.SearchStrategy[tuple[str, ...]]:
    """What the page rendered, another value it offers, or a plausible one (filled-in first)."""
    rendered = st.just(spec.sent)
    choices = [rendered]
    if spec.offered:
        choices.append(st.sampled_from(spec.offered).map(lambda value: (value,)))
    elif spec.typed:
        width = max(len(spec.sent), 1)  # answers: several inputs under one name
        choices.append(st.lists(_plausible(spec), min_size=width, max_size=width).map(tuple))
    if not any(spec.sent):
        choices.reverse()
    return st.one_of(choices)


@st.composite
def submissions(draw: st.DrawFn, form: HtmlForm) -> dict[str, list[str]]:
    """A few fields spoiled, the others filled in well; none spoiled comes first."""
    names = [spec.name for spec in form.fields]
    spoiled = draw(st.sets(st.sampled_from(names), max_size=MOST_SPOILED)) if names else set()
    body = {}
    for spec in form.fields:
        values = draw(SPOILED if spec.name in spoiled else _good(spec))
        if values:
            body[spec.name] = list(values)
    return body


def _counts(db: Session) -> tuple[int, ...]:
    db.rollback()
    return tuple(
        db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Contact, Deal, Interaction, Commitment, Account)
    )


def _refused(response: Response) -> bool:
    status = response.status_code
    return 400 <= status < 500 or (status == 200 and 'role="alert"' in response.text)


def _shown(body: dict[str, list[str]]) -> str:
    return repr({name: [value[:40] for value in values] for name, values in body.items()})


def fuzz_form(client: TestClient, db: Session, form: HtmlForm) -> None:
    @FUZZ
    @given(submissions(form))
    def run(body: dict[str, list[str]]) -> None:
        before = _counts(db)
        data = {**body, CSRF_FIELD: [form.csrf]}
        response = client.post(form.action, data=data, follow_redirects=False)
        where = f"POST {form.action} (form on {form.page}) with {_shown(body)}"
        assert response.status_code < 500, f"{where}: {response.text[:300]}"
        if _refused(response):
            assert _counts(db) == before, f"{where}: refused ({response.status_code}) but wrote"

    run()


def fuzz(client: TestClient, db: Session, forms: list[HtmlForm]) -> None:
    for form in forms:
        fuzz_form(client, db, form)


def _actions(forms: list[HtmlForm]) -> set[str]:
    return {form.action for form in forms}


@dataclass(frozen=True, slots=True)
class Book:
    contact: int
    account: int
    deal: int
    planned: int
    upload: str


def _created(response: Response) -> int:
    assert response.status_code in (200, 201), response.text
    return int(response.json()["id"])


def _plan(api: Api, contact: int, deal: int, when: str) -> int:
    body = {
        "contact_id": contact,
        "deal_id": deal,
        "reason": "referral",
        "channel": "phone",
        "objective": "Learn who decides on the seats",
        "learning_questions": "Who signs?\nBy when?",
        "scheduled_at": when,
    }
    return _created(api.post("/interactions", body))


def _log_with_promises(api: Api, interaction: int) -> None:
    promise = {"party": "prospect", "description": "Send the floor plan", "due_on": "2030-01-10"}
    outcome = {
        "reached": "connected",
        "objective_met": "yes",
        "result": "advance",
        "commitments": [promise, {**promise, "party": "rep", "description": "Send a quote"}],
        "next_step": "none",
        "no_next_step_reason": "They call back after the board meets",
    }
    response = api.post(f"/interactions/{interaction}/outcome", outcome)
    assert response.status_code == 200, response.text


def _upload(client: TestClient) -> str:
    form = {"kind": "contacts", "preset": "", CSRF_FIELD: csrf_token(client, "/import")}
    files = {"file": ("people.csv", CSV.encode(), "text/csv")}
    response = client.post("/import", data=form, files=files, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).split("?")[0]


@pytest.fixture
def book(client: TestClient, db: Session, personas: Personas, rita: Api) -> Book:
    """Rita's small book, so that every kind of detail page has its forms; she is logged in."""
    account = _created(rita.post("/accounts", {"name": "Harbor Dental"}))
    contact = _created(rita.post("/contacts", {"first_name": "Dana", "account_id": account}))
    other = _created(rita.post("/contacts", {"first_name": "Lee", "last_name": "Park"}))
    deal = _created(rita.post("/deals", {"title": "Suite", "contact_id": contact}))
    people = rita.put(f"/deals/{deal}/people", {"contact_id": other, "role": "decision_maker"})
    assert people.status_code == 200, people.text
    _log_with_promises(rita, _plan(rita, contact, deal, "2030-01-07T10:00:00Z"))
    planned = _plan(rita, contact, deal, "2020-01-06T10:00:00Z")  # overdue: on Today
    today = datetime.now(UTC).date().isoformat()
    _created(rita.post("/goals", {"amount": "10000", "start_on": today}))
    cora = Api(client, token_headers(db, personas.cora))
    note = {"rep_id": personas.rita.id, "kind": "coach", "body": "Ask who else decides."}
    _created(cora.post("/coach/notes", note))
    log_in(client, personas.rita)
    return Book(contact, account, deal, planned, _upload(client))


def _rita_pages(book: Book) -> list[str]:
    contact, account, deal, planned = book.contact, book.account, book.deal, book.planned
    return [
        "/today",
        "/contacts",
        "/contacts/new",
        f"/contacts/{contact}",
        f"/contacts/{contact}/edit",
        "/accounts",
        "/accounts/new",
        f"/accounts/{account}",
        f"/accounts/{account}/edit",
        "/deals",
        "/deals/board",
        "/deals/new",
        f"/deals/{deal}",
        f"/deals/{deal}/edit",
        f"/deals/{deal}/proposal",
        f"/deals/{deal}/close",
        "/interactions/new",
        f"/interactions/{planned}",
        f"/interactions/{planned}/edit",
        f"/interactions/{planned}/log",
        "/plan-block",
        "/commitments",
        "/settings",
        "/goals",
        "/plan",
        "/scorecard",
        "/health",
        "/health/thresholds",
        "/import",
        book.upload,
    ]


def test_every_form_a_rep_sees_survives_fuzzing(
    client: TestClient, db: Session, book: Book
) -> None:
    forms = discover(client, _rita_pages(book))
    must = {"/today/start", "/contacts", "/deals", "/interactions", "/plan-block", "/goals"}
    must |= {f"/interactions/{book.planned}/log", "/settings/profile", book.upload}
    assert must <= _actions(forms), sorted(must - _actions(forms))
    fuzz(client, db, forms)


def test_every_form_a_coach_sees_survives_fuzzing(
    client: TestClient, db: Session, personas: Personas, book: Book
) -> None:
    log_in(client, personas.cora)  # the same browser, now Cora's session
    forms = discover(client, ["/coach", f"/coach/reps/{personas.rita.id}"])
    assert f"/coach/reps/{personas.rita.id}/notes" in _actions(forms)
    fuzz(client, db, forms)


def test_every_admin_form_survives_fuzzing(
    client: TestClient, db: Session, personas: Personas
) -> None:
    ada = Api(client, token_headers(db, personas.ada))
    team = db.scalar(select(Team.id).where(Team.name == "East"))
    builtin = ada.get("/admin/playbooks").json()[0]["id"]
    copy = {"team_id": team, "source_playbook_id": builtin}
    _created(ada.post("/admin/playbooks", copy))  # a team's own playbook has editable types
    log_in(client, personas.ada)
    pages = ["/admin/users", "/admin/teams", "/admin/stages", "/admin/playbooks"]
    forms = discover(client, [*pages, "/health/thresholds", "/goals"])
    shapes = {shape(action) for action in _actions(forms)}
    assert {"/admin/users", "/admin/stages/{id}", "/admin/playbooks/{id}/types"} <= shapes
    fuzz(client, db, forms)


def test_the_login_form_survives_fuzzing(
    client: TestClient, db: Session, personas: Personas
) -> None:
    forms = discover(client, ["/login"])
    assert _actions(forms) == {"/login"}
    fuzz(client, db, forms)


# Regressions the fuzzing found: each pinned to one post so it holds whatever the seed draws.


def _form(client: TestClient, page: str, action: str) -> HtmlForm:
    return next(form for form in forms_on(client.get(page).text, page) if form.action == action)


def _post_changed(client: TestClient, form: HtmlForm, name: str, value: str) -> Response:
    """The form as its page renders it, with one field changed."""
    data = {spec.name: list(spec.sent) for spec in form.fields} | {name: [value]}
    return client.post(form.action, data={**data, CSRF_FIELD: [form.csrf]}, follow_redirects=False)


def test_a_name_beyond_latin_1_is_saved_and_named_in_the_message(
    client: TestClient, personas: Personas
) -> None:
    log_in(client, personas.rita)
    name = "Ādam 日本 🚀"  # the flash message rides in a cookie, and cookie headers are Latin-1
    saved = _post_changed(client, _form(client, "/contacts/new", "/contacts"), "first_name", name)
    assert saved.status_code == 303, saved.text[:300]
    assert f"{name} added." in client.get(saved.headers["location"]).text


@pytest.mark.parametrize(
    ("path", "action", "name"),
    [("/login", "/login", "email"), ("/settings", "/settings/tokens", "name")],
)
def test_a_nul_character_is_refused_where_no_input_model_checks_it(
    client: TestClient, db: Session, personas: Personas, path: str, action: str, name: str
) -> None:
    if path != "/login":
        log_in(client, personas.rita)
    before = _counts(db)
    refused = _post_changed(client, _form(client, path, action), name, "a\x00b")
    assert refused.status_code == 422 and "Text cannot contain NUL characters." in refused.text
    assert _counts(db) == before


@pytest.mark.parametrize("value", ["²", "9" * 5_000])
@pytest.mark.parametrize(("path", "name"), [("/plan-block", "contact_ids"), ("/goals", "owner_id")])
def test_digits_that_int_refuses_are_refused_not_a_500(
    client: TestClient, personas: Personas, path: str, name: str, value: str
) -> None:
    log_in(client, personas.rita)
    refused = _post_changed(client, _form(client, path, path), name, value)
    assert refused.status_code == 422, refused.text[:300]
