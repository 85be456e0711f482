"""Projects: ``GET /api/v1/projects``, archive or share with ``PATCH``, delete with ``DELETE``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from trackboard.errors import InvalidInputError
from trackboard.ingest.follow import delete_project
from trackboard.server.auth import principal_of, readable
from trackboard.server.context import StoreDep
from trackboard.server.live import LiveFollower
from trackboard.server.responses import SafeJSONResponse, project_json
from trackboard.server.write_guard import check_write
from trackboard.store.auth_rows import check_visibility

router = APIRouter(tags=["projects"])


def check_project_edit(body: Any) -> dict[str, Any]:
    """The fields of a project PATCH body: ``archived`` and/or ``visibility``, nothing else."""
    if not isinstance(body, dict) or not body or not set(body) <= {"archived", "visibility"}:
        raise InvalidInputError(
            'the body must be a JSON object {"archived": true or false} and/or '
            '{"visibility": "private" or "shared"}'
        )
    if "archived" in body and not isinstance(body["archived"], bool):
        raise InvalidInputError(f"archived must be true or false, got {body['archived']!r}")
    if "visibility" in body:
        check_visibility(body["visibility"])
    return body


@router.get("/projects", response_class=SafeJSONResponse)
def list_projects(request: Request, store: StoreDep) -> SafeJSONResponse:
    """Every project the caller may read, with its run count, times, archived flag and
    visibility (archived ones included)."""
    principal = principal_of(request)
    rows = [p for p in store.projects() if readable(principal, p)]
    return SafeJSONResponse({"projects": [project_json(p) for p in rows]})


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
    """Archive or unarchive a project, or make it private or shared."""
    edit = check_project_edit(body)
    row = None
    if "visibility" in edit:
        row = store.set_project_visibility(entity, project, edit["visibility"])
    if "archived" in edit:
        row = store.update_project(entity, project, archived=edit["archived"])
    assert row is not None  # check_project_edit wants at least one field
    return SafeJSONResponse(project_json(row))


@router.delete("/projects/{entity}/{project}", status_code=204, dependencies=[Depends(check_write)])
def delete_project_route(request: Request, store: StoreDep, entity: str, project: str) -> Response:
    """Delete a project, its runs and saved views and, on a followed local root, its folder."""
    live: LiveFollower | None = request.app.state.live
    follower = None if live is None else live.follower
    delete_project(store, entity, project, request.app.state.root, follower)
    return Response(status_code=204)
