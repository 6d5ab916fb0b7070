from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from support import Api, Personas, token_headers


@pytest.fixture
def rita(client: TestClient, db: Session, personas: Personas) -> Api:
    return Api(client, token_headers(db, personas.rita))
