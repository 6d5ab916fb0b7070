"""Input models shared by the API (JSON bodies) and the pages (form posts)."""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from aimfire.errors import FieldProblem, Invalid

NUL_MESSAGE = "Text cannot contain NUL characters."


def has_nul(value: Any) -> bool:
    """PostgreSQL refuses NUL in text (a 500 otherwise); no one types it on purpose."""
    texts = value if isinstance(value, list) else [value]
    return any(isinstance(text, str) and "\x00" in text for text in texts)


def refuse_nul(fields: Iterable[tuple[str, Any]]) -> None:
    """The same rule for text that reaches the database without an Input model (a page's
    raw form fields: a login's email, a token's name)."""
    named = sorted({name for name, value in fields if has_nul(value)})
    if named:
        problems = [FieldProblem(name, NUL_MESSAGE) for name in named]
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise Invalid(f"Please correct: {summary}", problems)


def _accepts_none(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


class Input(BaseModel):
    """Base of every input model: trims text, refuses unknown fields, and reads an empty form
    field as "not given" (None, or the default) for anything that is not plain text."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_means_not_given(cls, value: Any, info: ValidationInfo) -> Any:
        if not (isinstance(value, str) and value.strip() == "" and info.field_name):
            return value
        field = cls.model_fields[info.field_name]
        if field.annotation is str:
            return value
        if _accepts_none(field.annotation):
            return None
        return value if field.is_required() else field.get_default(call_default_factory=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value


def field_path(location: tuple[int | str, ...]) -> str:
    """'body.contact_id' -> 'contact_id'; only FastAPI's leading 'body' is dropped, so a field
    that is itself called body keeps its name."""
    parts = list(location[1:] if location[:1] == ("body",) else location)
    return ".".join(str(part) for part in parts) or "input"


def problems_from(error: ValidationError) -> list[FieldProblem]:
    problems = []
    for item in error.errors(include_url=False):
        location = field_path(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(FieldProblem(location, message))
    return problems


M = TypeVar("M", bound=BaseModel)


def parse_input(model: type[M], data: Any) -> M:
    """Validate ``data`` into ``model`` or raise ``Invalid`` naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = problems_from(error)
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise Invalid(f"Please correct: {summary}", problems) from None
