"""Pages kept between changes to the data.

A page whose HTML follows from its viewer, the viewer's day and the data alone (Today) is
kept once rendered, under the data version it was rendered at (``store.data_version``), and
served again while that version stands: at a large book, Today's queries take 9 to 12 ms a
visit and the kept page none. It is kept per browser as well (the page holds the browser's
CSRF token), in each process, a bounded number of pages at a time; a page that shows a
one-time message (a flash) is neither kept nor served from what was kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from threading import Lock
from typing import NamedTuple

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from aimfire.services.access import Actor
from aimfire.store import data_version
from aimfire.web.deps import browser_id
from aimfire.web.templating import FLASH_COOKIE

KEPT_PAGES = 256  # about 40 kB each at a large book's Today


class PageKey(NamedTuple):
    path: str
    query: str
    viewer: int
    browser: str
    version: int
    day: date


class PageCache:
    """The most recently used pages, at most ``size`` of them; safe across threads."""

    def __init__(self, size: int = KEPT_PAGES) -> None:
        self._size = size
        self._pages: OrderedDict[PageKey, bytes] = OrderedDict()
        self._lock = Lock()

    def get(self, key: PageKey) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: PageKey, body: bytes) -> None:
        with self._lock:
            self._pages[key] = body
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)


def kept_page(
    request: Request, db: Session, actor: Actor, day: date, render: Callable[[], Response]
) -> Response:
    """The page as kept for this viewer, browser, day and data version; else ``render``-ed
    (and kept, if it rendered whole)."""
    if request.cookies.get(FLASH_COOKIE):
        return render()
    version = data_version.current(db)
    key = PageKey(request.url.path, request.url.query, actor.id, browser_id(request), version, day)
    pages: PageCache = request.app.state.page_cache
    body = pages.get(key)
    if body is not None:
        return HTMLResponse(body)
    response = render()
    if response.status_code == 200:
        pages.put(key, bytes(response.body))
    return response
