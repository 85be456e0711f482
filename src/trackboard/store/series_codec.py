"""Bytes and numpy reductions behind the series tables; no SQL here.

A *chunk* holds consecutive points of one series as little-endian arrays: steps as int64 (an
empty blob when the steps are contiguous, implied by the first step and the count), values and
wall times as float64.

An *aggregate* summarises consecutive points: first and last step, min, max and sum over the
finite values, their count, the last value (NaN and inf included), and the NaN, +inf and -inf
counts. Aggregates merge: a bucket's aggregate is the merge of its blocks' aggregates, in step
order. With no finite value, min is +inf and max is -inf, so merging needs no masks; readers turn
them into NaN. LOD blocks are stored as packed records of :data:`BLOCK_DTYPE`, 64 bytes each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from trackboard.store.base import Buckets

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

BLOCK_DTYPE = np.dtype(
    [
        ("first_step", "<i8"),
        ("last_step", "<i8"),
        ("min", "<f8"),
        ("max", "<f8"),
        ("sum", "<f8"),
        ("last", "<f8"),
        ("count", "<i4"),
        ("nan", "<i4"),
        ("posinf", "<i4"),
        ("neginf", "<i4"),
    ]
)
assert BLOCK_DTYPE.itemsize == 64

_EMPTY_BYTES = b""


@dataclass(slots=True)
class Aggregates:
    """Aggregates of consecutive groups of points, one entry per group, in step order."""

    first_step: I64
    last_step: I64
    min: F64
    max: F64
    sum: F64
    last: F64
    count: I64
    nan: I64
    posinf: I64
    neginf: I64

    def __len__(self) -> int:
        return int(self.first_step.shape[0])

    @classmethod
    def empty(cls) -> Aggregates:
        ints = np.empty(0, np.int64)
        floats = np.empty(0, np.float64)
        return cls(ints, ints, floats, floats, floats, floats, ints, ints, ints, ints)

    @classmethod
    def from_bytes(cls, data: bytes) -> Aggregates:
        """Decode packed :data:`BLOCK_DTYPE` records (several rows joined are fine)."""
        rec = np.frombuffer(data, dtype=BLOCK_DTYPE)
        return cls(
            rec["first_step"].astype(np.int64),
            rec["last_step"].astype(np.int64),
            rec["min"].astype(np.float64),
            rec["max"].astype(np.float64),
            rec["sum"].astype(np.float64),
            rec["last"].astype(np.float64),
            rec["count"].astype(np.int64),
            rec["nan"].astype(np.int64),
            rec["posinf"].astype(np.int64),
            rec["neginf"].astype(np.int64),
        )

    def to_bytes(self) -> bytes:
        rec = np.empty(len(self), dtype=BLOCK_DTYPE)
        for name in BLOCK_DTYPE.names or ():
            rec[name] = getattr(self, name)
        return rec.tobytes()

    def take(self, index: npt.NDArray[np.bool_] | npt.NDArray[np.intp] | slice) -> Aggregates:
        return Aggregates(*(getattr(self, f.name)[index] for f in fields(self)))

    @classmethod
    def concat(cls, parts: Sequence[Aggregates]) -> Aggregates:
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def total(self) -> Aggregates:
        """All groups merged into one (``self`` must not be empty)."""
        return merge(self, np.zeros(1, np.intp))

    def to_buckets(self) -> Buckets:
        none = self.count == 0
        return Buckets(
            first_step=self.first_step,
            last_step=self.last_step,
            min=np.where(none, np.nan, self.min),
            max=np.where(none, np.nan, self.max),
            sum=self.sum,
            count=self.count,
            last=self.last,
            nan_count=self.nan,
            posinf_count=self.posinf,
            neginf_count=self.neginf,
        )


def group_starts(*keys: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Indices where a run of equal keys begins (keys are parallel, non-empty arrays)."""
    n = keys[0].shape[0]
    change = np.zeros(n, dtype=np.bool_)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def _ends(starts: npt.NDArray[np.intp], n: int) -> npt.NDArray[np.intp]:
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1] = n
    return ends


def aggregate_points(steps: I64, values: F64, starts: npt.NDArray[np.intp]) -> Aggregates:
    """Aggregate points (in step order) in the groups beginning at ``starts``."""
    n = steps.shape[0]
    if n == 0:
        return Aggregates.empty()
    last_index = _ends(starts, n) - 1
    finite = np.isfinite(values)
    if finite.all():
        count = np.diff(np.append(starts, n)).astype(np.int64)
        zeros = np.zeros(starts.shape[0], np.int64)
        return Aggregates(
            steps[starts],
            steps[last_index],
            np.minimum.reduceat(values, starts),
            np.maximum.reduceat(values, starts),
            np.add.reduceat(values, starts),
            values[last_index],
            count,
            zeros,
            zeros,
            zeros,
        )
    return Aggregates(
        steps[starts],
        steps[last_index],
        np.minimum.reduceat(np.where(finite, values, np.inf), starts),
        np.maximum.reduceat(np.where(finite, values, -np.inf), starts),
        np.add.reduceat(np.where(finite, values, 0.0), starts),
        values[last_index],
        np.add.reduceat(finite, starts, dtype=np.int64),
        np.add.reduceat(np.isnan(values), starts, dtype=np.int64),
        np.add.reduceat(values == np.inf, starts, dtype=np.int64),
        np.add.reduceat(values == -np.inf, starts, dtype=np.int64),
    )


def merge(agg: Aggregates, starts: npt.NDArray[np.intp]) -> Aggregates:
    """Merge consecutive aggregates in the groups beginning at ``starts``.

    ``reduceat`` pays per group; the common shapes take faster paths: every group a single
    aggregate (nothing to do), groups of one size (a reshape), groups of one or two (the
    pairs merged in place)."""
    n = len(agg)
    groups = starts.shape[0]
    if n == 0 or groups == n:
        return agg
    size = n // groups
    if size * groups == n and np.array_equal(starts, np.arange(0, n, size)):
        return _merge_uniform(agg, size)
    last_index = _ends(starts, n) - 1
    if n - groups <= groups:
        pairs = last_index[last_index > starts]
        if pairs.shape[0] == n - groups:
            return _merge_pairs(agg, starts, pairs)
    return Aggregates(
        agg.first_step[starts],
        agg.last_step[last_index],
        np.minimum.reduceat(agg.min, starts),
        np.maximum.reduceat(agg.max, starts),
        np.add.reduceat(agg.sum, starts),
        agg.last[last_index],
        np.add.reduceat(agg.count, starts),
        np.add.reduceat(agg.nan, starts),
        np.add.reduceat(agg.posinf, starts),
        np.add.reduceat(agg.neginf, starts),
    )


def _merge_uniform(agg: Aggregates, size: int) -> Aggregates:
    def fold(ufunc: np.ufunc, a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        if size > 16:  # long rows: numpy reduces them well along the axis
            return ufunc.reduce(a.reshape(-1, size), axis=1)  # type: ignore[no-any-return]
        out = a[::size].copy()
        for j in range(1, size):
            ufunc(out, a[j::size], out=out)
        return out

    return Aggregates(
        agg.first_step[::size],
        agg.last_step[size - 1 :: size],
        fold(np.minimum, agg.min),
        fold(np.maximum, agg.max),
        fold(np.add, agg.sum),
        agg.last[size - 1 :: size],
        fold(np.add, agg.count),
        fold(np.add, agg.nan),
        fold(np.add, agg.posinf),
        fold(np.add, agg.neginf),
    )


def _merge_pairs(
    agg: Aggregates, starts: npt.NDArray[np.intp], seconds: npt.NDArray[np.intp]
) -> Aggregates:
    """Groups of one or two aggregates; ``seconds`` indexes the second of each pair."""
    out = agg.take(starts)
    at = np.searchsorted(starts, seconds - 1)
    out.last_step[at] = agg.last_step[seconds]
    out.min[at] = np.minimum(out.min[at], agg.min[seconds])
    out.max[at] = np.maximum(out.max[at], agg.max[seconds])
    out.last[at] = agg.last[seconds]
    for name in ("sum", "count", "nan", "posinf", "neginf"):
        getattr(out, name)[at] += getattr(agg, name)[seconds]
    return out


def block_pyramid(steps: I64, values: F64, block_sizes: Sequence[int]) -> list[Aggregates]:
    """Blocks of each size (ascending powers of two) over points in step order."""
    levels: list[Aggregates] = []
    shift = int(block_sizes[0]).bit_length() - 1
    agg = aggregate_points(steps, values, group_starts(steps >> shift))
    levels.append(agg)
    for size in block_sizes[1:]:
        shift = int(size).bit_length() - 1
        agg = merge(agg, group_starts(agg.first_step >> shift))
        levels.append(agg)
    return levels


# -- chunks ------------------------------------------------------------------------------


def is_contiguous(steps: I64) -> bool:
    n = steps.shape[0]
    return bool(n == 0 or int(steps[-1]) - int(steps[0]) == n - 1)


def encode_steps(steps: I64) -> bytes:
    if is_contiguous(steps):
        return _EMPTY_BYTES
    return steps.astype("<i8", copy=False).tobytes()


def encode_floats(values: F64) -> bytes:
    return values.astype("<f8", copy=False).tobytes()


def decode_steps(step_min: int, n: int, blob: bytes) -> I64:
    if not blob:
        return np.arange(step_min, step_min + n, dtype=np.int64)
    return np.frombuffer(blob, dtype="<i8").astype(np.int64, copy=False)


def decode_floats(blobs: Sequence[bytes]) -> F64:
    if not blobs:
        return np.empty(0, np.float64)
    data = blobs[0] if len(blobs) == 1 else b"".join(blobs)
    return np.frombuffer(data, dtype="<f8").astype(np.float64, copy=False)


def decode_many_steps(
    step_mins: Sequence[int], counts: Sequence[int], blobs: Sequence[bytes]
) -> I64:
    """Steps of several chunks, concatenated; vectorised when every chunk is contiguous."""
    if not step_mins:
        return np.empty(0, np.int64)
    if not any(blobs):
        n = np.asarray(counts, dtype=np.int64)
        offsets = np.cumsum(n) - n
        base = np.asarray(step_mins, dtype=np.int64) - offsets
        return np.repeat(base, n) + np.arange(int(n.sum()), dtype=np.int64)
    return np.concatenate(
        [decode_steps(s, c, b) for s, c, b in zip(step_mins, counts, blobs, strict=True)]
    )


@dataclass(frozen=True, slots=True)
class PointStats:
    """Whole-array statistics of some points (for chunk rows and series summaries)."""

    vmin: float | None
    vmax: float | None
    vsum: float
    finite: int
    nan: int
    posinf: int
    neginf: int


def point_stats(values: F64) -> PointStats:
    n = values.shape[0]
    finite = np.isfinite(values)
    if finite.all():
        if n == 0:
            return PointStats(None, None, 0.0, 0, 0, 0, 0)
        return PointStats(float(values.min()), float(values.max()), float(values.sum()), n, 0, 0, 0)
    good = values[finite]
    nan = int(np.count_nonzero(np.isnan(values)))
    posinf = int(np.count_nonzero(values == np.inf))
    return PointStats(
        float(good.min()) if good.size else None,
        float(good.max()) if good.size else None,
        float(good.sum()),
        int(good.size),
        nan,
        posinf,
        n - int(good.size) - nan - posinf,
    )
