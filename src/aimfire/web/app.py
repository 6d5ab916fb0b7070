"""The application factory: ``create_app(settings)`` builds one app with its own database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from aimfire import __version__
from aimfire.config import Settings
from aimfire.services.setup import Database, open_database
from aimfire.web import api, pages
from aimfire.web.deps import BROWSER_COOKIE, new_browser_id
from aimfire.web.errors import install_error_handlers

STATIC_DIR = Path(__file__).parent / "static"
BROWSER_COOKIE_MAX_AGE = 400 * 24 * 3600

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    database = database or open_database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    app = FastAPI(
        title="aimfire",
        version=__version__,
        summary="Plan every sales interaction, record it against the plan, review the week.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database
    app.middleware("http")(_browser_cookie_and_headers)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


async def _browser_cookie_and_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    existing = request.cookies.get(BROWSER_COOKIE)
    request.state.browser_id = existing or new_browser_id()
    response = await call_next(request)
    if not existing:
        response.set_cookie(
            BROWSER_COOKIE,
            request.state.browser_id,
            max_age=BROWSER_COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
