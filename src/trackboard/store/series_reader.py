"""Reading scalar series: raw points, whole-series summaries and chart buckets.

Every method runs inside the caller's read transaction (one snapshot), so a seal committed by a
writer between two SELECTs cannot make a point appear twice or not at all.

Buckets for a width ``W >= 64`` come from the largest LOD level whose block divides ``W`` for
the sealed part of each series and from the raw tail rows for the rest; narrower buckets come
from the raw chunks overlapping the range. Both are reduced with the same mergeable aggregates,
so the result equals the aggregation of the raw points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np

from trackboard.errors import InvalidInputError
from trackboard.store.base import LOD_BLOCKS, Buckets, SeriesColumns, SeriesSummary
from trackboard.store.dialect import Cursor, Dialect
from trackboard.store.series_codec import (
    BLOCK_DTYPE,
    Aggregates,
    aggregate_points,
    decode_floats,
    decode_many_steps,
    group_starts,
    merge,
)
from trackboard.store.series_writer import ROW_BLOCKS, decode_chunks

_SUMMARY_COLUMNS = (
    "run_pk, count, first_step, last_step, last_value, last_wall, vmin, vmax, vsum, finite_n, nan_n"
)


def _range(min_step: int | None, max_step: int | None, shift: int) -> tuple[int, int | None] | None:
    """The steps of the whole buckets overlapping ``[min_step, max_step]``; None if empty."""
    lo = 0 if min_step is None else (max(min_step, 0) >> shift) << shift
    if max_step is None:
        return lo, None
    if max_step < 0 or (min_step is not None and max_step < min_step):
        return None
    return lo, (((max_step >> shift) + 1) << shift) - 1


class SeriesReader:
    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect

    @staticmethod
    def check_width(width: int) -> int:
        """log2 of a valid bucket width; InvalidInputError for anything else."""
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise InvalidInputError(f"bucket width must be a power of two >= 1, got {width!r}")
        if width & (width - 1):
            raise InvalidInputError(f"bucket width must be a power of two, got {width}")
        return width.bit_length() - 1

    @staticmethod
    def empty() -> SeriesColumns:
        return SeriesColumns(
            steps=np.empty(0, np.int64),
            values=np.empty(0, np.float64),
            walls=np.empty(0, np.float64),
        )

    def _select(
        self,
        cur: Cursor,
        pks: Sequence[int],
        query: str,
        params: Sequence[Any],
    ) -> list[Any]:
        """Rows of ``query`` (with ``{runs}`` for the run condition) over ``pks``, in batches."""
        rows: list[Any] = []
        for cond, cond_params in self._dialect.any_of_batches("run_pk", pks):
            cur.execute(self._dialect.sql(query.format(runs=cond)), [*cond_params, *params])
            rows.extend(cur.fetchall())
        return rows

    def series(
        self, cur: Cursor, pk: int, key_id: int, min_step: int | None, max_step: int | None
    ) -> SeriesColumns:
        query = "SELECT step_min, n, steps, vals, walls FROM series_chunks "
        query += "WHERE run_pk = ? AND key_id = ?"
        params: list[Any] = [pk, key_id]
        if min_step is not None:
            query += " AND step_max >= ?"
            params.append(min_step)
        if max_step is not None:
            query += " AND step_min <= ?"
            params.append(max_step)
        cur.execute(self._dialect.sql(query + " ORDER BY step_min"), params)
        steps, values, walls = decode_chunks(cur.fetchall())
        if min_step is not None or max_step is not None:
            lo = 0 if min_step is None else int(np.searchsorted(steps, min_step))
            hi = (
                steps.shape[0]
                if max_step is None
                else int(np.searchsorted(steps, max_step, "right"))
            )
            steps, values, walls = steps[lo:hi], values[lo:hi], walls[lo:hi]
        return SeriesColumns(steps=steps, values=values, walls=walls)

    def summaries(self, cur: Cursor, key_id: int, pks: Sequence[int]) -> dict[int, SeriesSummary]:
        query = f"SELECT {_SUMMARY_COLUMNS} FROM series_summary WHERE {{runs}} AND key_id = ?"
        result: dict[int, SeriesSummary] = {}
        for row in self._select(cur, pks, query, [key_id]):
            pk, count, first, last, last_value, last_wall, vmin, vmax, vsum, finite, nan = row
            result[int(pk)] = SeriesSummary(
                count=int(count),
                first_step=int(first),
                last_step=int(last),
                last_value=math.nan if last_value is None else float(last_value),
                last_wall=math.nan if last_wall is None else float(last_wall),
                min=None if vmin is None else float(vmin),
                max=None if vmax is None else float(vmax),
                sum=float(vsum),
                finite_count=int(finite),
                nan_count=int(nan),
            )
        return result

    def buckets(
        self,
        cur: Cursor,
        key_id: int,
        pks: Sequence[int],
        width: int,
        min_step: int | None,
        max_step: int | None,
    ) -> dict[int, Buckets]:
        shift = self.check_width(width)
        bounds = _range(min_step, max_step, shift)
        if bounds is None or not pks:
            return {}
        levels = [size for size in LOD_BLOCKS if width % size == 0]
        parts: list[tuple[np.ndarray[Any, np.dtype[np.int64]], Aggregates]] = []
        if levels:
            parts.append(self._lod(cur, key_id, pks, levels[-1], bounds, shift))
            parts.append(self._points(cur, key_id, pks, bounds, shift, tail_only=True))
        else:
            parts.append(self._points(cur, key_id, pks, bounds, shift, tail_only=False))
        runs = np.concatenate([p[0] for p in parts])
        if not runs.shape[0]:
            return {}
        agg = Aggregates.concat([p[1] for p in parts])
        if len(parts) > 1:
            # LOD blocks of a run come before its tail: a stable sort keeps step order.
            order = np.argsort(runs, kind="stable")
            runs, agg = runs[order], agg.take(order)
            starts = group_starts(runs, agg.first_step >> shift)
            runs, agg = runs[starts], merge(agg, starts)
        return _split(runs, agg.to_buckets())

    def _lod(
        self,
        cur: Cursor,
        key_id: int,
        pks: Sequence[int],
        size: int,
        bounds: tuple[int, int | None],
        shift: int,
    ) -> tuple[np.ndarray[Any, np.dtype[np.int64]], Aggregates]:
        lo, hi = bounds
        query = "SELECT run_pk, data FROM series_lod WHERE {runs} AND key_id = ? AND block_size = ?"
        params: list[Any] = [key_id, size]
        if lo > 0:
            query += " AND step_min > ?"
            params.append(lo - size * ROW_BLOCKS)
        if hi is not None:
            query += " AND step_min <= ?"
            params.append(hi)
        rows = self._select(cur, pks, query + " ORDER BY run_pk, step_min", params)
        if not rows:
            return np.empty(0, np.int64), Aggregates.empty()
        blobs = [bytes(r[1]) for r in rows]
        counts = [len(b) // BLOCK_DTYPE.itemsize for b in blobs]
        runs = np.repeat(np.array([r[0] for r in rows], dtype=np.int64), counts)
        agg = Aggregates.from_bytes(b"".join(blobs))
        if lo > 0 or hi is not None:
            keep = agg.first_step >= lo
            if hi is not None:
                keep &= agg.first_step <= hi
            runs, agg = runs[keep], agg.take(keep)
        if not runs.shape[0]:
            return runs, agg
        starts = group_starts(runs, agg.first_step >> shift)
        return runs[starts], merge(agg, starts)

    def _points(
        self,
        cur: Cursor,
        key_id: int,
        pks: Sequence[int],
        bounds: tuple[int, int | None],
        shift: int,
        *,
        tail_only: bool,
    ) -> tuple[np.ndarray[Any, np.dtype[np.int64]], Aggregates]:
        lo, hi = bounds
        query = "SELECT run_pk, step_min, n, steps, vals FROM series_chunks "
        query += "WHERE {runs} AND key_id = ?"
        if tail_only:
            query += " AND sealed = 0"
        params: list[Any] = [key_id]
        if lo > 0:
            query += " AND step_max >= ?"
            params.append(lo)
        if hi is not None:
            query += " AND step_min <= ?"
            params.append(hi)
        rows = self._select(cur, pks, query + " ORDER BY run_pk, step_min", params)
        if not rows:
            return np.empty(0, np.int64), Aggregates.empty()
        counts = [r[2] for r in rows]
        runs = np.repeat(np.array([r[0] for r in rows], dtype=np.int64), counts)
        steps = decode_many_steps([r[1] for r in rows], counts, [r[3] for r in rows])
        values = decode_floats([bytes(r[4]) for r in rows])
        if lo > 0 or hi is not None:
            keep = steps >= lo
            if hi is not None:
                keep &= steps <= hi
            runs, steps, values = runs[keep], steps[keep], values[keep]
        if not runs.shape[0]:
            return runs, Aggregates.empty()
        starts = group_starts(runs, steps >> shift)
        return runs[starts], aggregate_points(steps, values, starts)


def _split(runs: np.ndarray[Any, np.dtype[np.int64]], buckets: Buckets) -> dict[int, Buckets]:
    starts = group_starts(runs).tolist()
    ends = [*starts[1:], int(runs.shape[0])]
    names = [f.name for f in fields(Buckets)]
    columns = [getattr(buckets, name) for name in names]
    return {
        int(runs[s]): Buckets(**{n: c[s:e] for n, c in zip(names, columns, strict=True)})
        for s, e in zip(starts, ends, strict=True)
    }
