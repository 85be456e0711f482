"""``GET .../runs/{run_id}/logs``: the run's console output, paged and searched."""

from __future__ import annotations

from fastapi import APIRouter

from trackboard.server.context import StoreDep
from trackboard.server.responses import SafeJSONResponse
from trackboard.store.base import ConsoleLine

router = APIRouter(tags=["logs"])

DEFAULT_LIMIT = 1000


def _line(line: ConsoleLine) -> dict[str, object]:
    return {"n": line.n, "time": line.time, "stream": line.stream, "text": line.text}


@router.get("/projects/{entity}/{project}/runs/{run_id}/logs", response_class=SafeJSONResponse)
def get_logs(
    store: StoreDep,
    entity: str,
    project: str,
    run_id: str,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    q: str | None = None,
) -> SafeJSONResponse:
    """Lines ``offset`` to ``offset + limit`` (of those containing ``q``, case-insensitively,
    when given) and how many there are; each line's text keeps its ANSI sequences."""
    row = store.run(entity, project, run_id)
    lines, total = store.console_lines(row.pk, offset=offset, limit=limit, query=q)
    return SafeJSONResponse({"lines": [_line(x) for x in lines], "total": total})
