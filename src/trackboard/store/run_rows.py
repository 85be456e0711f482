"""The ``runs`` table: its columns, how a :class:`RunChanges` or an edit changes a row, RunRow.

Config, summary, metrics, tags and args are JSON text (NaN and infinities allowed, which is why
PostgreSQL keeps them as ``text``, not ``jsonb``). A row is handled as a dict of column values
with the JSON columns decoded; :func:`updates` says which columns an UPDATE must write.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from trackboard.errors import InvalidInputError
from trackboard.records import RUN_STATES, STOP_REASON_KEY, JSONValue
from trackboard.store.base import RunChanges, RunRow

COLUMNS = (
    "pk",
    "run_id",
    "name",
    "state",
    "created_at",
    "updated_at",
    "heartbeat_at",
    "finished_at",
    "runtime",
    "exit_code",
    "run_group",
    "job_type",
    "tags",
    "notes",
    "host",
    "pid",
    "program",
    "args",
    "sweep_id",
    "last_step",
    "config",
    "summary",
    "metrics",
    "archived",
)
JSON_COLUMNS = frozenset({"tags", "args", "config", "summary", "metrics"})
SELECT = (
    "SELECT p.entity, p.name, "
    + ", ".join(f"r.{c}" for c in COLUMNS)
    + " FROM runs r JOIN projects p ON p.pk = r.project_pk"
)
"""Every run column, after the project's entity and name; add WHERE / ORDER BY."""

_START_FIELDS = {
    "name": "name",
    "group": "run_group",
    "job_type": "job_type",
    "tags": "tags",
    "notes": "notes",
    "host": "host",
    "pid": "pid",
    "program": "program",
    "args": "args",
    "sweep_id": "sweep_id",
}
_META_FIELDS = {
    "name": "name",
    "tags": "tags",
    "notes": "notes",
    "group": "run_group",
    "job_type": "job_type",
}
_EDIT_FIELDS = {
    **_META_FIELDS,
    "state": "state",
    "config": "config",
    "summary": "summary",
    "archived": "archived",
}


def dumps(value: JSONValue, what: str = "value") -> str:
    """JSON text of ``value``; InvalidInputError naming ``what`` when it is not JSON data."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} is not JSON data: {exc}") from None


def loads(text: str) -> Any:
    return json.loads(text)


class Run:
    """One run row being read or changed; ``dirty`` names the columns changed since loading."""

    __slots__ = ("dirty", "entity", "project", "values")

    def __init__(self, row: Sequence[Any]) -> None:
        self.entity: str = row[0]
        self.project: str = row[1]
        values = dict(zip(COLUMNS, row[2:], strict=True))
        for column in JSON_COLUMNS:
            values[column] = loads(values[column])
        self.values: dict[str, Any] = values
        self.dirty: set[str] = set()

    @property
    def pk(self) -> int:
        return int(self.values["pk"])

    def set(self, column: str, value: Any) -> None:
        self.values[column] = value
        self.dirty.add(column)

    def updates(self) -> tuple[list[str], list[Any]]:
        """Columns to write and their values (JSON columns encoded), in a stable order."""
        columns = [c for c in COLUMNS if c in self.dirty]
        values = [
            dumps(self.values[c], c) if c in JSON_COLUMNS else self.values[c] for c in columns
        ]
        return columns, values

    def to_row(self) -> RunRow:
        v = self.values
        last_step = v["last_step"]
        return RunRow(
            pk=int(v["pk"]),
            entity=self.entity,
            project=self.project,
            run_id=v["run_id"],
            name=v["name"],
            state=v["state"],
            created_at=float(v["created_at"]),
            heartbeat_at=v["heartbeat_at"],
            finished_at=v["finished_at"],
            runtime=float(v["runtime"]),
            exit_code=v["exit_code"],
            group=v["run_group"],
            job_type=v["job_type"],
            tags=tuple(v["tags"]),
            notes=v["notes"],
            host=v["host"],
            pid=v["pid"],
            program=v["program"],
            args=tuple(v["args"]),
            sweep_id=v["sweep_id"],
            last_step=None if last_step is None else int(last_step),
            config=dict(v["config"]),
            summary=dict(v["summary"]),
            metrics={k: dict(m) for k, m in v["metrics"].items()},
            updated_at=float(v["updated_at"]),
            archived=bool(v["archived"]),
        )


def new_run_values(changes: RunChanges, now: float) -> dict[str, Any]:
    """Columns of a run created by ``changes`` (before the changes themselves apply)."""
    start = changes.start or {}
    created = start.get("start_time")
    state = changes.state or "running"
    check_state(state)
    return {
        "run_id": changes.run_id,
        "state": state,
        "created_at": float(created) if created is not None else now,
        "updated_at": now,
        "runtime": 0.0,
        "tags": "[]",
        "args": "[]",
        "config": "{}",
        "summary": "{}",
        "metrics": "{}",
    }


def check_state(state: Any) -> str:
    if state not in RUN_STATES:
        raise InvalidInputError(f"state must be one of {', '.join(RUN_STATES)}, got {state!r}")
    return str(state)


def _check_field(field: str, value: Any) -> Any:
    if field in ("tags", "args"):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise InvalidInputError(f"{field} must be a list of strings, got {value!r}")
        items = list(value)
        if not all(isinstance(item, str) for item in items):
            raise InvalidInputError(f"{field} must be a list of strings, got {value!r}")
        return items
    if field == "pid":
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise InvalidInputError(f"pid must be an integer, got {value!r}")
        return value
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"{field} must be a string, got {value!r}")
    return value


def _apply_dict(
    current: dict[str, Any], set_: Mapping[str, Any], removed: Sequence[str]
) -> dict[str, Any] | None:
    if not set_ and not removed:
        return None
    result = dict(current)
    result.update(set_)
    for key in removed:
        result.pop(key, None)
    return result


def apply_changes(run: Run, changes: RunChanges, created: bool, now: float) -> None:
    """Apply what a batch changes in the run's columns (not its series)."""
    if changes.start:
        for field, value in changes.start.items():
            column = _START_FIELDS.get(field)
            if column is None or value is None:
                continue  # start_time, resumed and the like are not metadata to update
            value = _check_field(field, value)
            if not created and isinstance(value, list) and not value:
                continue  # a resumed session that gives no tags keeps the run's tags
            run.set(column, value)
    for field, value in changes.meta.items():
        column = _META_FIELDS.get(field)
        if column is None:
            raise InvalidInputError(
                f"cannot change {field!r} of a run; one of {', '.join(_META_FIELDS)}"
            )
        run.set(column, _check_field(field, value))
    for column, set_, removed in (
        ("config", changes.config_set, changes.config_removed),
        ("summary", changes.summary_set, changes.summary_removed),
    ):
        merged = _apply_dict(run.values[column], set_, removed)
        if merged is not None:
            run.set(column, merged)
    if changes.metrics:
        run.set("metrics", {**run.values["metrics"], **changes.metrics})
    if changes.state is not None and not _stopped_by_its_sweep(run, changes):
        run.set("state", check_state(changes.state))
    for column in ("heartbeat_at", "runtime", "finished_at"):
        value = getattr(changes, column)
        if value is not None:
            run.set(column, float(value))
    if changes.exit_code is not None:
        run.set("exit_code", int(changes.exit_code))
    run.set("updated_at", now)


def _stopped_by_its_sweep(run: Run, changes: RunChanges) -> bool:
    """A run its sweep stopped stays ``killed`` whatever later records of the same session say.

    A sweep agent marks a stopped job's run ``killed`` (with the reason in the summary) once the
    job ended; the job's own last records may arrive after that (an upload that was late, or
    ``trackboard sync``) and would otherwise bring it back to ``running`` or end it ``failed``.
    A new session (a resume) starts afresh."""
    return (
        not changes.start
        and run.values["state"] == "killed"
        and STOP_REASON_KEY in run.values["summary"]
    )


def apply_edit(run: Run, fields: Mapping[str, Any]) -> None:
    """Apply :meth:`Store.update_run` fields: config and summary are replaced whole;
    ``archived`` is a bool (stored as 0 or 1)."""
    for field, value in fields.items():
        column = _EDIT_FIELDS.get(field)
        if column is None:
            raise InvalidInputError(
                f"cannot set {field!r} of a run; one of {', '.join(_EDIT_FIELDS)}"
            )
        if field == "state":
            value = check_state(value)
        elif field == "archived":
            if not isinstance(value, bool):
                raise InvalidInputError(f"archived must be true or false, got {value!r}")
            value = int(value)
        elif field in ("config", "summary"):
            if not isinstance(value, Mapping):
                raise InvalidInputError(f"{field} must be a dict, got {type(value).__name__}")
            value = dict(value)
        else:
            value = _check_field(field, value)
        run.set(column, value)
    run.set("updated_at", time.time())
