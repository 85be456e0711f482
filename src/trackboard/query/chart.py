"""One key over many runs, reduced for a line chart (DECISIONS 12).

:func:`bucket_width` picks the width: the smallest power of two that cuts the step range into
at most the wanted number of buckets (bucket ``b`` covers steps ``[b*W, (b+1)*W)``).
:func:`per_run_buckets` caps the buckets of each run so that the total over all runs stays
within :data:`TOTAL_BUDGET`. :func:`chart_series` reads the buckets from the store and turns
them into the columns a chart draws: x, last, min, max, mean and flags per bucket, the store's
aggregates being over finite values only, and NaN / +inf / -inf presence kept as flags.

:class:`BucketCache` keeps each run's reduced series, keyed by the request and the run's
``updated_at``: any write to a run bumps that time, so a cached entry is never stale, and a
chart over 1,000 runs of which one is live recomputes one run per poll.

With an ``x_axis`` other than ``_step`` the buckets are still cut by step; each is placed at
the x key's last value at or before the bucket's last step (NaN when there is none), so the
result is approximate.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from trackboard.errors import InvalidInputError
from trackboard.records import RUNTIME_KEY
from trackboard.store.base import Buckets, RunRow, Store

DEFAULT_BUCKETS = 1000
TOTAL_BUDGET = 250_000
"""Buckets per run times runs stays at or under this (DECISIONS 12): up to 250 runs get the
full 1,000 buckets; 1,000 runs get 250 each, which is more than a chart of 1,000 overlapping
lines can show, keeps the response near 6 MB, and lets the store answer from its 64-step
pyramid level instead of decoding every raw point."""
MAX_BUCKETS = 100_000
PARALLEL_READS = 4
MIN_RUNS_PER_READ = 100
STEP_X = "_step"
TIMESTAMP_X = "_timestamp"

FLAG_NAN = 1
FLAG_POSINF = 2
FLAG_NEGINF = 4


@dataclass(slots=True)
class RunSeries:
    """One run's buckets, in step order."""

    run_id: str
    x: npt.NDArray[np.float64]
    last: npt.NDArray[np.float64]
    min: npt.NDArray[np.float64]
    max: npt.NDArray[np.float64]
    mean: npt.NDArray[np.float64]
    flags: npt.NDArray[np.uint8]

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def nbytes(self) -> int:
        arrays = (self.x, self.last, self.min, self.max, self.mean, self.flags)
        return sum(int(a.nbytes) for a in arrays)


@dataclass(slots=True)
class ChartSeries:
    key: str
    x_axis: str
    width: int
    approximate: bool
    runs: list[RunSeries]


_CacheKey = tuple[str, str, int, int, int | None, int | None]


class BucketCache:
    """A bounded LRU of reduced run series, valid while the run's ``updated_at`` holds."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[_CacheKey, tuple[float, RunSeries]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: _CacheKey, updated_at: float) -> RunSeries | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != updated_at:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: _CacheKey, updated_at: float, series: RunSeries) -> None:
        size = series.nbytes
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1].nbytes
            self._entries[key] = (updated_at, series)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped.nbytes

    def __len__(self) -> int:
        return len(self._entries)


def per_run_buckets(buckets: int, n_runs: int) -> int:
    """Buckets per run: ``buckets``, fewer when many runs would pass the total budget."""
    if n_runs <= 0:
        return buckets
    return max(1, min(buckets, TOTAL_BUDGET // n_runs))


def bucket_width(min_step: int, max_step: int, buckets: int) -> int:
    """The smallest power of two giving at most ``buckets`` buckets over the step range."""
    if buckets < 1:
        raise InvalidInputError(f"buckets must be at least 1, got {buckets}")
    lo, hi = max(min_step, 0), max(max_step, 0)
    if hi < lo:
        lo, hi = hi, lo
    width = 1
    while (hi // width) - (lo // width) + 1 > buckets:
        width *= 2
    return width


def check_request(buckets: int, min_step: int | None, max_step: int | None) -> None:
    if not 1 <= buckets <= MAX_BUCKETS:
        raise InvalidInputError(f"buckets must be between 1 and {MAX_BUCKETS}, got {buckets}")
    for name, value in (("min_step", min_step), ("max_step", max_step)):
        if value is not None and value < 0:
            raise InvalidInputError(f"{name} must be >= 0, got {value}")
    if min_step is not None and max_step is not None and max_step < min_step:
        raise InvalidInputError(f"max_step {max_step} is below min_step {min_step}")


def chart_series(
    store: Store,
    key: str,
    runs: Sequence[RunRow],
    *,
    buckets: int = DEFAULT_BUCKETS,
    min_step: int | None = None,
    max_step: int | None = None,
    x_axis: str = STEP_X,
    cache: BucketCache | None = None,
    pool: Executor | None = None,
) -> ChartSeries:
    """``key`` over ``runs`` in buckets, in the order given; runs without the key left out.

    ``cache`` keeps reduced runs between calls; ``pool`` reads large run sets in parallel."""
    check_request(buckets, min_step, max_step)
    if not key:
        raise InvalidInputError("key is required")
    if not x_axis:
        raise InvalidInputError("x_axis must name a key")
    summaries = store.series_summaries(key, [run.pk for run in runs])
    present = [run for run in runs if run.pk in summaries]
    approximate = x_axis != STEP_X
    if not present:
        return ChartSeries(key, x_axis, 1, approximate, [])
    lo = min_step if min_step is not None else min(summaries[r.pk].first_step for r in present)
    hi = max_step if max_step is not None else max(summaries[r.pk].last_step for r in present)
    width = bucket_width(lo, max(hi, lo), per_run_buckets(buckets, len(present)))

    def cache_key(run: RunRow) -> _CacheKey:
        return (key, x_axis, run.pk, width, min_step, max_step)

    done: dict[int, RunSeries] = {}
    if cache is not None:
        for run in present:
            hit = cache.get(cache_key(run), run.updated_at)
            if hit is not None:
                done[run.pk] = hit
    missing = [run for run in present if run.pk not in done]
    if missing:
        pks = [run.pk for run in missing]
        found = read_buckets(store, key, pks, width, min_step, max_step, pool)
        x_source = _x_source(store, x_axis, pks, width, min_step, max_step)
        with_data = [
            (run, found[run.pk])
            for run in missing
            if run.pk in found and found[run.pk].last_step.shape[0]
        ]
        xs = None
        if approximate:
            xs = [_place(b.last_step, x_source.get(run.pk)) for run, b in with_data]
        for (run, _), series in zip(with_data, _reduce(with_data, xs), strict=True):
            done[run.pk] = series
            if cache is not None:
                cache.put(cache_key(run), run.updated_at, series)
    ordered = [done[run.pk] for run in present if run.pk in done]
    return ChartSeries(key, x_axis, width, approximate, ordered)


def read_buckets(
    store: Store,
    key: str,
    pks: Sequence[int],
    width: int,
    min_step: int | None,
    max_step: int | None,
    pool: Executor | None = None,
) -> dict[int, Buckets]:
    """``store.series_buckets`` over many runs, split over ``pool`` in contiguous parts.

    The store's readers release the GIL while SQLite reads and numpy reduces, so a large
    request finishes sooner on several cores. Small requests, or no pool, run in the calling
    thread. The pool should live as long as the app: new threads per call cost more than
    they save (fresh malloc arenas fault in every page of the large arrays).
    """
    parts = min(PARALLEL_READS, len(pks) // MIN_RUNS_PER_READ)
    if pool is None or parts <= 1:
        return store.series_buckets(key, pks, width, min_step, max_step)
    size = -(-len(pks) // parts)
    chunks = [pks[i : i + size] for i in range(0, len(pks), size)]
    found: dict[int, Buckets] = {}
    for part in pool.map(
        lambda chunk: store.series_buckets(key, chunk, width, min_step, max_step), chunks
    ):
        found.update(part)
    return found


_XPoints = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]


def _x_source(
    store: Store,
    x_axis: str,
    pks: Sequence[int],
    width: int,
    min_step: int | None,
    max_step: int | None,
) -> dict[int, _XPoints]:
    """Per run, (steps, values) of the x key to place buckets at; empty for ``_step``."""
    if x_axis == STEP_X:
        return {}
    if x_axis == TIMESTAMP_X:
        out: dict[int, _XPoints] = {}
        for pk in pks:
            cols = store.series(pk, RUNTIME_KEY)
            out[pk] = (cols.steps, cols.walls)
        return out
    # The x key's buckets of the same width: their last values at their last steps.
    found = store.series_buckets(x_axis, pks, width, min_step, max_step)
    return {pk: (b.last_step, b.last) for pk, b in found.items()}


def _reduce(
    runs: Sequence[tuple[RunRow, Buckets]], xs: Sequence[npt.NDArray[np.float64]] | None
) -> list[RunSeries]:
    """The chart columns of each run's buckets, computed over all runs at once."""
    if not runs:
        return []

    def cat(name: str) -> npt.NDArray[Any]:
        return np.concatenate([getattr(b, name) for _, b in runs])

    count = cat("count")
    has = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(has, cat("sum") / np.where(has, count, 1), np.nan)
    flags = (
        (cat("nan_count") > 0).astype(np.uint8) * FLAG_NAN
        | (cat("posinf_count") > 0).astype(np.uint8) * FLAG_POSINF
        | (cat("neginf_count") > 0).astype(np.uint8) * FLAG_NEGINF
    ).astype(np.uint8)
    x = cat("last_step").astype(np.float64) if xs is None else np.concatenate(xs)
    columns = {
        "x": x,
        "last": cat("last").astype(np.float64, copy=False),
        "min": np.where(has, cat("min"), np.nan),
        "max": np.where(has, cat("max"), np.nan),
        "mean": mean,
        "flags": flags,
    }
    ends = np.cumsum([b.last_step.shape[0] for _, b in runs]).tolist()
    starts = [0, *ends[:-1]]
    return [
        RunSeries(run_id=run.run_id, **{name: col[lo:hi] for name, col in columns.items()})
        for (run, _), lo, hi in zip(runs, starts, ends, strict=True)
    ]


def _place(steps: npt.NDArray[np.int64], x_points: _XPoints | None) -> npt.NDArray[np.float64]:
    """The x key's last value at or before each of ``steps``; NaN where it has none yet."""
    if x_points is None or x_points[0].shape[0] == 0:
        return np.full(steps.shape[0], np.nan)
    x_steps, x_values = x_points
    index = np.searchsorted(x_steps, steps, side="right") - 1
    values = x_values[np.maximum(index, 0)].astype(np.float64)
    return np.where(index >= 0, values, np.nan)
