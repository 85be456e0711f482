"""JSON out of the server: NaN and infinities as the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"`` (JSON has no numbers for them), and how runs and projects look.

Values are sent as data, never rendered: a run name holding ``<script>`` comes back as that
string inside JSON, and the dashboard shows it as text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from trackboard.records import STOP_REASON_KEY
from trackboard.store.base import KeyInfo, ProjectRow, RunRow


def json_safe(value: Any) -> Any:
    """``value`` with non-finite floats replaced by their string names, tuples as lists."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


class SafeJSONResponse(JSONResponse):
    """A JSON response that turns NaN and infinities into strings instead of failing."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            json_safe(content), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")


def project_json(row: ProjectRow) -> dict[str, Any]:
    return {
        "entity": row.entity,
        "name": row.name,
        "run_count": row.run_count,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "archived": row.archived,
        "visibility": row.visibility,
    }


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def run_json(row: RunRow) -> dict[str, Any]:
    return {
        "id": row.run_id,
        "name": row.name or row.run_id,
        "state": row.state,
        "created_at": row.created_at,
        "heartbeat_at": row.heartbeat_at,
        "finished_at": row.finished_at,
        "runtime": row.runtime,
        "exit_code": row.exit_code,
        "group": row.group,
        "job_type": row.job_type,
        "tags": list(row.tags),
        "notes": row.notes,
        "host": row.host,
        "program": row.program,
        "args": list(row.args),
        "sweep_id": row.sweep_id,
        # A hyperband stop's reason: ingest keeps the exit record's in the summary.
        "stop_reason": _text_or_none(row.summary.get(STOP_REASON_KEY)),
        "last_step": row.last_step,
        "config": row.config,
        "summary": row.summary,
        "updated_at": row.updated_at,
        "archived": row.archived,
    }


def key_info_json(info: KeyInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "kind": info.kind,
        "count": info.count,
        "first_step": info.first_step,
        "last_step": info.last_step,
    }
