"""``GET .../keys``: the history keys of some runs, for choosing charts."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from trackboard.query.chart_keys import chart_keys
from trackboard.server.context import StoreDep, named_runs, split_ids
from trackboard.server.responses import SafeJSONResponse

router = APIRouter(tags=["keys"])


@router.get("/projects/{entity}/{project}/keys", response_class=SafeJSONResponse)
def list_keys(
    store: StoreDep, entity: str, project: str, runs: str | None = None
) -> SafeJSONResponse:
    """Keys over the runs named in ``runs`` (comma-separated ids; all runs when absent)."""
    rows = named_runs(store, entity, project, split_ids(runs))
    return SafeJSONResponse({"keys": [asdict(k) for k in chart_keys(store, rows)]})
