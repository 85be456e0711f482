"""What the sweep pages show: a project's sweeps, one sweep with its runs, and importance.

A sweep's *runs* are the runs its claims name (the agent's claims hold the parameters each
run was given) plus any run of the project whose ``sweep_id`` is the sweep's. A run's
``params`` are its claim's parameters flattened to dotted names (nested parameters become
``outer.inner``), else the same names read from the run's config; its ``metric`` is the
sweep metric's value in the run's summary when that is a finite number, else None.

A sweep's *shape* (method, name, metric, axes and parsed config) comes from the caller
(:func:`trackboard.sweeps.shape.sweep_shape` of the stored config text): this layer does not
parse configurations. ``shape_of`` below is that function.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from trackboard.query.importance import forest_importance, pearson
from trackboard.records import STOP_REASON_KEY
from trackboard.store.base import RunRow, Store, SweepClaim, SweepRow

ShapeOf = Callable[[str], dict[str, Any]]
"""A sweep's configuration text to its shape (see the module docstring)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: Any) -> float | None:
    if _is_number(value) and math.isfinite(float(value)):
        return float(value)
    return None


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` to ``{"a.b": 1}``; other values stay as they are."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def sweep_summary(
    sweep: SweepRow, claims: list[SweepClaim], shape: Mapping[str, Any]
) -> dict[str, Any]:
    """A sweep's list entry: id, state, method, metric, times and its claims counted by state."""
    counts = Counter(claim.state for claim in claims)
    return {
        "id": sweep.sweep_id,
        "name": shape["name"],
        "state": sweep.state,
        "method": shape["method"],
        "metric": shape["metric"],
        "created_at": sweep.created_at,
        "updated_at": sweep.updated_at,
        "run_count": len(claims),
        "claims": dict(sorted(counts.items())),
    }


def list_sweeps(store: Store, entity: str, project: str, shape_of: ShapeOf) -> list[dict[str, Any]]:
    """The project's sweeps, oldest first, as :func:`sweep_summary` entries."""
    return [
        sweep_summary(
            sweep, store.sweep_claims(entity, project, sweep.sweep_id), shape_of(sweep.config)
        )
        for sweep in store.sweeps(entity, project)
    ]


def _sweep_run(
    row: RunRow | None, claim: SweepClaim | None, names: list[str], metric: str | None
) -> dict[str, Any]:
    assert row is not None or claim is not None
    if claim is not None:
        params = flatten(claim.params)
    else:
        assert row is not None
        config = flatten(row.config)
        params = {name: config[name] for name in names if name in config}
    value = _finite(row.summary.get(metric)) if row is not None and metric else None
    return {
        "run_id": row.run_id if row is not None else claim.run_id,  # type: ignore[union-attr]
        "name": row.name if row is not None else None,
        "state": row.state if row is not None else None,
        "claim_state": claim.state if claim is not None else None,
        "created_at": row.created_at if row is not None else claim.created_at,  # type: ignore[union-attr]
        "params": params,
        "metric": value,
        "stop_reason": _stop_reason(row),
    }


def _stop_reason(row: RunRow | None) -> str | None:
    """Why hyperband stopped the run (kept in its summary), or None."""
    reason = row.summary.get(STOP_REASON_KEY) if row is not None else None
    return reason if isinstance(reason, str) else None


def sweep_runs(
    store: Store, sweep: SweepRow, shape: Mapping[str, Any], claims: list[SweepClaim]
) -> list[dict[str, Any]]:
    """The sweep's runs (see the module docstring), oldest first."""
    by_id = {row.run_id: row for row in store.runs(sweep.entity, sweep.project)}
    claimed = {claim.run_id: claim for claim in claims}
    ids = list(claimed) + [
        run_id
        for run_id, row in by_id.items()
        if row.sweep_id == sweep.sweep_id and run_id not in claimed
    ]
    names = [axis["name"] for axis in shape["axes"]]
    metric = shape["metric"]["name"] if shape["metric"] is not None else None
    runs = [_sweep_run(by_id.get(i), claimed.get(i), names, metric) for i in ids]
    return sorted(runs, key=lambda run: (run["created_at"], run["run_id"]))


def sweep_detail(
    store: Store, entity: str, project: str, sweep_id: str, shape_of: ShapeOf
) -> dict[str, Any]:
    """One sweep: its summary, config (parsed and as text), axes and runs; 404 when absent."""
    sweep = store.sweep(entity, project, sweep_id)
    claims = store.sweep_claims(entity, project, sweep_id)
    shape = shape_of(sweep.config)
    return {
        **sweep_summary(sweep, claims, shape),
        "config": shape["config"],
        "config_text": sweep.config,
        "config_error": shape.get("error"),
        "axes": shape["axes"],
        "runs": sweep_runs(store, sweep, shape, claims),
    }


def _encode(values: list[Any], scale: str) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """A column of numbers for one parameter: categories by their sorted order; log scales
    as logs; None when a value is missing or not usable."""
    if scale == "categorical":
        keys = [repr(v) for v in values]
        rank = {key: float(i) for i, key in enumerate(sorted(set(keys)))}
        return np.array([rank[k] for k in keys], dtype=np.float64)
    numbers = [_finite(v) for v in values]
    if any(n is None for n in numbers):
        return None
    column = np.array(numbers, dtype=np.float64)
    if scale == "log":
        if (column <= 0).any():
            return None
        column = np.log(column)
    return column


def importance(runs: list[dict[str, Any]], axes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per axis: Pearson's r with the metric (None for categorical axes) and its share of a
    random forest's importance, over the runs that have a metric and every parameter.

    Returns ``[{"name", "correlation", "importance"}]`` in axis order; importance is None when
    fewer than 2 runs qualify."""
    usable = [
        run
        for run in runs
        if run["metric"] is not None and all(axis["name"] in run["params"] for axis in axes)
    ]
    y = np.array([run["metric"] for run in usable], dtype=np.float64)
    columns = [
        _encode([run["params"][axis["name"]] for run in usable], axis["scale"]) for axis in axes
    ]
    present = [i for i, column in enumerate(columns) if column is not None]
    scores: dict[int, float] = {}
    if len(usable) >= 2 and present:
        x = np.column_stack([column for column in columns if column is not None])
        scores = dict(zip(present, (float(s) for s in forest_importance(x, y)), strict=True))
    result = []
    for i, axis in enumerate(axes):
        column = columns[i]
        numeric = column is not None and axis["scale"] != "categorical"
        result.append(
            {
                "name": axis["name"],
                "correlation": pearson(column, y) if numeric and column is not None else None,
                "importance": scores.get(i),
            }
        )
    return result


def sweep_importance(
    store: Store, entity: str, project: str, sweep_id: str, shape_of: ShapeOf
) -> dict[str, Any]:
    """``{"metric": {...} | None, "runs": n, "parameters": [...]}`` (see :func:`importance`)."""
    detail = sweep_detail(store, entity, project, sweep_id, shape_of)
    usable = sum(1 for run in detail["runs"] if run["metric"] is not None)
    return {
        "metric": detail["metric"],
        "runs": usable,
        "parameters": importance(detail["runs"], detail["axes"]),
    }
