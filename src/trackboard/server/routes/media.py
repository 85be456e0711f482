"""Media of runs: their files, thumbnails, media references by step, histograms over time and
table pages. The contract is docs/http-api.md ("Media and files").

Files are read through the app's media store (``server/media_store.py``): by default the run
folders under ``trackboard ui``'s root, else the settings' root; ``trackboard server --media``
names another folder or an object store URL. Every file answer carries
``X-Content-Type-Options: nosniff``; HTML is sent with ``Content-Security-Policy: sandbox`` so
a logged page runs, if at all, in an opaque origin; content-hashed media may be cached for a
year.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from trackboard.errors import NotFoundError
from trackboard.query.histograms import DEFAULT_BINS, DEFAULT_MAX_STEPS, histograms_over_time
from trackboard.query.media import media_at_step
from trackboard.query.run_files import content_type, is_content_hashed
from trackboard.query.tables import DEFAULT_PAGE_ROWS, StoredTable, TableCache, table_page
from trackboard.query.thumbnails import DEFAULT_SIZE, check_size, make_thumbnail, thumbnail
from trackboard.server.context import StoreDep, named_runs, split_ids
from trackboard.server.media_store import MediaStore
from trackboard.server.responses import SafeJSONResponse

router = APIRouter(tags=["media"])

FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _media(request: Request, store: StoreDep, entity: str, project: str, run_id: str) -> MediaStore:
    """The media store, for a run the store knows; 404 for an unknown run."""
    store.run(entity, project, run_id)
    media: MediaStore | None = request.app.state.media
    if media is None:
        raise NotFoundError(f"run {run_id} has no files on this server")
    return media


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
    media = _media(request, store, entity, project, run_id)
    files = [
        {"path": f.path, "size": f.size, "modified": f.modified}
        for f in media.list_files(entity, project, run_id)
    ]
    return SafeJSONResponse({"files": files})


@router.get("/projects/{entity}/{project}/runs/{run_id}/files/{path:path}")
def get_file(
    request: Request, store: StoreDep, entity: str, project: str, run_id: str, path: str
) -> Response:
    """One of the run's files by its relative path; 404 for anything outside ``files/``."""
    media = _media(request, store, entity, project, run_id)
    local = media.local_path(entity, project, run_id, path)
    headers = _file_headers(path)
    if local is not None:
        return FileResponse(local, media_type=content_type(path), headers=headers)
    data = media.read(entity, project, run_id, path)
    return Response(data, media_type=content_type(path), headers=headers)


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
    media = _media(request, store, entity, project, run_id)
    local = media.local_path(entity, project, run_id, path)
    if local is not None:
        data = thumbnail(local, size, media.thumbnail_dir(entity, project, run_id))
    else:
        data = make_thumbnail(media.read(entity, project, run_id, path), size, path)
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
    media = _media(request, store, entity, project, run_id)
    target = media.local_path(entity, project, run_id, path)
    if target is None:
        info = media.stat(entity, project, run_id, path)
        ident = (f"{entity}/{project}/{run_id}/{path}", info.size, int(info.modified * 1e9))
        source: Path | StoredTable = StoredTable(
            path, ident, lambda: media.read(entity, project, run_id, path)
        )
    else:
        source = target
    page = table_page(_tables(request), source, offset, limit, sort, desc, filter)
    return SafeJSONResponse(page)
