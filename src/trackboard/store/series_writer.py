"""Writing scalar series: tail rows, sealing, the LOD pyramid, rewinds and summary rows.

Every method runs inside the caller's write transaction, with the run locked, so it may read
what it is about to change (other processes cannot interleave).

Layout of one series (run, key), with ``sealed_to`` a multiple of :data:`CHUNK_POINTS`:

* steps below ``sealed_to`` are in *sealed* chunks (up to 4,096 points each) and are covered by
  complete LOD blocks of every level, each block entirely below ``sealed_to``;
* steps from ``sealed_to`` on are in *tail* rows, one per append, fewer than 4,096 points in all.

An append adds a tail row. When the tail would reach 4,096 points, the tail and the new points
are read together, the points below the highest multiple of 4,096 not above the last step + 1
become sealed chunks with their LOD blocks, and the rest becomes one tail row. Blocks are only
written once final, so the pyramid never needs updating in place; a rewind truncates it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from trackboard.errors import InvalidInputError
from trackboard.store.base import CHUNK_POINTS, LOD_BLOCKS, SeriesColumns
from trackboard.store.dialect import Cursor, Dialect
from trackboard.store.series_codec import (
    BLOCK_DTYPE,
    F64,
    I64,
    Aggregates,
    PointStats,
    aggregate_points,
    block_pyramid,
    decode_floats,
    decode_many_steps,
    encode_floats,
    encode_steps,
    group_starts,
    point_stats,
)

ROW_BLOCKS = 64
"""LOD blocks per ``series_lod`` row; a row of block size ``b`` spans ``64 * b`` steps."""
_SEAL_SHIFT = CHUNK_POINTS.bit_length() - 1
assert LOD_BLOCKS[-1] == CHUNK_POINTS, "sealing keeps the largest LOD block complete"

STATE_COLUMNS = (
    "key_id, count, first_step, last_step, last_value, last_wall, vmin, vmax, vsum, "
    "finite_n, nan_n, posinf_n, neginf_n, sealed_to, tail_n"
)
CHUNK_COLUMNS = (
    "run_pk, key_id, step_min, sealed, n, step_max, wall_min, wall_max, vmin, vmax, vsum, "
    "finite_n, nan_n, posinf_n, neginf_n, steps, vals, walls"
)


class Points(NamedTuple):
    steps: I64
    values: F64
    walls: F64


def check_points(key: str, cols: SeriesColumns) -> Points | None:
    """The batch's points of ``key`` as int64/float64 arrays; None when there are none."""
    steps, values, walls = np.asarray(cols.steps), np.asarray(cols.values), np.asarray(cols.walls)
    if steps.ndim != 1 or values.shape != steps.shape or walls.shape != steps.shape:
        raise InvalidInputError(
            f"series {key!r}: steps, values and walls must be 1-D arrays of one length"
        )
    if steps.size == 0:
        return None
    if steps.dtype.kind not in "iu" or values.dtype.kind not in "fiub":
        raise InvalidInputError(f"series {key!r}: steps must be integers and values numbers")
    if walls.dtype.kind not in "fiu":
        raise InvalidInputError(f"series {key!r}: wall times must be numbers")
    steps = steps.astype(np.int64, copy=False)
    if steps[0] < 0:
        raise InvalidInputError(f"series {key!r}: steps must be >= 0, got {int(steps[0])}")
    if steps.size > 1 and not bool((steps[1:] > steps[:-1]).all()):
        raise InvalidInputError(f"series {key!r}: steps must strictly increase within a batch")
    return Points(steps, values.astype(np.float64, copy=False), walls.astype(np.float64))


@dataclass(slots=True)
class SeriesState:
    """A ``series_summary`` row: the series' aggregates and where its tail begins."""

    key_id: int
    count: int = 0
    first_step: int = 0
    last_step: int = -1
    last_value: float = math.nan
    last_wall: float = math.nan
    vmin: float | None = None
    vmax: float | None = None
    vsum: float = 0.0
    finite: int = 0
    nan: int = 0
    posinf: int = 0
    neginf: int = 0
    sealed_to: int = 0
    tail_n: int = 0

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> SeriesState:
        (key_id, count, first, last, last_value, last_wall, vmin, vmax, vsum) = row[:9]
        return cls(
            int(key_id),
            int(count),
            int(first),
            int(last),
            math.nan if last_value is None else float(last_value),
            math.nan if last_wall is None else float(last_wall),
            vmin,
            vmax,
            float(vsum),
            *(int(v) for v in row[9:]),
        )

    def add(self, points: Points, stats: PointStats) -> None:
        steps, values, walls = points
        if self.count == 0:
            self.first_step = int(steps[0])
        self.count += int(steps.shape[0])
        self.last_step = int(steps[-1])
        self.last_value = float(values[-1])
        self.last_wall = float(walls[-1])
        if stats.vmin is not None and stats.vmax is not None:
            self.vmin = stats.vmin if self.vmin is None else min(self.vmin, stats.vmin)
            self.vmax = stats.vmax if self.vmax is None else max(self.vmax, stats.vmax)
        self.vsum += stats.vsum
        self.finite += stats.finite
        self.nan += stats.nan
        self.posinf += stats.posinf
        self.neginf += stats.neginf

    def params(self, run_pk: int) -> tuple[Any, ...]:
        return (
            run_pk,
            self.key_id,
            self.count,
            self.first_step,
            self.last_step,
            self.last_value,
            self.last_wall,
            self.vmin,
            self.vmax,
            self.vsum,
            self.finite,
            self.nan,
            self.posinf,
            self.neginf,
            self.sealed_to,
            self.tail_n,
        )


def chunk_params(
    run_pk: int, key_id: int, sealed: int, points: Points, stats: PointStats | None = None
) -> tuple[Any, ...]:
    steps, values, walls = points
    st = point_stats(values) if stats is None else stats
    return (
        run_pk,
        key_id,
        int(steps[0]),
        sealed,
        int(steps.shape[0]),
        int(steps[-1]),
        float(np.fmin.reduce(walls)),
        float(np.fmax.reduce(walls)),
        st.vmin,
        st.vmax,
        st.vsum,
        st.finite,
        st.nan,
        st.posinf,
        st.neginf,
        encode_steps(steps),
        encode_floats(values),
        encode_floats(walls),
    )


def decode_chunks(rows: Sequence[Sequence[Any]]) -> Points:
    """Points of rows ``(step_min, n, steps, vals, walls)`` in step order."""
    steps = decode_many_steps([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    return Points(steps, decode_floats([r[3] for r in rows]), decode_floats([r[4] for r in rows]))


def _slice(points: Points, start: int, stop: int) -> Points:
    return Points(points.steps[start:stop], points.values[start:stop], points.walls[start:stop])


def _cut(points: Points, end: int) -> tuple[Points, Points]:
    k = int(np.searchsorted(points.steps, end))
    return _slice(points, 0, k), _slice(points, k, len(points.steps))


class SeriesWriter:
    def __init__(self, dialect: Dialect) -> None:
        sql = dialect.sql
        self._dialect = dialect
        marks = ", ".join("?" * 16)
        updates = ", ".join(f"{c} = excluded.{c}" for c in STATE_COLUMNS.split(", ")[1:])
        self._upsert_state = sql(
            f"INSERT INTO series_summary (run_pk, {STATE_COLUMNS}) VALUES ({marks}) "
            f"ON CONFLICT (run_pk, key_id) DO UPDATE SET {updates}"
        )
        self._insert_chunk = sql(
            f"INSERT INTO series_chunks ({CHUNK_COLUMNS}) VALUES ({', '.join('?' * 18)})"
        )
        where = "WHERE run_pk = ? AND key_id = ?"
        points = "SELECT step_min, n, steps, vals, walls FROM series_chunks"
        self._select_tail = sql(f"{points} {where} AND sealed = 0 ORDER BY step_min")
        self._delete_tail = sql(f"DELETE FROM series_chunks {where} AND sealed = 0")
        self._select_from = sql(f"{points} {where} AND step_max >= ? ORDER BY step_min")
        self._delete_from = sql(f"DELETE FROM series_chunks {where} AND step_max >= ?")
        self._last_walls = sql(
            f"SELECT walls FROM series_chunks {where} ORDER BY step_min DESC LIMIT 1"
        )
        concat = dialect.concat_blobs("series_lod.data", "excluded.data")
        self._upsert_lod = sql(
            "INSERT INTO series_lod (run_pk, key_id, block_size, step_min, data) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_pk, key_id, block_size, step_min) "
            f"DO UPDATE SET data = {concat}"
        )
        lod = f"FROM series_lod {where} AND block_size = ?"
        self._select_lod = sql(f"SELECT data {lod} ORDER BY step_min")
        self._select_lod_row = sql(f"SELECT data {lod} AND step_min = ?")
        self._update_lod_row = sql(
            f"UPDATE series_lod SET data = ? {where} AND block_size = ? AND step_min = ?"
        )
        self._delete_lod_from = sql(f"DELETE {lod} AND step_min >= ?")

    def load(self, cur: Cursor, run_pk: int, key_ids: Sequence[int]) -> dict[int, SeriesState]:
        states: dict[int, SeriesState] = {}
        for cond, params in self._dialect.any_of_batches("key_id", key_ids):
            cur.execute(
                self._dialect.sql(
                    f"SELECT {STATE_COLUMNS} FROM series_summary WHERE run_pk = ? AND {cond}"
                ),
                [run_pk, *params],
            )
            for row in cur.fetchall():
                state = SeriesState.from_row(row)
                states[state.key_id] = state
        return states

    def write(self, cur: Cursor, run_pk: int, series: Sequence[tuple[int, Points]]) -> bool:
        """Append each key's points; return whether any series was rewound."""
        states = self.load(cur, run_pk, [key_id for key_id, _ in series])
        tails: list[tuple[Any, ...]] = []
        summaries: list[tuple[Any, ...]] = []
        rewound = False
        for key_id, points in series:
            state = states.get(key_id)
            first = int(points.steps[0])
            if state is not None and first <= state.last_step:
                state = self._rewind(cur, run_pk, state, first)
                rewound = True
            if state is None:
                state = SeriesState(key_id)
            stats = point_stats(points.values)
            n = int(points.steps.shape[0])
            if state.tail_n + n < CHUNK_POINTS:
                tails.append(chunk_params(run_pk, key_id, 0, points, stats))
                state.tail_n += n
            else:
                self._seal(cur, run_pk, state, points)
            state.add(points, stats)
            summaries.append(state.params(run_pk))
        if tails:
            cur.executemany(self._insert_chunk, tails)
        cur.executemany(self._upsert_state, summaries)
        return rewound

    def _seal(self, cur: Cursor, run_pk: int, state: SeriesState, new: Points) -> None:
        cur.execute(self._select_tail, (run_pk, state.key_id))
        rows = cur.fetchall()
        points = new
        if rows:
            old = decode_chunks(rows)
            points = Points(
                np.concatenate((old.steps, new.steps)),
                np.concatenate((old.values, new.values)),
                np.concatenate((old.walls, new.walls)),
            )
            cur.execute(self._delete_tail, (run_pk, state.key_id))
        end = ((int(points.steps[-1]) + 1) >> _SEAL_SHIFT) << _SEAL_SHIFT
        sealed, tail = _cut(points, end)
        self._insert(cur, run_pk, state.key_id, sealed, tail)
        self._add_lod(cur, run_pk, state.key_id, sealed)
        state.sealed_to = max(state.sealed_to, end)
        state.tail_n = int(tail.steps.shape[0])

    def _insert(self, cur: Cursor, run_pk: int, key_id: int, sealed: Points, tail: Points) -> None:
        rows = [
            chunk_params(run_pk, key_id, 1, _slice(sealed, i, i + CHUNK_POINTS))
            for i in range(0, int(sealed.steps.shape[0]), CHUNK_POINTS)
        ]
        if tail.steps.shape[0]:
            rows.append(chunk_params(run_pk, key_id, 0, tail))
        if rows:
            cur.executemany(self._insert_chunk, rows)

    def _add_lod(self, cur: Cursor, run_pk: int, key_id: int, points: Points) -> None:
        if not points.steps.shape[0]:
            return
        rows: list[tuple[Any, ...]] = []
        item = BLOCK_DTYPE.itemsize
        for size, agg in zip(
            LOD_BLOCKS, block_pyramid(points.steps, points.values, LOD_BLOCKS), strict=True
        ):
            shift = size.bit_length() - 1 + ROW_BLOCKS.bit_length() - 1
            row_start = (agg.first_step >> shift) << shift
            starts = group_starts(row_start).tolist()
            data = agg.to_bytes()
            for i, begin in enumerate(starts):
                end = starts[i + 1] if i + 1 < len(starts) else len(agg)
                rows.append(
                    (run_pk, key_id, size, int(row_start[begin]), data[begin * item : end * item])
                )
        cur.executemany(self._upsert_lod, rows)

    def _rewind(
        self, cur: Cursor, run_pk: int, state: SeriesState, step: int
    ) -> SeriesState | None:
        """Delete the points at and after ``step``; return the state of what is left."""
        key_id = state.key_id
        # Below the sealed boundary, the L3 block holding ``step`` goes back to the tail.
        cut = min(state.sealed_to, (step >> _SEAL_SHIFT) << _SEAL_SHIFT)
        cur.execute(self._select_from, (run_pk, key_id, cut))
        rows = cur.fetchall()
        kept, _ = _cut(decode_chunks(rows), step)
        cur.execute(self._delete_from, (run_pk, key_id, cut))
        sealed, tail = _cut(kept, cut)
        self._insert(cur, run_pk, key_id, sealed, tail)
        if cut < state.sealed_to:
            self._truncate_lod(cur, run_pk, key_id, cut)
        return self._recount(cur, run_pk, key_id, cut, tail)

    def _truncate_lod(self, cur: Cursor, run_pk: int, key_id: int, cut: int) -> None:
        for size in LOD_BLOCKS:
            cur.execute(self._delete_lod_from, (run_pk, key_id, size, cut))
            span = size * ROW_BLOCKS
            row_start = cut // span * span
            if row_start == cut:
                continue
            cur.execute(self._select_lod_row, (run_pk, key_id, size, row_start))
            found = cur.fetchone()
            if found is None:
                continue
            blocks = np.frombuffer(bytes(found[0]), dtype=BLOCK_DTYPE)
            keep = blocks[blocks["first_step"] < cut]
            if keep.shape[0]:
                cur.execute(self._update_lod_row, (keep.tobytes(), run_pk, key_id, size, row_start))
            else:
                cur.execute(self._delete_lod_from, (run_pk, key_id, size, row_start))

    def _recount(
        self, cur: Cursor, run_pk: int, key_id: int, cut: int, tail: Points
    ) -> SeriesState | None:
        """The state of a series from its largest LOD blocks (below ``cut``) and its tail."""
        cur.execute(self._select_lod, (run_pk, key_id, LOD_BLOCKS[-1]))
        parts = [Aggregates.from_bytes(b"".join(bytes(r[0]) for r in cur.fetchall()))]
        if tail.steps.shape[0]:
            parts.append(aggregate_points(tail.steps, tail.values, np.zeros(1, np.intp)))
        agg = Aggregates.concat(parts)
        if not len(agg):
            return None
        total = agg.total()
        finite = int(total.count[0])
        if tail.steps.shape[0]:
            last_wall = float(tail.walls[-1])
        else:
            cur.execute(self._last_walls, (run_pk, key_id))
            last_wall = float(np.frombuffer(bytes(cur.fetchone()[0]), dtype="<f8")[-1])
        nan, posinf, neginf = int(total.nan[0]), int(total.posinf[0]), int(total.neginf[0])
        return SeriesState(
            key_id,
            count=finite + nan + posinf + neginf,
            first_step=int(total.first_step[0]),
            last_step=int(total.last_step[0]),
            last_value=float(total.last[0]),
            last_wall=last_wall,
            vmin=float(total.min[0]) if finite else None,
            vmax=float(total.max[0]) if finite else None,
            vsum=float(total.sum[0]),
            finite=finite,
            nan=nan,
            posinf=posinf,
            neginf=neginf,
            sealed_to=cut,
            tail_n=int(tail.steps.shape[0]),
        )
