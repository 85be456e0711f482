"""History rows read back from a store: full scans and deterministic samples.

A row is ``{"_step", "_runtime", "_timestamp", key: value...}`` as the run logged it. Rows are
rebuilt from the per-key series and the non-scalar values; the ``_runtime`` series holds one
point per row, so its steps are the row steps and its wall times the rows' timestamps.

Sampling (:func:`sample_steps`) is deterministic and keeps extremes: the first and the last row,
and in each of ``(samples - 2) // 2`` equal slices of the rows, the rows holding the minimum and
the maximum of the first requested key. Two calls give the same rows, and a one-step spike is
never sampled away (wandb samples at random; see docs/compatibility.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from trackboard.errors import InvalidInputError
from trackboard.records import RUNTIME_KEY, SYSTEM_PREFIX
from trackboard.store.base import KeyInfo, Store

AUTO_KEYS = ("_step", "_runtime", "_timestamp")
DEFAULT_ROW_LIMIT = 10_000


def check_keys(keys: Any) -> list[str] | None:
    if keys is None:
        return None
    if isinstance(keys, str) or not isinstance(keys, list | tuple):
        raise InvalidInputError(f"keys must be a list of strings, got {keys!r}")
    for key in keys:
        if not isinstance(key, str):
            raise InvalidInputError(f"keys must be a list of strings, got the key {key!r}")
    return list(keys)


class RowReader:
    """Reads one run's rows from the store, for a range of steps."""

    def __init__(self, store: Store, pk: int) -> None:
        self.store = store
        self.pk = pk
        self.key_info: dict[str, KeyInfo] = {k.name: k for k in store.keys(pk)}

    def row_steps(
        self, min_step: int | None = None, max_step: int | None = None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Steps, runtimes and timestamps of every row in ``[min_step, max_step]``."""
        cols = self.store.series(self.pk, RUNTIME_KEY, min_step, max_step)
        return cols.steps, cols.values, cols.walls

    def user_keys(self) -> list[str]:
        """The keys of a whole row: not ``_step`` & co., not system metrics (their steps are
        seconds of runtime, not rows)."""
        return sorted(k for k in self.key_info if not k.startswith(("_", SYSTEM_PREFIX)))

    def rows(
        self, steps: npt.NDArray[np.int64], keys: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """The rows at exactly ``steps`` (which must be row steps, ascending)."""
        if steps.size == 0:
            return []
        lo, hi = int(steps[0]), int(steps[-1])
        run_steps, runtimes, walls = self.row_steps(lo, hi)
        index = np.searchsorted(run_steps, steps)
        rows: list[dict[str, Any]] = [
            {"_step": int(s), "_runtime": float(runtimes[i]), "_timestamp": float(walls[i])}
            for s, i in zip(steps.tolist(), index.tolist(), strict=True)
        ]
        wanted = self.user_keys() if keys is None else [k for k in keys if k not in AUTO_KEYS]
        scalar = [k for k in wanted if self._kind(k) == "scalar"]
        other = [k for k in wanted if self._kind(k) == "other"]
        for key in scalar:
            cols = self.store.series(self.pk, key, lo, hi)
            if len(cols) == 0:
                continue
            pos = np.searchsorted(cols.steps, steps)
            pos_clipped = np.minimum(pos, len(cols) - 1)
            hit = cols.steps[pos_clipped] == steps
            values = cols.values[pos_clipped]
            for row_index in np.flatnonzero(hit).tolist():
                rows[row_index][key] = float(values[row_index])
        if other:
            by_step = {int(s): i for i, s in enumerate(steps.tolist())}
            for step, key, value in self.store.history_values(self.pk, other, lo, hi):
                at = by_step.get(step)
                if at is not None:
                    rows[at][key] = value
        return rows

    def _kind(self, key: str) -> str | None:
        info = self.key_info.get(key)
        return None if info is None else info.kind

    def steps_with(self, keys: Sequence[str]) -> npt.NDArray[np.int64]:
        """Row steps that hold every one of ``keys`` (wandb's AND semantics)."""
        steps, _, _ = self.row_steps()
        for key in keys:
            if key in AUTO_KEYS:
                continue
            kind = self._kind(key)
            if kind == "scalar":
                key_steps = self.store.series(self.pk, key).steps
            elif kind == "other":
                key_steps = np.asarray(
                    sorted({s for s, _, _ in self.store.history_values(self.pk, [key])}),
                    dtype=np.int64,
                )
            else:
                return np.empty(0, dtype=np.int64)
            steps = np.intersect1d(steps, key_steps, assume_unique=True)
        return steps


def scan(
    store: Store,
    pk: int,
    keys: Sequence[str] | None = None,
    page_size: int = 1000,
    min_step: int = 0,
    max_step: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Every row with ``min_step <= _step < max_step``, in step order, fetched in pages.

    With ``keys``, only rows holding every key, each restricted to those keys and ``_step``.
    """
    if page_size < 1:
        raise InvalidInputError(f"page_size must be at least 1, got {page_size}")
    reader = RowReader(store, pk)
    upper = None if max_step is None else max_step - 1
    if keys:
        steps = reader.steps_with(keys)
        steps = steps[steps >= min_step]
        if upper is not None:
            steps = steps[steps <= upper]
    else:
        steps, _, _ = reader.row_steps(min_step, upper)
    for start in range(0, steps.size, page_size):
        page = steps[start : start + page_size]
        for row in reader.rows(page, keys):
            if keys:
                yield {k: row[k] for k in ["_step", *keys] if k in row}
            else:
                yield row


def exact_rows(
    store: Store,
    pk: int,
    keys: Sequence[str] | None = None,
    min_step: int | None = None,
    max_step: int | None = None,
    limit: int = DEFAULT_ROW_LIMIT,
) -> list[dict[str, Any]]:
    """Rows in ``[min_step, max_step]`` holding any of ``keys`` (all rows when None), exact.

    Each row has ``_step``, ``_runtime``, ``_timestamp`` and those of ``keys`` it holds (every
    key when None); at most ``limit`` rows, the first ones in step order.
    """
    if limit < 1:
        raise InvalidInputError(f"limit must be at least 1, got {limit}")
    for name, value in (("min_step", min_step), ("max_step", max_step)):
        if value is not None and value < 0:
            raise InvalidInputError(f"{name} must be >= 0, got {value}")
    reader = RowReader(store, pk)
    steps, _, _ = reader.row_steps(min_step, max_step)
    if keys is not None:
        wanted = [k for k in keys if k not in AUTO_KEYS]
        held: list[npt.NDArray[np.int64]] = []
        for key in wanted:
            kind = reader._kind(key)
            if kind == "scalar":
                held.append(store.series(pk, key, min_step, max_step).steps)
            if kind is not None:  # a key may hold scalars and other values
                others = store.history_values(pk, [key], min_step, max_step)
                held.append(np.asarray([s for s, _, _ in others], dtype=np.int64))
        if len(wanted) < len(keys):
            held.append(steps)  # asking for _step & co. asks for every row
        any_key = np.unique(np.concatenate(held)) if held else np.empty(0, np.int64)
        steps = np.intersect1d(steps, any_key, assume_unique=True)
        keys = wanted
    steps = steps[:limit]
    rows = reader.rows(steps, keys)
    return rows


def sample_steps(
    steps: npt.NDArray[np.int64],
    samples: int,
    values: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.int64]:
    """Pick at most ``samples`` of ``steps``, keeping the ends and each slice's extremes."""
    n = steps.size
    if n <= samples:
        return steps
    if samples < 2:
        return steps[-samples:] if samples > 0 else steps[:0]
    slices = max((samples - 2) // 2, 1)
    edges = np.linspace(0, n, slices + 1).astype(np.int64)
    chosen = {0, n - 1}
    for lo, hi in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        if hi <= lo:
            continue
        if values is None:
            chosen.update((lo, (lo + hi - 1) // 2))
            continue
        part = values[lo:hi]
        finite = np.isfinite(part)
        if not finite.all():
            # a NaN or inf is itself an extreme worth showing
            chosen.add(lo + int(np.flatnonzero(~finite)[0]))
        if finite.any():
            masked = np.where(finite, part, np.nan)
            chosen.add(lo + int(np.nanargmin(masked)))
            chosen.add(lo + int(np.nanargmax(masked)))
    picked = np.asarray(sorted(chosen), dtype=np.int64)
    if picked.size > samples:  # NaN markers can push a few slices over; keep the ends
        middle = picked[1:-1]
        keep = np.linspace(0, middle.size - 1, samples - 2).round().astype(np.int64)
        picked = np.concatenate([picked[:1], middle[keep], picked[-1:]])
    return steps[picked]


def sampled(
    store: Store,
    pk: int,
    keys: Sequence[str] | None = None,
    samples: int = 500,
    x_axis: str = "_step",
) -> tuple[list[dict[str, Any]], bool]:
    """At most ``samples`` rows, and whether rows were left out."""
    if samples < 1:
        raise InvalidInputError(f"samples must be at least 1, got {samples}")
    reader = RowReader(store, pk)
    if keys:
        wanted = list(dict.fromkeys([x_axis, *keys]))
        steps = reader.steps_with(wanted)
    else:
        wanted = None
        steps, _, _ = reader.row_steps()
    primary = keys[0] if keys else None
    values = None
    if primary is not None and reader._kind(primary) == "scalar" and steps.size > samples:
        cols = store.series(pk, primary)
        values = cols.values[np.searchsorted(cols.steps, steps)]
    picked = sample_steps(steps, samples, values)
    rows = reader.rows(picked, wanted)
    if wanted is not None:
        rows = [{k: row[k] for k in ["_step", *wanted] if k in row} for row in rows]
    return rows, picked.size < steps.size


def system_rows(store: Store, pk: int, samples: int = 500) -> tuple[list[dict[str, Any]], bool]:
    """The run's system metrics as wandb's "system" stream: one row per sample time with
    ``_wandb``, ``_runtime``, ``_timestamp`` and ``system.<name>`` values, at most ``samples``
    rows (the first, the last and evenly spread between), and whether rows were left out.

    Samples are stored as series ``system/<name>`` whose steps are whole seconds of runtime."""
    if samples < 1:
        raise InvalidInputError(f"samples must be at least 1, got {samples}")
    rows: dict[int, dict[str, Any]] = {}
    for info in store.keys(pk):
        if not info.name.startswith(SYSTEM_PREFIX):
            continue
        column = "system." + info.name[len(SYSTEM_PREFIX) :]
        cols = store.series(pk, info.name)
        for step, value, wall in zip(
            cols.steps.tolist(), cols.values.tolist(), cols.walls.tolist(), strict=True
        ):
            row = rows.setdefault(step, {"_wandb": True, "_runtime": float(step)})
            row.setdefault("_timestamp", wall)
            row[column] = value
    steps = np.asarray(sorted(rows), dtype=np.int64)
    picked = sample_steps(steps, samples)
    return [rows[int(step)] for step in picked.tolist()], picked.size < steps.size
