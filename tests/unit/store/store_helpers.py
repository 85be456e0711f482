"""Builders and a plain-numpy reference for the store tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from trackboard.store.base import Buckets, RunChanges, SeriesColumns
from trackboard.store.sql import SqlStore

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def changes(run_id: str = "r1", seq: int = 0, **fields: Any) -> RunChanges:
    """A batch of one record (``seq``) of session ``s1`` in project e/p, plus ``fields``."""
    fields.setdefault("entity", "e")
    fields.setdefault("project", "p")
    fields.setdefault("session", "s1")
    fields.setdefault("last_seq", seq)
    return RunChanges(run_id=run_id, first_seq=seq, **fields)


def cols(steps: Any, values: Any = None, walls: Any = None) -> SeriesColumns:
    s = np.asarray(steps, dtype=np.int64)
    v = s.astype(np.float64) if values is None else np.asarray(values, dtype=np.float64)
    w = np.asarray((1000.0 + s * 0.5) if walls is None else walls, dtype=np.float64)
    return SeriesColumns(steps=s, values=v, walls=w)


def append_points(
    store: SqlStore,
    key: str,
    steps: I64,
    values: F64,
    *,
    run_id: str = "r1",
    session: str = "s1",
    flush: int = 333,
    first_seq: int = 0,
) -> tuple[int, int]:
    """Append in flushes of ``flush`` points; return the run's pk and the next seq."""
    seq = first_seq
    pk = -1
    for lo in range(0, len(steps), flush):
        batch = changes(
            run_id,
            seq,
            session=session,
            series={key: cols(steps[lo : lo + flush], values[lo : lo + flush])},
        )
        pk = store.append(batch).pk
        seq += 1
    return pk, seq


def random_series(
    rng: np.random.Generator, n: int, *, gaps: bool = False, specials: bool = True
) -> tuple[I64, F64]:
    """``n`` points from step 0 (or with random gaps), normal values with NaN and +-inf."""
    if gaps:
        steps = np.cumsum(rng.choice([1, 1, 2, 3, 50, 700], size=n)).astype(np.int64) - 1
    else:
        steps = np.arange(n, dtype=np.int64)
    values = rng.normal(size=n)
    if specials and n:
        for special in (np.nan, np.inf, -np.inf):
            values[rng.integers(0, n, max(1, n // 200))] = special
    return steps, values


def reference_buckets(
    steps: I64, values: F64, width: int, min_step: int | None = None, max_step: int | None = None
) -> Buckets:
    """Buckets by aggregating the raw points one bucket at a time."""
    bucket = steps // width
    keep = np.ones(len(steps), dtype=bool)
    if min_step is not None:
        keep &= bucket >= max(min_step, 0) // width
    if max_step is not None:
        keep &= bucket <= max_step // width
    rows = []
    for b in np.unique(bucket[keep]):
        sel = bucket == b
        s, v = steps[sel], values[sel]
        f = v[np.isfinite(v)]
        rows.append(
            (
                s[0],
                s[-1],
                f.min() if f.size else np.nan,
                f.max() if f.size else np.nan,
                f.sum(),
                f.size,
                v[-1],
                np.isnan(v).sum(),
                (v == np.inf).sum(),
                (v == -np.inf).sum(),
            )
        )
    cols_ = list(zip(*rows, strict=True)) if rows else [()] * 10
    ints, floats = np.int64, np.float64
    types = [ints, ints, floats, floats, floats, ints, floats, ints, ints, ints]
    arrays: list[Any] = [np.asarray(c, dtype=t) for c, t in zip(cols_, types, strict=True)]
    return Buckets(*arrays)


def assert_buckets_equal(actual: Buckets, expected: Buckets) -> None:
    for name in ("first_step", "last_step", "count", "nan_count", "posinf_count", "neginf_count"):
        np.testing.assert_array_equal(getattr(actual, name), getattr(expected, name), err_msg=name)
    for name in ("min", "max", "last"):
        np.testing.assert_array_equal(getattr(actual, name), getattr(expected, name), err_msg=name)
    np.testing.assert_allclose(actual.sum, expected.sum, rtol=1e-9, atol=1e-9, err_msg="sum")


def db_rows(store: SqlStore, query: str, params: Any = ()) -> list[Any]:
    """Rows of a SQL query on the store's database (``?`` placeholders)."""
    with store._transaction(write=False) as cur:
        cur.execute(store.dialect.sql(query), params)
        return list(cur.fetchall())


StoreFactory = Callable[[], SqlStore]
# PostgreSQL access is shared with the integration tests.
from tests.conftest import drop_schema, pg_url, require_postgres  # noqa: E402

__all__ = ["drop_schema", "pg_url", "require_postgres"]
