"""Custom charts (``trackboard.plot``, ``visualize``): which charts the runs logged and their
tables in columns. The contract is docs/http-api.md ("Custom charts")."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request

from trackboard.errors import NotFoundError
from trackboard.ingest.follow import run_folder
from trackboard.query.charts import chart_table, custom_charts
from trackboard.query.run_files import resolve_run_file
from trackboard.query.tables import TableCache
from trackboard.server.context import StoreDep, named_runs, split_ids
from trackboard.server.responses import SafeJSONResponse

router = APIRouter(tags=["charts"])


def _run_files(request: Request, store: StoreDep, entity: str, project: str, run_id: str) -> Path:
    """The folder of a run the store knows; 404 for an unknown run or when files are absent."""
    store.run(entity, project, run_id)
    root: Path | None = request.app.state.root
    if root is None:
        root = request.app.state.settings.root
    folder = None if root is None else run_folder(root, entity, project, run_id)
    if folder is None:
        raise NotFoundError(f"run {run_id} has no files on this server")
    return folder


@router.get("/projects/{entity}/{project}/charts", response_class=SafeJSONResponse)
def get_charts(
    store: StoreDep, entity: str, project: str, runs: str | None = None
) -> SafeJSONResponse:
    """Per chart key, its preset, settings and each run's table path."""
    rows = named_runs(store, entity, project, split_ids(runs))
    return SafeJSONResponse(custom_charts(rows))


@router.get(
    "/projects/{entity}/{project}/runs/{run_id}/chart-table", response_class=SafeJSONResponse
)
def get_chart_table(
    request: Request, store: StoreDep, entity: str, project: str, run_id: str, path: str
) -> SafeJSONResponse:
    """The whole table file at ``path`` in columns (at most 10,000 rows)."""
    target = resolve_run_file(_run_files(request, store, entity, project, run_id), path)
    cache: TableCache = request.app.state.table_cache
    return SafeJSONResponse(chart_table(cache, target))
