"""Select and order a project's runs: the filters of :mod:`trackboard.query.filters` plus sort.

``order`` is wandb's: an optional ``+`` (ascending, the default) or ``-`` (descending), then a
field: ``created_at``, ``heartbeat_at``, ``name``, ``state``, ``config.<key>`` (or
``config.<key>.value``) or ``summary_metrics.<key>``. Runs missing the field sort last in either
direction; numbers sort before strings; ties keep creation order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trackboard.errors import InvalidInputError
from trackboard.query.filters import check_field, field_value, is_missing, matches, parse_mongo
from trackboard.store.base import RunRow


def select_runs(
    runs: Sequence[RunRow],
    filters: Mapping[str, Any] | None = None,
    order: str | None = "+created_at",
) -> list[RunRow]:
    """The runs matching ``filters``, sorted by ``order``."""
    tree = parse_mongo(filters)
    selected = [run for run in runs if matches(tree, run)]
    return sort_runs(selected, order)


def sort_runs(runs: list[RunRow], order: str | None) -> list[RunRow]:
    if not order:
        return runs
    if not isinstance(order, str):
        raise InvalidInputError(f"order must be a string like '-created_at', got {order!r}")
    descending = order.startswith("-")
    field = order.lstrip("+-").strip()
    if not field:
        raise InvalidInputError(f"order {order!r} names no field")
    check_field(field)
    present: list[tuple[tuple[int, Any], RunRow]] = []
    absent: list[RunRow] = []
    for run in runs:
        value = field_value(run, field)
        key = _sort_key(value)
        if key is None:
            absent.append(run)
        else:
            present.append((key, run))
    present.sort(key=lambda item: item[0], reverse=descending)
    return [run for _, run in present] + absent


def _sort_key(value: Any) -> tuple[int, Any] | None:
    if is_missing(value) or value is None:
        return None
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        if value != value:  # NaN sorts with the missing
            return None
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, repr(value))
