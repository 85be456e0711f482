"""``GET .../series``: one key over many runs, bucketed, as a binary body."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from trackboard.errors import InvalidInputError
from trackboard.query.chart import DEFAULT_BUCKETS, STEP_X, chart_series
from trackboard.server.context import StoreDep, named_runs, split_ids
from trackboard.server.series_body import MEDIA_TYPE, encode_series

router = APIRouter(tags=["series"])


@router.get(
    "/projects/{entity}/{project}/series",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}, "description": "see docs/http-api.md"}},
)
def get_series(
    request: Request,
    store: StoreDep,
    entity: str,
    project: str,
    key: str,
    runs: str | None = None,
    buckets: int = DEFAULT_BUCKETS,
    min_step: int | None = None,
    max_step: int | None = None,
    x_axis: str = STEP_X,
) -> Response:
    """``key`` over ``runs`` (comma-separated ids; all runs when absent) in step buckets."""
    if not key:
        raise InvalidInputError("key is required")
    rows = named_runs(store, entity, project, split_ids(runs))
    chart = chart_series(
        store,
        key,
        rows,
        buckets=buckets,
        min_step=min_step,
        max_step=max_step,
        x_axis=x_axis,
        cache=request.app.state.bucket_cache,
        pool=request.app.state.read_pool,
    )
    return Response(encode_series(chart), media_type=MEDIA_TYPE)
