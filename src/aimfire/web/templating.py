"""Jinja2 set-up and the one way pages render a template."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aimfire.domain.contacts import humanize
from aimfire.domain.objective import REWRITE_RULES
from aimfire.domain.pipeline import format_money
from aimfire.services.access import Actor
from aimfire.web.deps import CSRF_FIELD, csrf_for, get_settings

TEMPLATES_DIR = Path(__file__).parent / "templates"
FLASH_COOKIE = "aimfire_flash"


def record_options(records: Iterable[Any], text: str = "name") -> list[tuple[str, str]]:
    """(id, label) pairs for a <select> of database records."""
    return [(str(record.id), str(getattr(record, text))) for record in records]


def enum_options(members: Iterable[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, humanize(member.value)) for member in members]


def local_time(moment: datetime | None, actor: Actor, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """An instant shown in the viewer's own time zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(actor.user.time_zone)).strftime(pattern)


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters["humanize"] = humanize
templates.env.filters["record_options"] = record_options
templates.env.filters["enum_options"] = enum_options
templates.env.filters["local"] = local_time
templates.env.globals["CSRF_FIELD"] = CSRF_FIELD
templates.env.globals["REWRITE_RULES"] = REWRITE_RULES


def _money(request: Request, cents: int) -> str:
    return format_money(cents, get_settings(request).currency)


def _query(request: Request, **changes: Any) -> str:
    """The current query string with some parameters changed (for paging links)."""
    params = dict(request.query_params)
    params.update({key: str(value) for key, value in changes.items()})
    return "?" + urlencode(params)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    page = {
        "actor": getattr(request.state, "actor", None),
        "csrf_token": csrf_for(request),
        "flash": unquote(request.cookies.get(FLASH_COOKIE, "")),
        "money": lambda cents: _money(request, cents),
        "query_with": lambda **changes: _query(request, **changes),
        "errors": {},
        "form": {},
    }
    page.update(context or {})
    response = templates.TemplateResponse(request, template, page, status_code=status)
    if page["flash"]:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(url: str, flash: str | None = None) -> RedirectResponse:
    """Post/redirect/get, with an optional one-time message for the next page. The message is
    percent-encoded: a cookie header is Latin-1, and messages name what people typed."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        value = quote(flash, safe="")
        response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax")
    return response
