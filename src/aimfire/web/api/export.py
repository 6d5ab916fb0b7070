"""Export API: everything the caller owns (an admin: the whole instance) as JSON."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from aimfire.web.api.schemas import ERRORS
from aimfire.web.deps import ApiActor, DbSession
from aimfire.web.pages.export import export_response

router = APIRouter(tags=["export"], responses=ERRORS)
EXPORT_DOCUMENT = {
    200: {
        "description": "The export: 'format', 'version', 'scope', 'schema' and 'tables' "
        "(each a list of rows). `aimfire restore FILE` loads it into an empty database.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.get("/export", response_class=Response, responses=EXPORT_DOCUMENT)
def export_everything(db: DbSession, actor: ApiActor) -> Response:
    """Download everything you own (an admin: the whole instance) as versioned JSON."""
    return export_response(db, actor)
