"""Histograms over time: a key's ``{"_type": "histogram", "values", "bins"}`` values per step,
re-binned onto one value grid, for the dashboard's heatmaps.

Every run's histograms of a key go onto the same grid of ``bins`` equal bins spanning the
smallest to the largest bin edge seen in any of them, so runs and steps compare cell by cell.
A count is spread over the grid bins its source bin overlaps, in proportion to the overlap
(counts are assumed even within a source bin); a source bin of zero width puts its whole count
in the grid bin holding its edge. Counts are therefore kept exactly: each column sums to its
histogram's total.

When a run has more than ``max_steps`` histograms, ``max_steps`` of them are shown, evenly
spaced and always including the first and the last; ``total_steps`` says how many there were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from trackboard.errors import InvalidInputError
from trackboard.store.base import RunRow, Store

DEFAULT_BINS = 64
MAX_BINS = 512
DEFAULT_MAX_STEPS = 256
MAX_STEPS = 2048

Histogram = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]


def parse_histogram(value: Any) -> Histogram | None:
    """``(counts, edges)`` of a stored histogram value; None for anything else or when
    malformed (edges must be one longer than counts, finite and non-decreasing)."""
    if not isinstance(value, Mapping) or value.get("_type") != "histogram":
        return None
    try:
        counts = np.asarray(value.get("values"), dtype=np.float64)
        edges = np.asarray(value.get("bins"), dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if counts.ndim != 1 or edges.ndim != 1 or counts.size == 0 or edges.size != counts.size + 1:
        return None
    if not (np.isfinite(edges).all() and np.isfinite(counts).all()):
        return None
    if (np.diff(edges) < 0).any():
        return None
    return counts, edges


def pick_columns(n: int, max_steps: int) -> npt.NDArray[np.int64]:
    """Indices of at most ``max_steps`` of ``n`` columns, evenly spaced, first and last kept."""
    if n <= max_steps:
        return np.arange(n, dtype=np.int64)
    if max_steps == 1:
        return np.asarray([n - 1], dtype=np.int64)
    return np.unique(np.linspace(0, n - 1, max_steps).round().astype(np.int64))


def rebin(
    counts: npt.NDArray[np.float64], edges: npt.NDArray[np.float64], grid: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``counts`` over ``edges`` spread onto the bins of ``grid`` (see the module docstring)."""
    nbins = grid.size - 1
    out = np.zeros(nbins, dtype=np.float64)
    lo_all, hi_all = grid[0], grid[-1]
    width = (hi_all - lo_all) / nbins if hi_all > lo_all else 1.0
    for count, lo, hi in zip(counts.tolist(), edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        if count == 0:
            continue
        if hi <= lo:
            out[_grid_index(lo, lo_all, width, nbins)] += count
            continue
        first = _grid_index(lo, lo_all, width, nbins)
        last = _grid_index(hi, lo_all, width, nbins, upper=True)
        for g in range(first, last + 1):
            overlap = min(hi, grid[g + 1]) - max(lo, grid[g])
            if overlap > 0:
                out[g] += count * overlap / (hi - lo)
    return out


def _grid_index(x: float, lo: float, width: float, nbins: int, upper: bool = False) -> int:
    pos = (x - lo) / width
    index = int(np.ceil(pos) - 1) if upper else int(np.floor(pos))
    return min(max(index, 0), nbins - 1)


def histograms_over_time(
    store: Store,
    runs: Sequence[RunRow],
    key: str,
    bins: int = DEFAULT_BINS,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> dict[str, Any]:
    """``{"key", "bins": [edges], "runs": [{"id", "steps", "counts": [[...]...],
    "total_steps", "max_count"}]}``: per run, one column of ``bins`` counts per shown step.

    ``bins`` is empty when no run holds a histogram under ``key``."""
    if not 1 <= bins <= MAX_BINS:
        raise InvalidInputError(f"bins must be in 1..{MAX_BINS}, got {bins}")
    if not 1 <= max_steps <= MAX_STEPS:
        raise InvalidInputError(f"max_steps must be in 1..{MAX_STEPS}, got {max_steps}")
    per_run: list[tuple[RunRow, list[int], list[Histogram], int]] = []
    lo, hi = np.inf, -np.inf
    for run in runs:
        found = [
            (step, hist)
            for step, _, value in store.history_values(run.pk, [key])
            if (hist := parse_histogram(value)) is not None
        ]
        keep = pick_columns(len(found), max_steps).tolist()
        shown = [found[i] for i in keep]
        for _, (_, edges) in shown:
            lo, hi = min(lo, float(edges[0])), max(hi, float(edges[-1]))
        per_run.append((run, [s for s, _ in shown], [h for _, h in shown], len(found)))
    if not np.isfinite(lo):
        grid = np.empty(0, dtype=np.float64)
    elif hi > lo:
        grid = np.linspace(lo, hi, bins + 1)
    else:  # every value equal: one unit-wide range around it
        grid = np.linspace(lo - 0.5, lo + 0.5, bins + 1)
    out_runs = []
    for run, steps, hists, total in per_run:
        columns = [rebin(counts, edges, grid).tolist() for counts, edges in hists]
        peak = max((max(c) for c in columns), default=0.0)
        out_runs.append(
            {
                "id": run.run_id,
                "steps": steps,
                "counts": [[_compact(x) for x in c] for c in columns],
                "total_steps": total,
                "max_count": _compact(peak),
            }
        )
    return {"key": key, "bins": grid.tolist(), "runs": out_runs}


def _compact(x: float) -> float | int:
    """A count as an int when whole, else rounded to 6 significant digits (smaller JSON)."""
    if x == int(x):
        return int(x)
    return float(f"{x:.6g}")
