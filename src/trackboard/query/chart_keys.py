"""The history keys a set of runs logged, as the dashboard lists them for charts.

One entry per key name over the runs, sorted by name, keys starting with ``_`` left out:
``kind`` is ``"scalar"`` when any run logged it as a number, ``runs`` how many runs logged it,
``max_count`` the most points any one of them has (``<= 1``: a value logged once per run, drawn
as a bar chart, DECISIONS 13). ``hidden`` and ``step_metric`` come from ``define_metric``
declarations, matched by exact name first, then by glob (``"val/*"``); the newest run's
declaration wins. ``media`` is the ``_type`` of the key's value (``"image-file"``,
``"histogram"``, ``"table-file"``...; see :func:`trackboard.query.media.key_media_type`), from
the newest run that logged a reference under it; None for plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from trackboard.query.media import key_media_type
from trackboard.store.base import RunRow, Store


@dataclass(frozen=True, slots=True)
class ChartKey:
    name: str
    kind: str
    runs: int
    max_count: int
    hidden: bool
    step_metric: str | None
    media: str | None = None


def chart_keys(store: Store, runs: Sequence[RunRow]) -> list[ChartKey]:
    kinds: dict[str, str] = {}
    run_counts: dict[str, int] = {}
    max_counts: dict[str, int] = {}
    media: dict[str, str] = {}
    for run in sorted(runs, key=lambda r: (r.created_at, r.pk)):
        for info in store.keys(run.pk):
            if info.name.startswith("_"):
                continue
            # one stored value is read per key at most: the summaries tell the rest
            kind = key_media_type(store, run, info, read_stored=info.name not in media)
            if kind is not None:
                media[info.name] = kind
            if kinds.get(info.name) != "scalar":
                kinds[info.name] = info.kind
            run_counts[info.name] = run_counts.get(info.name, 0) + 1
            max_counts[info.name] = max(max_counts.get(info.name, 0), info.count)
    declared = _declarations(runs)
    out: list[ChartKey] = []
    for name in sorted(kinds):
        metric = _metric_for(name, declared)
        step_metric = metric.get("step_metric")
        out.append(
            ChartKey(
                name=name,
                kind=kinds[name],
                runs=run_counts[name],
                max_count=max_counts[name],
                hidden=bool(metric.get("hidden")),
                step_metric=step_metric if isinstance(step_metric, str) else None,
                media=media.get(name),
            )
        )
    return out


def _declarations(runs: Sequence[RunRow]) -> dict[str, dict[str, Any]]:
    """define_metric declarations by name over the runs, later runs overriding earlier ones."""
    declared: dict[str, dict[str, Any]] = {}
    for run in sorted(runs, key=lambda r: (r.created_at, r.pk)):
        for name, fields in run.metrics.items():
            declared[name] = {**declared.get(name, {}), **{k: v for k, v in fields.items() if v}}
    return declared


def _metric_for(name: str, declared: dict[str, dict[str, Any]]) -> dict[str, Any]:
    exact = declared.get(name)
    if exact is not None:
        return exact
    for pattern, fields in declared.items():
        if any(c in pattern for c in "*?[") and fnmatchcase(name, pattern):
            return fields
    return {}
