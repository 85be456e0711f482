"""Projects: ``GET /api/v1/projects``, archive with ``PATCH``, delete with ``DELETE``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from trackboard.errors import InvalidInputError
from trackboard.ingest.follow import delete_project
from trackboard.server.context import StoreDep
from trackboard.server.live import LiveFollower
from trackboard.server.responses import SafeJSONResponse, project_json
from trackboard.server.write_guard import check_write

router = APIRouter(tags=["projects"])


def check_project_edit(body: Any) -> bool:
    """The ``archived`` value of a project PATCH body, the only field it may hold."""
    if not isinstance(body, dict) or set(body) != {"archived"}:
        raise InvalidInputError('the body must be a JSON object {"archived": true or false}')
    archived = body["archived"]
    if not isinstance(archived, bool):
        raise InvalidInputError(f"archived must be true or false, got {archived!r}")
    return archived


@router.get("/projects", response_class=SafeJSONResponse)
def list_projects(store: StoreDep) -> SafeJSONResponse:
    """Every project with its run count, times and archived flag (archived ones included)."""
    return SafeJSONResponse({"projects": [project_json(p) for p in store.projects()]})


@router.patch(
    "/projects/{entity}/{project}",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def edit_project(
    store: StoreDep,
    entity: str,
    project: str,
    body: Any = Body(...),  # noqa: B008
) -> SafeJSONResponse:
    """Archive or unarchive a project."""
    row = store.update_project(entity, project, archived=check_project_edit(body))
    return SafeJSONResponse(project_json(row))


@router.delete("/projects/{entity}/{project}", status_code=204, dependencies=[Depends(check_write)])
def delete_project_route(request: Request, store: StoreDep, entity: str, project: str) -> Response:
    """Delete a project, its runs and saved views and, on a followed local root, its folder."""
    live: LiveFollower | None = request.app.state.live
    follower = None if live is None else live.follower
    delete_project(store, entity, project, request.app.state.root, follower)
    return Response(status_code=204)
