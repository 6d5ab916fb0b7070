"""Pages of results with their total, the same for pages, API and CLI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _bounded(page: int, per_page: int) -> tuple[int, int]:
    return max(1, page), min(max(1, per_page), MAX_PER_PAGE)


def _within(page: int, total: int, per_page: int) -> int:
    return min(page, max(1, ceil(total / per_page)))


@dataclass(frozen=True, slots=True)
class Paged:
    """A query with the two statements a page of it takes: its rows counted, and one page of
    them. Built once at import for a page every request asks for, with its values bound at
    run time: building the SQL again each time cost as much as a small query."""

    count: Select[tuple[int]]
    rows: Select[Any]

    @classmethod
    def of(cls, query: Select[Any]) -> Paged:
        return cls(
            select(func.count()).select_from(query.order_by(None).subquery()),
            query.limit(bindparam("page_limit")).offset(bindparam("page_offset")),
        )


def paginate(
    db: Session,
    query: Select[Any] | Paged,
    page: int,
    per_page: int,
    values: Mapping[str, Any] | None = None,
) -> Page[Any]:
    """One page of the query's rows (its ``values`` bound); a page past the end is the last."""
    paged = query if isinstance(query, Paged) else Paged.of(query)
    values = dict(values or {})
    page, per_page = _bounded(page, per_page)
    total = db.scalar(paged.count, values) or 0
    page = _within(page, total, per_page)
    values.update(page_limit=per_page, page_offset=(page - 1) * per_page)
    items = list(db.scalars(paged.rows, values).unique())
    return Page(items, total, page, per_page)


def page_of(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """One page of a list already worked out in full; a page past the end is the last one."""
    page, per_page = _bounded(page, per_page)
    page = _within(page, len(items), per_page)
    return Page(list(items[(page - 1) * per_page : page * per_page]), len(items), page, per_page)
