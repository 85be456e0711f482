"""Saved workspace views of a project: list, read, save (PUT), rename or mark default, delete.

The settings are the dashboard's JSON object, stored as given; the server only caps its size
(:data:`~trackboard.store.base.MAX_VIEW_BYTES`), answering 413 for a larger body.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.exceptions import HTTPException

from trackboard.errors import InvalidInputError
from trackboard.server.context import StoreDep
from trackboard.server.responses import SafeJSONResponse
from trackboard.server.write_guard import check_write
from trackboard.store.base import MAX_VIEW_BYTES, ViewRow

router = APIRouter(tags=["views"])

MAX_BODY_BYTES = MAX_VIEW_BYTES + 4096
"""A view body: the settings plus room for the fields around them."""


async def json_body(request: Request) -> Any:
    """The request's JSON body, read up to :data:`MAX_BODY_BYTES`; 413 beyond that."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, _too_large(int(declared)))
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY_BYTES:
            raise HTTPException(413, _too_large(len(data)))
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"the body is not JSON: {exc}") from None


def _too_large(size: int) -> str:
    return f"the body is over {MAX_BODY_BYTES} bytes ({size}); view settings are capped"


JsonBody = Annotated[Any, Depends(json_body)]


def view_json(row: ViewRow, *, settings: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": row.name,
        "default": row.is_default,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
    if settings:
        out["settings"] = row.settings
    return out


def _optional_bool(body: dict[str, Any], field: str) -> bool | None:
    value = body.get(field)
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(f"{field} must be true or false, got {value!r}")
    return value


def check_save(body: Any) -> tuple[dict[str, Any], bool | None]:
    """The settings and default mark of a PUT body ``{"settings": {...}, "default"?: bool}``."""
    if not isinstance(body, dict) or "settings" not in body:
        raise InvalidInputError('the body must be a JSON object {"settings": {...}}')
    unknown = sorted(set(body) - {"settings", "default"})
    if unknown:
        raise InvalidInputError(f"unknown field(s) {', '.join(unknown)}; settings, default")
    settings = body["settings"]
    if not isinstance(settings, dict):
        raise InvalidInputError(f"settings must be a JSON object, got {type(settings).__name__}")
    return settings, _optional_bool(body, "default")


def check_update(body: Any) -> tuple[str | None, bool | None]:
    """The new name and default mark of a PATCH body ``{"name"?: str, "default"?: bool}``."""
    if not isinstance(body, dict) or not body:
        raise InvalidInputError('the body must be a JSON object of "name" and/or "default"')
    unknown = sorted(set(body) - {"name", "default"})
    if unknown:
        raise InvalidInputError(f"unknown field(s) {', '.join(unknown)}; name, default")
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInputError(f"name must be a string, got {name!r}")
    return name, _optional_bool(body, "default")


@router.get("/projects/{entity}/{project}/views", response_class=SafeJSONResponse)
def list_views(store: StoreDep, entity: str, project: str) -> SafeJSONResponse:
    """The project's saved views by name (without settings) and the default view's name."""
    rows = store.views(entity, project)
    default = next((row.name for row in rows if row.is_default), None)
    return SafeJSONResponse(
        {"views": [view_json(row, settings=False) for row in rows], "default": default}
    )


@router.get("/projects/{entity}/{project}/views/{name:path}", response_class=SafeJSONResponse)
def get_view(store: StoreDep, entity: str, project: str, name: str) -> SafeJSONResponse:
    """One saved view with its settings."""
    return SafeJSONResponse(view_json(store.view(entity, project, name)))


@router.put(
    "/projects/{entity}/{project}/views/{name:path}",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def save_view(
    store: StoreDep, entity: str, project: str, name: str, body: JsonBody
) -> SafeJSONResponse:
    """Save the view (create it, or replace its settings); ``default`` (un)marks it."""
    settings, is_default = check_save(body)
    row = store.save_view(entity, project, name, settings, is_default=is_default)
    return SafeJSONResponse(view_json(row))


@router.patch(
    "/projects/{entity}/{project}/views/{name:path}",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def update_view(
    store: StoreDep, entity: str, project: str, name: str, body: JsonBody
) -> SafeJSONResponse:
    """Rename the view and/or make it (or stop it being) the project's default."""
    new_name, is_default = check_update(body)
    row = store.update_view(entity, project, name, new_name=new_name, is_default=is_default)
    return SafeJSONResponse(view_json(row))


@router.delete(
    "/projects/{entity}/{project}/views/{name:path}",
    status_code=204,
    dependencies=[Depends(check_write)],
)
def delete_view(store: StoreDep, entity: str, project: str, name: str) -> Response:
    """Delete a saved view."""
    store.delete_view(entity, project, name)
    return Response(status_code=204)
