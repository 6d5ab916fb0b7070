"""The app's route table, flattened: every (method, path) with its declared query parameters.

FastAPI keeps included routers as nested route groups; this walks them so a test sees every
route the app answers, exactly as a request would reach it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI


@dataclass(frozen=True, slots=True)
class RouteInfo:
    method: str
    path: str
    query: frozenset[str]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def _flatten(routes: Iterable[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "effective_route_contexts"):  # an included router
            yield from _flatten(route.effective_route_contexts())
        else:
            yield route


def _query_names(dependant: Any) -> set[str]:
    names = {param.name for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def route_table(app: FastAPI) -> list[RouteInfo]:
    found = []
    for route in _flatten(app.routes):
        original = getattr(route, "original_route", route)
        dependant = getattr(original, "dependant", None)
        query = frozenset(_query_names(dependant)) if dependant is not None else frozenset()
        methods = getattr(route, "methods", None) or {"GET"}  # a mount (static files)
        for method in sorted(methods - {"HEAD"}):
            found.append(RouteInfo(method, route.path, query))
    return sorted(set(found), key=lambda r: (r.path, r.method))
