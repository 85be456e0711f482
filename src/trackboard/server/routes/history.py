"""``GET .../runs/{run_id}/history``: exact float64 rows for hover and CSV export."""

from __future__ import annotations

from fastapi import APIRouter

from trackboard.query.history import DEFAULT_ROW_LIMIT, exact_rows
from trackboard.server.context import StoreDep, split_ids
from trackboard.server.responses import SafeJSONResponse

router = APIRouter(tags=["history"])


@router.get("/projects/{entity}/{project}/runs/{run_id}/history", response_class=SafeJSONResponse)
def get_history(
    store: StoreDep,
    entity: str,
    project: str,
    run_id: str,
    keys: str | None = None,
    min_step: int | None = None,
    max_step: int | None = None,
    limit: int = DEFAULT_ROW_LIMIT,
) -> SafeJSONResponse:
    """Rows holding any of ``keys`` (all keys when absent), in step order."""
    row = store.run(entity, project, run_id)
    wanted = split_ids(keys, "keys")
    rows = exact_rows(store, row.pk, wanted, min_step, max_step, limit)
    return SafeJSONResponse({"rows": rows})
