"""Store benchmark: ingest rate and the chart query, SQLite and PostgreSQL.

The workload of docs/research storage section 1: ``--runs`` runs x ``--steps`` steps x
``--keys`` keys, each run flushing every ``--flush-steps`` steps (333 steps x 3 keys = 999
points per flush, one ``Store.append`` per flush, with the summary update ingest sends), the
flushes of all runs interleaved round-robin. Then, warm (median of ``--repeat`` after one
warm-up):

* the chart query: one key over all runs, ``series_buckets`` at the power-of-two width that
  gives ~1,000 buckets per run, beside the same buckets computed from raw chunks (``series``
  per run + numpy), the baseline the LOD pyramid replaces; the two results are compared;
* one run's whole series, and the summaries of one key over all runs.

Usage::

    python bench/bench_store.py                      # full size, SQLite only
    python bench/bench_store.py --postgres postgresql://postgres@127.0.0.1:5432/test
    python bench/bench_store.py --quick --postgres URL
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from trackboard.store.base import Buckets, RunChanges, SeriesColumns, Store
from trackboard.store.postgres import PostgresStore
from trackboard.store.sqlite import SqliteStore

TARGETS = {
    "sqlite": {"ingest": 1_500_000, "buckets_ms": 100},
    "postgresql": {"ingest": 500_000, "buckets_ms": 300},
}
KEY_NAMES = ("train/loss", "train/acc", "lr")


@dataclass
class Row:
    figure: str
    measured: str
    target: str = ""


def key_names(n: int) -> list[str]:
    return [KEY_NAMES[i] if i < len(KEY_NAMES) else f"metric/{i}" for i in range(n)]


def curves(steps: int, keys: int, seed: int = 0) -> list[np.ndarray[Any, np.dtype[np.float64]]]:
    """One base curve per key: noisy decay with spikes, noisy accuracy, cosine schedule."""
    rng = np.random.default_rng(seed)
    x = np.arange(steps, dtype=np.float64) / max(steps, 1)
    out = []
    for k in range(keys):
        if k % 3 == 0:
            y = 2.0 * np.exp(-4 * x) + rng.normal(0, 0.05, steps)
            y[rng.integers(0, steps, 10)] += 5.0
        elif k % 3 == 1:
            y = 1.0 - np.exp(-3 * x) + rng.normal(0, 0.02, steps)
        else:
            y = 1e-3 * 0.5 * (1 + np.cos(math.pi * x))
        out.append(y)
    return out


def ingest(store: Store, runs: int, steps: int, keys: int, flush: int) -> tuple[float, list[int]]:
    """Append every flush of every run; return the seconds spent in ``append`` and the pks."""
    names = key_names(keys)
    base = curves(steps, keys)
    all_steps = np.arange(steps, dtype=np.int64)
    walls = (1.7e9 + all_steps * 0.01).astype(np.float64)
    spent = 0.0
    pks: list[int] = []
    for f, lo in enumerate(range(0, steps, flush)):
        hi = min(lo + flush, steps)
        for r in range(runs):
            scale = 1.0 + 0.01 * r
            series = {
                name: SeriesColumns(all_steps[lo:hi], base[k][lo:hi] * scale, walls[lo:hi])
                for k, name in enumerate(names)
            }
            summary: dict[str, Any] = {n: float(c.values[-1]) for n, c in series.items()}
            summary["_step"] = hi - 1
            changes = RunChanges(
                entity="bench",
                project="store",
                run_id=f"run-{r:04d}",
                session="s0",
                first_seq=f,
                last_seq=f,
                start={"name": f"run {r}", "start_time": 1.7e9} if f == 0 else None,
                series=series,
                summary_set=summary,
                heartbeat_at=float(walls[hi - 1]),
                runtime=float(hi) * 0.01,
            )
            t0 = time.perf_counter()
            row = store.append(changes)
            spent += time.perf_counter() - t0
            if f == 0:
                pks.append(row.pk)
    return spent, pks


def raw_buckets(store: Store, key: str, pks: list[int], width: int) -> dict[int, Buckets]:
    """The chart query without the pyramid: every raw point read back and reduced."""
    shift = width.bit_length() - 1
    out: dict[int, Buckets] = {}
    for pk in pks:
        cols = store.series(pk, key)
        if not len(cols):
            continue
        b = cols.steps >> shift
        starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
        ends = np.r_[starts[1:], len(b)] - 1
        v = cols.values
        finite = np.isfinite(v)
        count = np.add.reduceat(finite, starts, dtype=np.int64)
        out[pk] = Buckets(
            first_step=cols.steps[starts],
            last_step=cols.steps[ends],
            min=np.where(
                count > 0, np.minimum.reduceat(np.where(finite, v, np.inf), starts), np.nan
            ),
            max=np.where(
                count > 0, np.maximum.reduceat(np.where(finite, v, -np.inf), starts), np.nan
            ),
            sum=np.add.reduceat(np.where(finite, v, 0.0), starts),
            count=count,
            last=v[ends],
            nan_count=np.add.reduceat(np.isnan(v), starts, dtype=np.int64),
            posinf_count=np.add.reduceat(v == np.inf, starts, dtype=np.int64),
            neginf_count=np.add.reduceat(v == -np.inf, starts, dtype=np.int64),
        )
    return out


def same(a: dict[int, Buckets], b: dict[int, Buckets]) -> bool:
    if a.keys() != b.keys():
        return False
    for pk, x in a.items():
        y = b[pk]
        for name in ("first_step", "last_step", "count", "nan_count", "min", "max", "last"):
            if not np.array_equal(getattr(x, name), getattr(y, name), equal_nan=True):
                return False
        if not np.allclose(x.sum, y.sum, rtol=1e-9):
            return False
    return True


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median milliseconds of ``repeat`` calls after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def run_backend(
    kind: str, store: Store, args: argparse.Namespace, size_bytes: Callable[[], int]
) -> list[Row]:
    target = TARGETS[kind]
    points = args.runs * args.steps * args.keys
    t0 = time.perf_counter()
    spent, pks = ingest(store, args.runs, args.steps, args.keys, args.flush_steps)
    wall = time.perf_counter() - t0
    width = 1 << max(0, math.ceil(math.log2(max(args.steps / 1000, 1))))
    key = key_names(args.keys)[0]
    lod_ms, lod = timed(lambda: store.series_buckets(key, pks, width), args.repeat)
    raw_ms, raw = timed(lambda: raw_buckets(store, key, pks, width), max(1, args.repeat // 2))
    fine_ms, fine = timed(lambda: store.series_buckets(key, pks, 64), args.repeat)
    fine_per_run = statistics.median(len(b.count) for b in fine.values())
    per_run = statistics.median(len(b.count) for b in lod.values())
    sample = pks[:: max(1, len(pks) // 15)]
    run_ms = statistics.median(timed(partial(store.series, pk, key), 3)[0] for pk in sample)
    summary_ms, _ = timed(lambda: store.series_summaries(key, pks), args.repeat)
    size = size_bytes()
    name = kind
    return [
        Row(
            f"{name}: append rate (points/s)", f"{points / spent:,.0f}", f">= {target['ingest']:,}"
        ),
        Row(f"{name}: ingest wall time incl. batch building (s)", f"{wall:.1f}"),
        Row(
            f"{name}: series_buckets, {len(pks)} runs, width {width} "
            f"(~{per_run:.0f} buckets/run), from the LOD (ms)",
            f"{lod_ms:.1f}",
            f"< {target['buckets_ms']}",
        ),
        Row(
            f"{name}: baseline, same buckets from raw chunks (ms)",
            f"{raw_ms:.0f} ({raw_ms / lod_ms:.0f}x slower)",
        ),
        Row(f"{name}: LOD result equals raw result", str(same(lod, raw))),
        Row(
            f"{name}: series_buckets, width 64 (~{fine_per_run:.0f} buckets/run, finest LOD) (ms)",
            f"{fine_ms:.1f}",
        ),
        Row(f"{name}: one run's whole series, {args.steps:,} points (ms)", f"{run_ms:.2f}"),
        Row(f"{name}: series_summaries, {len(pks)} runs (ms)", f"{summary_ms:.2f}"),
        Row(f"{name}: bytes per point on disk", f"{size / points:.1f}"),
    ]


def sqlite_rows(args: argparse.Namespace) -> list[Row]:
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "bench.db"
        store = SqliteStore(path)
        try:

            def size() -> int:
                store.checkpoint()
                return sum(p.stat().st_size for p in Path(tmp).iterdir())

            return run_backend("sqlite", store, args, size)
        finally:
            store.close()


def postgres_rows(args: argparse.Namespace) -> list[Row]:
    import psycopg

    schema = f"tb_bench_{secrets.token_hex(4)}"
    store = PostgresStore(args.postgres, schema=schema)
    try:

        def size() -> int:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind = 'r'",
                    (schema,),
                ).fetchone()
            return int(row[0]) if row and row[0] is not None else 0

        return run_backend("postgresql", store, args, size)
    finally:
        store.close()
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--flush-steps", type=int, default=333)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite store")
    parser.add_argument("--quick", action="store_true", help="20 runs (a tenth of the runs)")
    parser.add_argument("--dir", help="folder for the SQLite file (default: the temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 20
    rows: list[Row] = []
    if not args.no_sqlite:
        rows += sqlite_rows(args)
    if args.postgres:
        rows += postgres_rows(args)
    points = args.runs * args.steps * args.keys
    print(
        f"\n{args.runs} runs x {args.steps:,} steps x {args.keys} keys = {points:,} points, "
        f"{args.flush_steps} steps per flush; {os.cpu_count()} CPUs; "
        f"python {sys.version.split()[0]}\n"
    )
    print("| figure | measured | target |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {row.figure} | {row.measured} | {row.target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
