"""Every route of the app x every role x records owned by someone else: zero leaks.

The matrix is generated from the app's route table. Rita owns a small book whose every text
carries a marker; each route is called with Rita's record ids in its path, her id in any
``owner_id`` / ``rep_id`` query parameter and her ids in the body, by:

- Ben, another rep; Dave, the coach of Ben only; Ada, an admin: 404 on Rita's records
  (403 on admin-only routes for non-admins), never the marker in any answer, never a 5xx;
- Cora, Rita's coach: reads succeed, writes are refused (403 or 404) except what a coach
  may do (notes on a rep they coach);
- Rita herself, on reads only: 200, which proves the ids used above are real.

Afterwards Rita's rows are exactly as they were. A route missing from ``ROUTES`` fails
``test_every_route_is_in_the_matrix``: a new route must say how to exercise it.
Authorisation does not depend on the database, so this runs on SQLite only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from route_table import RouteInfo, route_table
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.domain.teams import TeamRole
from aimfire.store.db import begin_write
from aimfire.store.models import Base, Team, TeamMember, User
from support import Personas, csrf_token, log_in, token_headers

MARKER = "Zyxwv"

# How each route is exercised. public: anyone may call it; own: works on the caller's own
# book or settings; record: its path names one of Rita's records; coach: a coach of the
# owner may write; admin: admins only; secret: the path holds a secret (a calendar feed or
# an import in progress), called with a wrong one; skip: not called (why in the comment).
ROUTES = """
GET / own
GET /accounts own
POST /accounts own
GET /accounts/new own
GET /accounts/{account_id} record
POST /accounts/{account_id} record
POST /accounts/{account_id}/archive record
GET /accounts/{account_id}/edit record
GET /admin/playbooks admin
POST /admin/playbooks admin
POST /admin/playbooks/{playbook_id}/types admin
POST /admin/playbooks/{playbook_id}/types/{type_id} admin
POST /admin/playbooks/{playbook_id}/types/{type_id}/delete admin
GET /admin/stages admin
POST /admin/stages admin
POST /admin/stages/{stage_id} admin
POST /admin/stages/{stage_id}/move admin
GET /admin/teams admin
POST /admin/teams admin
POST /admin/teams/{team_id}/members admin
POST /admin/teams/{team_id}/members/{user_id}/remove admin
GET /admin/users admin
POST /admin/users admin
POST /admin/users/{user_id}/active admin
GET /api/docs public
GET /calendar/{token}.ics secret
GET /favicon.ico public
GET /import own
POST /import own
GET /import/{token} secret
POST /import/{token} secret
GET /import/{token}/problems.csv secret
GET /settings/export own
POST /settings/calendar/rotate own
GET /api/openapi.json public
GET /api/v1/accounts own
POST /api/v1/accounts own
GET /api/v1/accounts/{account_id} record
PUT /api/v1/accounts/{account_id} record
POST /api/v1/accounts/{account_id}/archive record
POST /api/v1/accounts/{account_id}/unarchive record
GET /api/v1/admin/playbooks admin
POST /api/v1/admin/playbooks admin
POST /api/v1/admin/playbooks/{playbook_id}/types admin
DELETE /api/v1/admin/playbooks/{playbook_id}/types/{type_id} admin
PUT /api/v1/admin/playbooks/{playbook_id}/types/{type_id} admin
GET /api/v1/admin/stages admin
POST /api/v1/admin/stages admin
PUT /api/v1/admin/stages/{stage_id} admin
POST /api/v1/admin/stages/{stage_id}/move admin
GET /api/v1/admin/teams admin
POST /api/v1/admin/teams admin
PUT /api/v1/admin/teams/{team_id}/members admin
DELETE /api/v1/admin/teams/{team_id}/members/{user_id} admin
GET /api/v1/admin/users admin
POST /api/v1/admin/users admin
PUT /api/v1/admin/users/{user_id}/active admin
GET /api/v1/behaviour-plan own
GET /api/v1/export own
GET /api/v1/me/calendar own
POST /api/v1/me/calendar/rotate own
POST /api/v1/imports/{kind} own
POST /api/v1/imports/{kind}/inspect own
GET /api/v1/coach/dashboard own
GET /api/v1/coach/notes own
POST /api/v1/coach/notes coach
POST /api/v1/coach/notes/{note_id}/acknowledge record
GET /api/v1/commitments own
POST /api/v1/commitments/joint-meeting own
GET /api/v1/commitments/rates own
POST /api/v1/commitments/{commitment_id}/resolve record
GET /api/v1/contacts own
POST /api/v1/contacts own
GET /api/v1/contacts/{contact_id} record
PUT /api/v1/contacts/{contact_id} record
POST /api/v1/contacts/{contact_id}/archive record
POST /api/v1/contacts/{contact_id}/unarchive record
GET /api/v1/deals own
POST /api/v1/deals own
GET /api/v1/deals/{deal_id} record
PUT /api/v1/deals/{deal_id} record
POST /api/v1/deals/{deal_id}/close record
GET /api/v1/deals/{deal_id}/health record
PUT /api/v1/deals/{deal_id}/people record
DELETE /api/v1/deals/{deal_id}/people/{contact_id} record
GET /api/v1/deals/{deal_id}/post-mortem record
POST /api/v1/deals/{deal_id}/proposal record
POST /api/v1/deals/{deal_id}/stage record
GET /api/v1/goals own
POST /api/v1/goals own
GET /api/v1/goals/rollup own
DELETE /api/v1/goals/{goal_id} record
GET /api/v1/goals/{goal_id} record
PUT /api/v1/goals/{goal_id} record
GET /api/v1/health own
GET /api/v1/health/diagnoses own
GET /api/v1/interactions own
POST /api/v1/interactions own
POST /api/v1/interactions/bulk own
GET /api/v1/interactions/{interaction_id} record
PUT /api/v1/interactions/{interaction_id} record
POST /api/v1/interactions/{interaction_id}/cancel record
POST /api/v1/interactions/{interaction_id}/outcome record
GET /api/v1/me own
PUT /api/v1/me own
POST /api/v1/me/password own
GET /api/v1/me/selling-time own
PUT /api/v1/me/selling-time own
POST /api/v1/objective-check own
GET /api/v1/pipeline/board own
GET /api/v1/pipeline/stages own
GET /api/v1/pipeline/stages/health own
PUT /api/v1/pipeline/stages/{stage_id}/health admin
GET /api/v1/playbooks own
GET /api/v1/reports/losses own
GET /api/v1/scorecard own
GET /api/v1/scorecard/targets/{week} own
PUT /api/v1/scorecard/targets/{week} own
GET /api/v1/scorecard/trend own
GET /api/v1/today own
GET /api/v1/tokens own
POST /api/v1/tokens own
DELETE /api/v1/tokens/{token_id} record
POST /api/v1/work-sessions own
GET /coach own
GET /coach/reps/{rep_id} record
POST /coach/reps/{rep_id}/notes coach
GET /commitments own
POST /commitments/{commitment_id} record
GET /contacts own
POST /contacts own
GET /contacts/new own
GET /contacts/{contact_id} record
POST /contacts/{contact_id} record
POST /contacts/{contact_id}/archive record
GET /contacts/{contact_id}/edit record
GET /deals own
POST /deals own
GET /deals/board own
GET /deals/new own
GET /deals/{deal_id} record
POST /deals/{deal_id} record
GET /deals/{deal_id}/close record
POST /deals/{deal_id}/close record
GET /deals/{deal_id}/edit record
POST /deals/{deal_id}/people record
POST /deals/{deal_id}/people/{contact_id}/remove record
GET /deals/{deal_id}/proposal record
POST /deals/{deal_id}/proposal record
POST /deals/{deal_id}/stage record
GET /docs/oauth2-redirect public
GET /goals own
POST /goals own
POST /goals/{goal_id}/delete record
GET /health own
GET /health/thresholds own
POST /health/thresholds/{stage_id} admin
POST /interactions own
GET /interactions/new own
GET /interactions/{interaction_id} record
POST /interactions/{interaction_id} record
POST /interactions/{interaction_id}/cancel record
GET /interactions/{interaction_id}/edit record
GET /interactions/{interaction_id}/log record
POST /interactions/{interaction_id}/log record
GET /login public
POST /login public
POST /logout skip
GET /plan own
GET /plan-block own
POST /plan-block own
GET /reports/losses own
GET /scorecard own
GET /scorecard/charts/{name}.svg own
POST /scorecard/notes/{note_id}/acknowledge record
POST /scorecard/targets own
GET /settings own
POST /settings/password own
POST /settings/profile own
POST /settings/selling-time own
POST /settings/tokens own
POST /settings/tokens/{token_id}/revoke record
GET /setup public
POST /setup public
GET /static public
GET /today own
POST /today/start own
GET /work own
"""
# POST /logout is skipped: it ends the session the rest of the matrix runs in; the auth
# page tests cover it.


def _known() -> dict[str, str]:
    pairs = (line.rsplit(" ", 1) for line in ROUTES.strip().splitlines())
    return {key: kind for key, kind in pairs}


KNOWN = _known()
ROLES = ("other_rep", "coach_of_owner", "coach_of_someone_else", "admin", "owner")
RITAS_QUERY = ("owner_id", "rep_id")


@dataclass
class World:
    """Rita's book (every text carries MARKER), and the ids of what the routes name."""

    ids: dict[str, Any] = field(default_factory=dict)
    rita: int = 0


def _build_world(client: TestClient, db: Session, personas: Personas) -> World:
    headers = token_headers(db, personas.rita)

    def post(path: str, body: object) -> dict[str, Any]:
        response = client.post(f"/api/v1{path}", json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json() if response.content else {}

    account = post("/accounts", {"name": f"Harbor {MARKER}"})
    contact = post(
        "/contacts",
        {
            "first_name": "Dana",
            "last_name": MARKER,
            "account_id": account["id"],
            "role": "decision_maker",
        },
    )
    deal = post("/deals", {"title": f"Suite {MARKER}", "contact_id": contact["id"]})
    plan = {
        "contact_id": contact["id"],
        "deal_id": deal["id"],
        "reason": "referral",
        "channel": "phone",
        "objective": f"Learn who decides at {MARKER}",
        "scheduled_at": "2030-01-07T10:00:00Z",
    }
    done = post("/interactions", plan)
    post(
        f"/interactions/{done['id']}/outcome",
        {
            "reached": "connected",
            "objective_met": "yes",
            "result": "advance",
            "learned": MARKER,
            "next_step": "none",
            "no_next_step_reason": f"Wait {MARKER}",
            "commitments": [
                {"party": "prospect", "description": f"Ask {MARKER}", "due_on": "2030-01-08"}
            ],
        },
    )
    planned = post("/interactions", plan)
    lost = post("/deals", {"title": f"Lost {MARKER}", "contact_id": contact["id"]})
    post(
        f"/deals/{lost['id']}/close",
        {"outcome": "lost", "reasons": ["competitor"], "lesson": f"Learned {MARKER}"},
    )
    commitment = db.execute(text("SELECT id FROM commitments")).scalar_one()
    goal = post("/goals", {"amount": "1000", "start_on": "2030-01-07"})
    _ready_to_write(db)
    cora_headers = token_headers(db, personas.cora)
    note = client.post(
        "/api/v1/coach/notes",
        json={"rep_id": personas.rita.id, "kind": "coach", "body": f"Note {MARKER}"},
        headers=cora_headers,
    )
    assert note.status_code in (200, 201), note.text
    token = (
        db.execute(text("SELECT id FROM api_tokens WHERE user_id = :u"), {"u": personas.rita.id})
        .scalars()
        .first()
    )
    stage = db.execute(text("SELECT id FROM pipeline_stages ORDER BY position")).scalars().all()
    playbook, kind = db.execute(
        text("SELECT playbook_id, id FROM interaction_types ORDER BY id")
    ).first()
    team = db.execute(text("SELECT id FROM teams ORDER BY id")).scalars().first()
    db.rollback()
    ids = {
        "account_id": account["id"],
        "contact_id": contact["id"],
        "deal_id": deal["id"],
        "interaction_id": planned["id"],
        "done_interaction_id": done["id"],
        "commitment_id": commitment,
        "goal_id": goal["id"],
        "note_id": note.json()["id"],
        "token_id": token,
        "rep_id": personas.rita.id,
        "user_id": personas.rita.id,
        "owner_id": personas.rita.id,
        "stage_id": stage[1],
        "playbook_id": playbook,
        "type_id": kind,
        "source_playbook_id": playbook,
        "team_id": team,
        "week": "2030-W02",
        "name": "sales",
        "token": "not-the-secret",
        "kind": "contacts",
        "lost_deal_id": lost["id"],
    }
    return World(ids, personas.rita.id)


# --- requests ------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example(schema: dict[str, Any], spec: dict[str, Any], ids: dict[str, Any], name: str = ""):  # type: ignore[no-untyped-def]
    """A valid value for ``schema``, with Rita's ids wherever a field names a record."""
    schema = _resolve(schema, spec)
    if name in ids and (name.endswith("_id") or name == "week"):
        return ids[name]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, spec).get("type") != "null"]
            return example(options[0], spec, ids, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            prop: example(sub, spec, ids, prop)
            for prop, sub in schema.get("properties", {}).items()
            if prop in schema.get("required", []) or prop in ids
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 10
    if kind == "boolean":
        return True
    return {
        "date": "2030-01-09",
        "date-time": "2030-01-09T10:00:00Z",
        "email": "matrix@example.com",
    }.get(schema.get("format", ""), "Matrix words")


PAGE_FORM = {
    "first_name": "Matrix",
    "last_name": "Words",
    "name": "Matrix",
    "title": "Matrix",
    "reason": "referral",
    "channel": "phone",
    "objective": "Learn who decides",
    "scheduled_at": "2030-01-09T10:00",
    "reached": "connected",
    "objective_met": "yes",
    "result": "continuation",
    "next_step": "none",
    "no_next_step_reason": "Matrix",
    "status": "kept",
    "kind": "coach",
    "body": "Matrix note",
    "amount": "100",
    "period": "quarter",
    "start_on": "2030-01-07",
    "role": "user",
    "attitude": "5",
    "outcome": "lost",
    "reasons": "timing_or_budget",
    "lesson": "Matrix",
    "sent_on": "2030-01-07",
    "default_channel": "phone",
}


# Fields a route needs beyond PAGE_FORM / the schema's example, so that only authorisation
# can refuse it (a form refused as invalid would not test who may use the route).
FORMS: dict[str, dict[str, str]] = {
    "POST /admin/teams/{team_id}/members": {"role": "rep"},
}
# Ids other than the defaults for some routes: a post-mortem exists only for a closed deal.
ROUTE_IDS = {"GET /api/v1/deals/{deal_id}/post-mortem": {"deal_id": "lost_deal_id"}}
# What an admin may do with a rep's data, by product decision (each is a question for the
# lead: README "Who sees what" says an admin does not see other people's books):
# - the export is an instance backup for an admin (services/export.py scope_for);
# - admins set, read and remove reps' goals (services/goals.py GoalInput.owner_id).
ADMIN_MAY = {
    "GET /api/v1/export",
    "GET /settings/export",
    "GET /api/v1/goals",
    "GET /goals",
    "GET /api/v1/goals/{goal_id}",
    "PUT /api/v1/goals/{goal_id}",
    "DELETE /api/v1/goals/{goal_id}",
    "POST /goals/{goal_id}/delete",
}
# Reads the owner is rightly refused: a rep is not their own coach.
NOT_FOR_OWNER = {"GET /coach/reps/{rep_id}"}


@dataclass
class Caller:
    client: TestClient
    headers: dict[str, str]
    csrf: str


def call(caller: Caller, route: RouteInfo, world: World, spec: dict[str, Any]) -> Any:
    path = route.path
    for name, key in ROUTE_IDS.get(route.key, {}).items():
        path = path.replace("{" + name + "}", str(world.ids[key]))
    for name, value in world.ids.items():
        path = path.replace("{" + name + "}", str(value))
    if route.path == "/static":
        path = "/static/app.css"
    params = {name: world.rita for name in RITAS_QUERY if name in route.query}
    if route.method == "GET":
        for name in ("contact_id", "deal_id", "account_id", "follows_commitment_id"):
            key = "commitment_id" if name == "follows_commitment_id" else name
            params[name] = world.ids[key]
        return caller.client.get(path, params=params, headers=caller.headers)
    if route.path.startswith("/api/"):
        operation = spec["paths"].get(route.path, {}).get(route.method.lower(), {})
        content = operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        body = example(schema, spec, world.ids) if schema else None
        return caller.client.request(
            route.method, path, params=params, json=body, headers=caller.headers
        )
    ids = {k: str(v) for k, v in world.ids.items() if k.endswith("_id") or k == "week"}
    form = {**PAGE_FORM, **ids, **FORMS.get(route.key, {})}
    form["csrf_token"] = caller.csrf
    return caller.client.post(path, params=params, data=form, follow_redirects=False)


# --- expectations -------------------------------------------------------------------------


def problem(role: str, route: RouteInfo, kind: str, status: int, body: str) -> str | None:
    """What is wrong with this answer, or None."""
    reads = route.method == "GET"
    if status >= 500:
        return f"server error {status}"
    if role == "admin" and route.key in ADMIN_MAY:
        return None
    if kind == "secret":
        return None if status == 404 else f"a wrong secret answered {status}"
    if role == "owner":
        if kind == "admin" or route.key in NOT_FOR_OWNER:
            return None if status in (403, 404) else f"owner got {status}"
        return None if status == 200 else f"owner's own read answered {status}"
    if role != "coach_of_owner" and MARKER in body:
        return "answer contains the owner's data"
    names_rita = kind == "record" or any(name in route.query for name in RITAS_QUERY)
    if kind == "admin":
        if role == "admin":
            return None if (not reads or status == 200) else f"admin read answered {status}"
        return None if status == 403 else f"non-admin got {status}, expected 403"
    if role == "coach_of_owner":
        if kind == "coach":
            return None if status < 400 else f"coach's own note refused with {status}"
        if reads:
            # 403: a form to change the record, which a coach may read but not use
            ok = status in (200, 403) or not names_rita
            return None if ok else f"coach read got {status}"
        if kind == "record":
            return None if status in (403, 404) else f"coach write answered {status}"
        return None
    if kind in ("record", "coach") or names_rita:
        return None if status == 404 else f"expected 404, got {status}"
    return None


def _snapshot(db: Session, owner: int) -> dict[str, str]:
    """A digest of every row the owner owns, per table."""
    digests = {}
    for table in Base.metadata.sorted_tables:
        if "owner_id" in table.c:
            digest = hashlib.sha256()
            query = select(table).where(table.c.owner_id == owner).order_by(*table.primary_key)
            for row in db.execute(query):
                digest.update(repr(tuple(row)).encode())
            digests[table.name] = digest.hexdigest()
    return digests


def _ready_to_write(db: Session) -> None:
    """End any read, then take the write lock first (a stale read snapshot cannot write)."""
    db.rollback()
    begin_write(db)


# --- fixtures and tests -----------------------------------------------------------------


@pytest.fixture
def dave(db: Session, personas: Personas) -> User:
    """Dave coaches Ben, not Rita."""
    user = User(email="dave@example.com", name="Dave", password_hash=personas.ben.password_hash)
    db.add(user)
    db.flush()
    team = Team(name="West")
    team.members = [
        TeamMember(user_id=personas.ben.id, role=TeamRole.REP),
        TeamMember(user_id=user.id, role=TeamRole.COACH),
    ]
    db.add(team)
    db.commit()
    return user


def _caller(app: Any, db: Session, user: User) -> Iterator[Caller]:
    with TestClient(app) as client:
        log_in(client, user)
        _ready_to_write(db)
        yield Caller(client, token_headers(db, user), csrf_token(client, "/settings"))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_is_in_the_matrix(app: Any) -> None:
    routes = {route.key for route in route_table(app)}
    unknown = sorted(routes - set(KNOWN))
    assert not unknown, "Say how to exercise these routes in ROUTES: " + ", ".join(unknown)
    gone = sorted(set(KNOWN) - routes)
    assert not gone, "These routes no longer exist; remove them from ROUTES: " + ", ".join(gone)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_no_route_leaks_a_record_owned_by_someone_else(
    app: Any, client: TestClient, db: Session, personas: Personas, dave: User, role: str
) -> None:
    world = _build_world(client, db, personas)
    spec = app.openapi()
    user = {
        "other_rep": personas.ben,
        "coach_of_owner": personas.cora,
        "admin": personas.ada,
        "coach_of_someone_else": dave,
        "owner": personas.rita,
    }[role]
    before = _snapshot(db, world.rita)
    db.rollback()
    failures = []
    calls = 0
    for caller in _caller(app, db, user):
        for route in route_table(app):
            kind = KNOWN.get(route.key, "skip")
            if kind == "skip" or (role == "owner" and route.method != "GET"):
                continue
            if role == "admin" and kind == "admin" and route.method != "GET":
                continue  # an admin's own work; the admin tests cover it
            response = call(caller, route, world, spec)
            calls += 1
            found = problem(role, route, kind, response.status_code, response.text)
            if found:
                failures.append(f"{route.key}: {found} {response.text[:160]!r}")
    db.rollback()
    after = _snapshot(db, world.rita)
    changed = [name for name in before if before[name] != after[name]]
    if role == "admin":  # admins set reps' goals (services/goals.py): a new one is allowed
        changed = [name for name in changed if name != "goals"]
    assert not changed, f"{role} changed Rita's rows in {changed}"
    assert calls > 60
    assert not failures, f"{role}: {len(failures)} problems:\n" + "\n".join(failures)
