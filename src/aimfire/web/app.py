"""The application factory: ``create_app(settings)`` builds one app with its own database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aimfire import __version__
from aimfire.config import Settings
from aimfire.services.setup import Database, open_database
from aimfire.web import api, pages
from aimfire.web.deps import BROWSER_COOKIE, new_browser_id
from aimfire.web.errors import install_error_handlers
from aimfire.web.page_cache import PageCache

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
    app.state.page_cache = PageCache()
    app.add_middleware(BrowserCookieAndHeaders)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


class BrowserCookieAndHeaders:
    """Gives each browser its id (read from its cookie, or new and set in the response),
    which CSRF tokens bind to, and adds the security headers to every response.

    Plain ASGI rather than ``app.middleware("http")``, which passes every response as a stream
    between two tasks: about 0.15 ms a request (1.06 -> 0.92 ms for a bare 8 kB page).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        existing = Request(scope).cookies.get(BROWSER_COOKIE)
        browser_id = existing or new_browser_id()
        scope.setdefault("state", {})["browser_id"] = browser_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not existing:
                    headers.append("set-cookie", _browser_cookie(browser_id, scope))
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _browser_cookie(browser_id: str, scope: Scope) -> str:
    response = Response()  # Starlette's own cookie formatting
    response.set_cookie(
        BROWSER_COOKIE,
        browser_id,
        max_age=BROWSER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=scope["scheme"] == "https",
    )
    return response.headers["set-cookie"]
