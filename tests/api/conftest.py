from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from aimfire.store.models import User
from support import Api, Personas, token_headers


@pytest.fixture
def api_as(client: TestClient, db: Session) -> Callable[[User], Api]:
    def make(user: User) -> Api:
        return Api(client, token_headers(db, user))

    return make


@pytest.fixture
def rita(api_as: Callable[[User], Api], personas: Personas) -> Api:
    return api_as(personas.rita)


@pytest.fixture
def ben(api_as: Callable[[User], Api], personas: Personas) -> Api:
    return api_as(personas.ben)


@pytest.fixture
def cora(api_as: Callable[[User], Api], personas: Personas) -> Api:
    return api_as(personas.cora)


@pytest.fixture
def ada(api_as: Callable[[User], Api], personas: Personas) -> Api:
    return api_as(personas.ada)
