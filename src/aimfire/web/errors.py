"""One handler per kind of failure: an HTML page for browsers, one JSON shape for the API.

The JSON shape is ``{"error": {"code": str, "message": str, "fields": [{"field", "message"}]}}``.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aimfire.errors import AppError, FieldProblem
from aimfire.services.validation import field_path
from aimfire.web.deps import LoginRequired

log = logging.getLogger(__name__)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_body(error: AppError) -> dict[str, object]:
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "fields": [{"field": p.field, "message": p.message} for p in error.fields],
        }
    }


def _respond(request: Request, error: AppError) -> Response:
    if wants_json(request):
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return JSONResponse(error_body(error), status_code=error.status, headers=headers)
    from aimfire.web.templating import render  # templating imports deps; avoid a cycle

    return render(request, "error.html", {"error": error}, status=error.status)


async def _app_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, AppError)
    return _respond(request, error)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [FieldProblem(field_path(item["loc"]), item["msg"]) for item in error.errors()]
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
    return _respond(request, AppError(f"Please correct: {summary}", 422, "invalid", problems))


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    messages = {404: "There is nothing at this address.", 405: "That method is not allowed here."}
    message = messages.get(error.status_code, str(error.detail))
    return _respond(request, AppError(message, error.status_code, "http_error"))


async def _login_required(request: Request, _error: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def _number_out_of_range(request: Request, error: Exception) -> Response:
    # An id or number beyond what the database stores (SQLite: OverflowError; PostgreSQL:
    # SQLSTATE 22003) names nothing that can exist: bad input, not a server error.
    if isinstance(error, DataError) and getattr(error.orig, "sqlstate", None) != "22003":
        return await _unexpected(request, error)
    return _respond(request, AppError("A number in the request is too large.", 422, "invalid"))


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _respond(request, AppError("Something went wrong on our side.", 500, "server_error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(OverflowError, _number_out_of_range)
    app.add_exception_handler(DataError, _number_out_of_range)
    app.add_exception_handler(Exception, _unexpected)
