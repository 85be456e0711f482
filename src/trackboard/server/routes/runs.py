"""A project's runs: list with filter and order, one run, edits, and the change cursor."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from trackboard.errors import InvalidInputError
from trackboard.ingest.follow import delete_run
from trackboard.query.run_changes import changed_since, next_cursor
from trackboard.query.runs import select_runs
from trackboard.server.context import StoreDep
from trackboard.server.live import LiveFollower
from trackboard.server.responses import SafeJSONResponse, key_info_json, run_json
from trackboard.server.write_guard import check_write
from trackboard.store.base import Store

router = APIRouter(tags=["runs"])

EDITABLE = ("name", "tags", "notes", "archived")


MAX_FILTER_DEPTH = 64
"""Nesting a filter may have: far beyond any real one, well inside Python's recursion limit
(which parsing and evaluating a filter would otherwise hit: a 500 instead of a 400)."""


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend(
                (v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


def parse_filter(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"filter is not JSON: {exc}") from None
    except RecursionError:
        raise InvalidInputError(f"filter nests deeper than {MAX_FILTER_DEPTH} levels") from None
    if not isinstance(value, dict):
        raise InvalidInputError(f"filter must be a JSON object, got {type(value).__name__}")
    if _depth(value) > MAX_FILTER_DEPTH:
        raise InvalidInputError(f"filter nests deeper than {MAX_FILTER_DEPTH} levels")
    return value


def check_edit(body: Any) -> dict[str, Any]:
    """The fields of a PATCH body, checked: any of name, tags, notes, archived."""
    if not isinstance(body, dict):
        raise InvalidInputError(
            "the body must be a JSON object of name, tags, notes and/or archived"
        )
    unknown = sorted(set(body) - set(EDITABLE))
    if unknown:
        raise InvalidInputError(f"cannot edit {', '.join(unknown)}; one of {', '.join(EDITABLE)}")
    if "tags" in body:
        tags = body["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise InvalidInputError("tags must be a list of strings")
        body = {**body, "tags": tuple(dict.fromkeys(tags))}
    for field in ("name", "notes"):
        if field in body and body[field] is not None and not isinstance(body[field], str):
            raise InvalidInputError(f"{field} must be a string")
    if "archived" in body and not isinstance(body["archived"], bool):
        raise InvalidInputError("archived must be true or false")
    return dict(body)


def run_detail(store: Store, entity: str, project: str, run_id: str) -> dict[str, Any]:
    row = store.run(entity, project, run_id)
    keys = [key_info_json(k) for k in store.keys(row.pk) if not k.name.startswith("_")]
    return {**run_json(row), "metrics": row.metrics, "keys": keys}


@router.get("/projects/{entity}/{project}/runs", response_class=SafeJSONResponse)
def list_runs(
    store: StoreDep,
    entity: str,
    project: str,
    filter: str | None = None,
    order: str = "+created_at",
) -> SafeJSONResponse:
    """The project's runs matching ``filter`` (MongoDB-style JSON), sorted by ``order``."""
    now = time.time()
    rows = store.runs(entity, project)
    selected = select_runs(rows, parse_filter(filter), order)
    return SafeJSONResponse(
        {"runs": [run_json(r) for r in selected], "cursor": next_cursor(rows, 0.0, now)}
    )


@router.get("/projects/{entity}/{project}/changes", response_class=SafeJSONResponse)
def changes(store: StoreDep, entity: str, project: str, since: float = 0.0) -> SafeJSONResponse:
    """Runs changed after the cursor ``since``; may repeat a run changed in the last seconds."""
    now = time.time()
    cursor, changed = changed_since(store.runs(entity, project), since, now)
    return SafeJSONResponse({"cursor": cursor, "runs": [run_json(r) for r in changed]})


@router.get("/projects/{entity}/{project}/runs/{run_id}", response_class=SafeJSONResponse)
def get_run(store: StoreDep, entity: str, project: str, run_id: str) -> SafeJSONResponse:
    """One run, with its define_metric declarations and history keys."""
    return SafeJSONResponse(run_detail(store, entity, project, run_id))


@router.patch(
    "/projects/{entity}/{project}/runs/{run_id}",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def edit_run(
    store: StoreDep,
    entity: str,
    project: str,
    run_id: str,
    body: Any = Body(...),  # noqa: B008
) -> SafeJSONResponse:
    """Rename a run, set its tags or notes, or archive or unarchive it."""
    fields = check_edit(body)
    row = store.run(entity, project, run_id)
    if fields:
        row = store.update_run(row.pk, **fields)
    return SafeJSONResponse(run_json(row))


@router.delete(
    "/projects/{entity}/{project}/runs/{run_id}",
    status_code=204,
    dependencies=[Depends(check_write)],
)
def delete_run_route(
    request: Request, store: StoreDep, entity: str, project: str, run_id: str
) -> Response:
    """Delete a run and, when the server follows a local root, its folder there."""
    live: LiveFollower | None = request.app.state.live
    follower = None if live is None else live.follower
    delete_run(store, store.run(entity, project, run_id), request.app.state.root, follower)
    return Response(status_code=204)
