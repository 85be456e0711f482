"""``GET /api/v1/projects``."""

from __future__ import annotations

from fastapi import APIRouter

from trackboard.server.context import StoreDep
from trackboard.server.responses import SafeJSONResponse, project_json

router = APIRouter(tags=["projects"])


@router.get("/projects", response_class=SafeJSONResponse)
def list_projects(store: StoreDep) -> SafeJSONResponse:
    """Every project with its run count and times."""
    return SafeJSONResponse({"projects": [project_json(p) for p in store.projects()]})
