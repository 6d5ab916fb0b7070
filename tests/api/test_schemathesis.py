"""Property-based test of the whole API against its own OpenAPI document (schemathesis).

Every operation gets a few generated requests as Rita (a rep) with her API token, on SQLite;
each response must not be a server error and must match what the document promises: its
status code, content type and body schema.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from support import Personas, token_headers

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A few hundred cases in all by default; AIMFIRE_FUZZ_EXAMPLES=50 for a deeper run by hand.
EXAMPLES_PER_OPERATION = int(os.environ.get("AIMFIRE_FUZZ_EXAMPLES", "4"))


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: the fuzz run is about the API's shape, which is the same on both."""
    path = tmp_path / "fuzz.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture
def rita_headers(db: Session, personas: Personas) -> dict[str, str]:
    return token_headers(db, personas.rita)


# Revoking tokens could revoke the one the run uses; that route is tested in test_me_api.
SKIPPED = {("DELETE", "/api/v1/tokens/{token_id}")}


def test_the_api_matches_its_openapi_document(app: FastAPI, rita_headers: dict[str, str]) -> None:
    # One Hypothesis run per operation, driven here rather than by schemathesis' pytest
    # plugin, whose lazy loader reaches into pytest internals that pytest 9 no longer has.
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        tried += 1

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize="AIMFIRE_FUZZ_EXAMPLES" not in os.environ,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=rita_headers, checks=CHECKS)

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert tried > 80
    assert not failures, "\n\n".join(failures)
