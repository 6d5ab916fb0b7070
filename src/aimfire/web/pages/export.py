"""Downloading everything the user owns (an admin: the whole instance) as JSON."""

from __future__ import annotations

import os
import tempfile

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from aimfire.services import export
from aimfire.store.types import utcnow
from aimfire.web.deps import DbSession, PageActor

router = APIRouter()


def export_response(db: DbSession, actor: PageActor) -> Response:
    """The export as a file download; written to a temporary file first, so a large one
    never sits in memory and the database session is done before the first byte goes out."""
    handle, path = tempfile.mkstemp(prefix="aimfire-export-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
        export.write_export(db, actor, out)
    name = f"aimfire-export-{utcnow().date().isoformat()}.json"
    return FileResponse(
        path,
        media_type="application/json",
        filename=name,
        background=BackgroundTask(os.unlink, path),
    )


@router.get("/settings/export")
def download_export(db: DbSession, actor: PageActor) -> Response:
    return export_response(db, actor)
