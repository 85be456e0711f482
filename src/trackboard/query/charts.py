"""Custom charts over runs: what each run logged with ``trackboard.plot`` (or the legacy
``visualize``) and where each run's table is, so the dashboard can draw them.

A chart logged under key ``K`` is described in the run's hidden config entry ``_wandb``:

* ``_wandb.visualize.K = {"panel_type": "Vega2", "panel_config": {"panelDefId", "fieldSettings",
  "stringSettings", "tableKey", "auc"?, "average_precision"?, ...}}``; its table is the summary
  value of ``tableKey`` (``K_table``);
* ``_wandb.viz.K = {"id": preset, "historyFieldSettings": {...}}`` (``trackboard.plots``,
  ``trackboard.sklearn``); its table is the summary value of ``K`` itself, and its fields are the
  preset's columns (:data:`LEGACY_FIELDS`).

:func:`custom_charts` merges those over runs, one chart per key (the first run that names a key
decides its kind and settings), sorted by key. :func:`chart_table` reads a whole chart table in
columns, at most :data:`MAX_CHART_ROWS` rows (wandb's ``Table.MAX_ROWS``): a confusion matrix of
100 classes (10,000 cells) and a curve table of the SDK's capped size both fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackboard.errors import InvalidInputError
from trackboard.query.tables import TableCache
from trackboard.store.base import RunRow

MAX_CHART_ROWS = 10_000
"""Rows of a chart table the dashboard reads at once; wandb writes no more (``Table.MAX_ROWS``)."""

LEGACY_FIELDS: dict[str, dict[str, str]] = {
    "wandb/roc/v1": {"x": "fpr", "y": "tpr", "class": "class"},
    "wandb/pr_curve/v1": {"x": "recall", "y": "precision", "class": "class"},
    # wandb's sklearn helper stores the true class under "Predicted" (docs/compatibility.md)
    "wandb/confusion_matrix/v1": {
        "Actual": "Predicted",
        "Predicted": "Actual",
        "nPredictions": "Count",
    },
}
"""Field settings of the legacy presets, whose config entry names no fields."""

EXTRA_KEYS = ("auc", "average_precision")
"""``panel_config`` entries passed on to the dashboard (class label -> area)."""


@dataclass(slots=True)
class ChartSpec:
    """How one run describes the chart under ``key``: preset ``kind``, the history key of its
    table, field and string settings, and ``extra`` (areas per class)."""

    key: str
    kind: str
    table_key: str
    fields: dict[str, str]
    strings: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)
    legacy: bool = False


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float)}


def _visualize_spec(key: str, entry: Any) -> ChartSpec | None:
    config = entry.get("panel_config") if isinstance(entry, Mapping) else None
    if not isinstance(config, Mapping):
        return None
    kind = config.get("panelDefId")
    if not isinstance(kind, str) or not kind:
        return None
    table_key = config.get("tableKey")
    extra = {k: config[k] for k in EXTRA_KEYS if isinstance(config.get(k), Mapping)}
    return ChartSpec(
        key=key,
        kind=kind,
        table_key=table_key if isinstance(table_key, str) and table_key else f"{key}_table",
        fields=_str_map(config.get("fieldSettings")),
        strings=_str_map(config.get("stringSettings")),
        extra=extra,
    )


def _viz_spec(key: str, entry: Any) -> ChartSpec | None:
    kind = entry.get("id") if isinstance(entry, Mapping) else None
    if not isinstance(kind, str) or not kind:
        return None
    fields = dict(LEGACY_FIELDS.get(kind, {}))
    return ChartSpec(key=key, kind=kind, table_key=key, fields=fields, strings={}, legacy=True)


def chart_specs(config: Mapping[str, Any]) -> list[ChartSpec]:
    """The charts a run's config describes, sorted by key; malformed entries are skipped."""
    hidden = config.get("_wandb")
    if not isinstance(hidden, Mapping):
        return []
    specs: dict[str, ChartSpec] = {}
    for section, build in (("viz", _viz_spec), ("visualize", _visualize_spec)):
        entries = hidden.get(section)
        if not isinstance(entries, Mapping):
            continue
        for key, entry in entries.items():
            spec = build(str(key), entry)
            if spec is not None:
                specs[spec.key] = spec
    return [specs[k] for k in sorted(specs)]


def _table_path(summary: Mapping[str, Any], table_key: str) -> str | None:
    value = summary.get(table_key)
    if isinstance(value, Mapping) and value.get("_type") == "table-file":
        path = value.get("path")
        if isinstance(path, str) and path:
            return path
    return None


def custom_charts(rows: Sequence[RunRow]) -> dict[str, Any]:
    """``{"charts": [{"key", "kind", "table_key", "fields", "strings", "extra", "legacy",
    "runs": [{"run_id", "name", "path", "extra"}]}]}``: per chart key, the runs whose summary
    holds its table (``path`` relative to the run's ``files/``), in the order of ``rows``.

    ``extra`` per run holds that run's areas (``auc`` / ``average_precision``); the chart's
    ``extra`` is the first run's. A chart no run has a table for is left out."""
    charts: dict[str, dict[str, Any]] = {}
    for row in rows:
        for spec in chart_specs(row.config):
            path = _table_path(row.summary, spec.table_key)
            if path is None:
                continue
            chart = charts.setdefault(
                spec.key,
                {
                    "key": spec.key,
                    "kind": spec.kind,
                    "table_key": spec.table_key,
                    "fields": spec.fields,
                    "strings": spec.strings,
                    "extra": spec.extra,
                    "legacy": spec.legacy,
                    "runs": [],
                },
            )
            chart["runs"].append(
                {"run_id": row.run_id, "name": row.name, "path": path, "extra": spec.extra}
            )
    return {"charts": [charts[k] for k in sorted(charts)]}


def chart_table(cache: TableCache, path: Path, max_rows: int = MAX_CHART_ROWS) -> dict[str, Any]:
    """A whole chart table in columns: ``{"columns", "data": [[cell of each row], ...] per
    column, "nrows", "truncated"}``; rows past ``max_rows`` are dropped and ``truncated`` says
    so. Short rows are padded with None. :class:`InvalidInputError` if ``max_rows`` < 1 or the
    file is not a table."""
    if max_rows < 1:
        raise InvalidInputError(f"max_rows must be >= 1, got {max_rows}")
    _, table = cache.table(path)
    kept = table.data[:max_rows]
    data = [[row[i] if i < len(row) else None for row in kept] for i in range(len(table.columns))]
    return {
        "columns": table.columns,
        "data": data,
        "nrows": len(table.data),
        "truncated": len(table.data) > max_rows,
    }
