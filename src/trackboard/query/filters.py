"""Run filters: one syntax tree for ``Api().runs(filters=...)`` and the dashboard (DECISIONS 20).

:func:`parse_mongo` reads the MongoDB-style dicts that ``wandb.Api().runs`` accepts::

    {"config.lr": {"$gt": 0.01}}
    {"$or": [{"state": "finished"}, {"tags": {"$in": ["baseline"]}}]}
    {"summary_metrics.val_acc": {"$gte": 0.9}, "group": "cnn"}

into :class:`Node` trees, and :func:`matches` evaluates a tree against a run. Fields are run
attributes (``state``, ``group``, ``tags``, ``displayName``, ``createdAt``...) or a path into
``config.`` or ``summary_metrics.`` (dots separate nesting; ``config.lr.value``, the form older
wandb servers need, also works). Comparison follows MongoDB: a list field matches when any of
its elements does; a missing field matches only ``$exists: false``, ``$ne`` and ``$nin``;
values of different types never compare as ordered. Anything malformed raises
:class:`~trackboard.errors.InvalidInputError` naming the offending part: a filter is data,
never code, so nothing in it reaches SQL or ``eval``.

``$regex`` patterns are RE2's syntax, matched by RE2 in time linear in the text: a filter is
sent by anyone who may read a project, and a backtracking engine lets a pattern like ``(a+)+$``
hold a server thread for minutes. RE2 has no backreferences or lookaround; such a pattern is
refused with a message saying so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import re2

from trackboard.errors import InvalidInputError
from trackboard.store.base import RunRow

COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex")
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Compare | And | Or | Not

# wandb's filter field names, and the snake_case spellings, to the run attribute they read.
_RUN_FIELDS: dict[str, Callable[[RunRow], Any]] = {
    "state": lambda r: r.state,
    "group": lambda r: r.group,
    "jobType": lambda r: r.job_type,
    "job_type": lambda r: r.job_type,
    "tags": lambda r: list(r.tags),
    "displayName": lambda r: r.name,
    "display_name": lambda r: r.name,
    "name": lambda r: r.run_id,
    "id": lambda r: r.run_id,
    "host": lambda r: r.host,
    "notes": lambda r: r.notes,
    "sweep": lambda r: r.sweep_id,
    "createdAt": lambda r: r.created_at,
    "created_at": lambda r: r.created_at,
    "heartbeatAt": lambda r: r.heartbeat_at,
    "heartbeat_at": lambda r: r.heartbeat_at,
    "duration": lambda r: r.runtime,
    "runtime": lambda r: r.runtime,
}
_TIME_FIELDS = frozenset({"createdAt", "created_at", "heartbeatAt", "heartbeat_at"})


def parse_mongo(filters: Mapping[str, Any] | None) -> Node:
    """Parse a MongoDB-style filter dict; ``None`` or ``{}`` matches every run."""
    if filters is None:
        return And(())
    if not isinstance(filters, Mapping):
        raise InvalidInputError(f"filters must be a dict, got {type(filters).__name__}")
    items: list[Node] = []
    for key, value in filters.items():
        if not isinstance(key, str):
            raise InvalidInputError(f"filter keys must be strings, got {key!r}")
        if key in ("$and", "$or", "$nor"):
            if not isinstance(value, list | tuple) or not value:
                raise InvalidInputError(f"{key} needs a non-empty list of filters")
            parts = tuple(parse_mongo(v) for v in value)
            items.append(And(parts) if key == "$and" else Or(parts))
            if key == "$nor":
                items[-1] = Not(Or(parts))
        elif key.startswith("$"):
            raise InvalidInputError(f"unknown filter operator {key!r}")
        else:
            items.append(_parse_field(key, value))
    return items[0] if len(items) == 1 else And(tuple(items))


def _parse_field(field: str, condition: Any) -> Node:
    check_field(field)
    if not (isinstance(condition, Mapping) and any(str(k).startswith("$") for k in condition)):
        return Compare(field, "$eq", _operand(field, "$eq", condition))
    parts: list[Node] = []
    for op, value in condition.items():
        if op == "$not":
            parts.append(Not(_parse_field(field, value)))
            continue
        if op not in COMPARISONS:
            raise InvalidInputError(f"unknown operator {op!r} on field {field!r}")
        if op in ("$in", "$nin") and not isinstance(value, list | tuple):
            raise InvalidInputError(f"{op} on field {field!r} needs a list, got {value!r}")
        if op == "$regex":
            if not isinstance(value, str):
                raise InvalidInputError(f"$regex on field {field!r} needs a string")
            try:
                _regex(value)
            except re2.error as exc:
                first = exc.args[0] if exc.args else exc
                reason = first.decode() if isinstance(first, bytes) else first
                raise InvalidInputError(
                    f"bad $regex on field {field!r}: {reason} (patterns are RE2 syntax: no "
                    "backreferences or lookaround)"
                ) from None
        parts.append(Compare(field, op, _operand(field, op, value)))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _operand(field: str, op: str, value: Any) -> Any:
    if field in _TIME_FIELDS and op not in ("$exists", "$regex"):
        return _as_timestamp(value)
    return value


def check_field(field: str) -> None:
    if field in _RUN_FIELDS:
        return
    head, _, rest = field.partition(".")
    if head in ("config", "summary_metrics", "summary") and rest:
        return
    raise InvalidInputError(
        f"unknown filter field {field!r}: use a run field ({', '.join(sorted(_RUN_FIELDS))}) "
        "or config.<key> / summary_metrics.<key>"
    )


def field_value(run: RunRow, field: str) -> Any:
    """The value a filter or sort field reads from a run; a sentinel when it is absent."""
    getter = _RUN_FIELDS.get(field)
    if getter is not None:
        value = getter(run)
        return _MISSING if value is None else value
    head, _, path = field.partition(".")
    if head == "config":
        return _lookup(run.config, path, unwrap_value=True)
    return _lookup(run.summary, path, unwrap_value=False)


def is_missing(value: Any) -> bool:
    return value is _MISSING


def _lookup(data: Mapping[str, Any], path: str, *, unwrap_value: bool) -> Any:
    if path in data:  # a key that itself contains dots
        return data[path]
    node: Any = data
    parts = path.split(".")
    for index, part in enumerate(parts):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif unwrap_value and part == "value" and index == len(parts) - 1:
            return node  # config.lr.value == config.lr
        else:
            return _MISSING
    return node


def matches(node: Node, run: RunRow) -> bool:
    if isinstance(node, And):
        return all(matches(item, run) for item in node.items)
    if isinstance(node, Or):
        return any(matches(item, run) for item in node.items)
    if isinstance(node, Not):
        return not matches(node.item, run)
    return _compare(field_value(run, node.field), node.op, node.value)


def _compare(value: Any, op: str, operand: Any) -> bool:
    if op == "$exists":
        return (value is not _MISSING) == bool(operand)
    if value is _MISSING:
        return op in ("$ne", "$nin")
    if isinstance(value, list) and op not in ("$ne", "$nin"):
        if op == "$eq" and isinstance(operand, list):
            return value == operand
        return any(_compare(v, op, operand) for v in value)
    if op == "$eq":
        return _equal(value, operand)
    if op == "$ne":
        return not _compare(value, "$eq", operand)
    if op == "$in":
        return any(_compare(value, "$eq", o) for o in operand)
    if op == "$nin":
        return not _compare(value, "$in", operand)
    if op == "$regex":
        return isinstance(value, str) and _regex(operand).search(value) is not None
    return _ordered(value, op, operand)


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is the caller's 400, not a line in the log


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2 (linear-time matching); ``re2.error`` when it is not RE2."""
    return re2.compile(pattern, options=_RE2_OPTIONS)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _ordered(a: Any, op: str, b: Any) -> bool:
    numeric = (int, float)
    comparable = (
        isinstance(a, numeric)
        and isinstance(b, numeric)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ) or (isinstance(a, str) and isinstance(b, str))
    if not comparable:
        return False
    if op == "$gt":
        return bool(a > b)
    if op == "$gte":
        return bool(a >= b)
    if op == "$lt":
        return bool(a < b)
    return bool(a <= b)


def _as_timestamp(value: Any) -> Any:
    """Accept ISO 8601 strings for time fields, as wandb's createdAt filters use."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInputError(f"cannot read {value!r} as a time") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    if isinstance(value, list | tuple):
        return [_as_timestamp(v) for v in value]
    return value
