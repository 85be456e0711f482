"""Media of runs: their files, thumbnails, media references by step, histograms over time and
table pages. The contract is docs/http-api.md ("Media and files").

Files are read from the run folders under the app's root (``trackboard ui``'s root, else the
settings' root). Every file answer carries ``X-Content-Type-Options: nosniff``; HTML is sent
with ``Content-Security-Policy: sandbox`` so a logged page runs, if at all, in an opaque origin;
content-hashed media may be cached for a year.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from trackboard.errors import NotFoundError
from trackboard.ingest.follow import run_folder
from trackboard.query.histograms import DEFAULT_BINS, DEFAULT_MAX_STEPS, histograms_over_time
from trackboard.query.media import media_at_step
from trackboard.query.run_files import (
    content_type,
    is_content_hashed,
    list_run_files,
    resolve_run_file,
)
from trackboard.query.tables import DEFAULT_PAGE_ROWS, TableCache, table_page
from trackboard.query.thumbnails import DEFAULT_SIZE, check_size, thumbnail
from trackboard.server.context import StoreDep, named_runs, split_ids
from trackboard.server.responses import SafeJSONResponse

router = APIRouter(tags=["media"])

FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
THUMBNAIL_DIR = ".thumbnails"


def _root(request: Request) -> Path | None:
    root: Path | None = request.app.state.root
    if root is None:
        root = request.app.state.settings.root
    return root


def _folder(request: Request, store: StoreDep, entity: str, project: str, run_id: str) -> Path:
    """The folder of a run the store knows; 404 for an unknown run or when files are absent."""
    store.run(entity, project, run_id)
    root = _root(request)
    folder = None if root is None else run_folder(root, entity, project, run_id)
    if folder is None:
        raise NotFoundError(f"run {run_id} has no files on this server")
    return folder


def _file_headers(path: str) -> dict[str, str]:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": FOREVER if is_content_hashed(path) else REVALIDATE,
    }
    if content_type(path).startswith(("text/html", "image/svg")):
        headers["Content-Security-Policy"] = "sandbox"
    return headers


def _tables(request: Request) -> TableCache:
    cache: TableCache = request.app.state.table_cache
    return cache


@router.get("/projects/{entity}/{project}/runs/{run_id}/files", response_class=SafeJSONResponse)
def list_files(
    request: Request, store: StoreDep, entity: str, project: str, run_id: str
) -> SafeJSONResponse:
    """The run's saved files: ``{"files": [{"path", "size", "modified"}]}``, sorted by path."""
    folder = _folder(request, store, entity, project, run_id)
    files = [
        {"path": f.path, "size": f.size, "modified": f.modified} for f in list_run_files(folder)
    ]
    return SafeJSONResponse({"files": files})


@router.get("/projects/{entity}/{project}/runs/{run_id}/files/{path:path}")
def get_file(
    request: Request, store: StoreDep, entity: str, project: str, run_id: str, path: str
) -> Response:
    """One of the run's files by its relative path; 404 for anything outside ``files/``."""
    target = resolve_run_file(_folder(request, store, entity, project, run_id), path)
    return FileResponse(target, media_type=content_type(path), headers=_file_headers(path))


@router.get("/projects/{entity}/{project}/runs/{run_id}/thumbnails/{path:path}")
def get_thumbnail(
    request: Request,
    store: StoreDep,
    entity: str,
    project: str,
    run_id: str,
    path: str,
    size: int = DEFAULT_SIZE,
) -> Response:
    """A PNG of the image at ``path`` at most ``size`` pixels on its longer side."""
    check_size(size)
    folder = _folder(request, store, entity, project, run_id)
    source = resolve_run_file(folder, path)
    data = thumbnail(source, size, folder / THUMBNAIL_DIR)
    headers = _file_headers(path)
    headers.pop("Content-Security-Policy", None)
    return Response(data, media_type="image/png", headers=headers)


@router.get("/projects/{entity}/{project}/media", response_class=SafeJSONResponse)
def get_media(
    store: StoreDep,
    entity: str,
    project: str,
    key: str,
    runs: str | None = None,
    step: int | None = None,
) -> SafeJSONResponse:
    """Per run, the media under ``key`` at ``step`` (or the nearest step before it)."""
    rows = named_runs(store, entity, project, split_ids(runs))
    return SafeJSONResponse(media_at_step(store, rows, key, step))


@router.get("/projects/{entity}/{project}/histograms", response_class=SafeJSONResponse)
def get_histograms(
    store: StoreDep,
    entity: str,
    project: str,
    key: str,
    runs: str | None = None,
    bins: int = DEFAULT_BINS,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> SafeJSONResponse:
    """The key's histograms over time per run, on one common grid of ``bins`` value bins."""
    rows = named_runs(store, entity, project, split_ids(runs))
    return SafeJSONResponse(histograms_over_time(store, rows, key, bins, max_steps))


@router.get("/projects/{entity}/{project}/runs/{run_id}/table", response_class=SafeJSONResponse)
def get_table(
    request: Request,
    store: StoreDep,
    entity: str,
    project: str,
    run_id: str,
    path: str,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_ROWS,
    sort: str | None = None,
    desc: bool = False,
    filter: str = "",
) -> SafeJSONResponse:
    """A page of the table file at ``path``, filtered and sorted."""
    target = resolve_run_file(_folder(request, store, entity, project, run_id), path)
    page = table_page(_tables(request), target, offset, limit, sort, desc, filter)
    return SafeJSONResponse(page)
