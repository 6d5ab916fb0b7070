"""Helpers shared by the pages' form handlers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from aimfire.errors import AppError
from aimfire.web.templating import render


def form_error(
    request: Request,
    template: str,
    fields: dict[str, str],
    error: AppError,
    **context: Any,
) -> Response:
    """Show the form again with what was typed, a summary, and a message beside each field."""
    errors = {problem.field: problem.message for problem in error.fields}
    page = {"form": fields, "error": error, "errors": errors, **context}
    return render(request, template, page, status=error.status)


MOST_DIGITS = 18  # any larger number is beyond a database id (and int() refuses 4,301+ digits)


def whole_number(text: object) -> int | None:
    """A form field's whole number, or None. Not ``str.isdigit()`` then ``int()``: isdigit
    accepts "²" and 5,000 digits, which int() refuses."""
    value = str(text)
    if value.isascii() and value.isdigit() and len(value) <= MOST_DIGITS:
        return int(value)
    return None


def safe_path(target: object, default: str) -> str:
    """A same-site path to go back to; anything else (//host, https://...) is the default."""
    text = str(target or "")
    return text if text.startswith("/") and not text.startswith("//") else default
