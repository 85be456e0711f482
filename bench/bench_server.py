"""The series endpoint at scale: one key over 1,000 runs x 10,000 steps (target < 150 ms).

Builds the runs in a fresh SQLite store with ``Store.append`` (one batch per run), then times
``GET /api/v1/projects/{entity}/{project}/series?key=loss&runs=...`` in process through
``httpx.ASGITransport`` (the whole app: routing, the store's bucket query, the binary encoding),
median of ``--repeat`` requests after one warm-up request, the bucket cache emptied before each
timed one (cold). Printed beside it, in the same process:

- the same request with the server's bucket cache warm, and warm but one run changed (the
  dashboard's live poll: a finished run's buckets never change);
- the same request, cold, for a tenth of the runs (baseline: how the cost scales with runs);
- the same buckets encoded as JSON lists instead of the binary body (encoding only).

Usage:
    python bench/bench_server.py [--runs 1000] [--steps 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from fastapi import FastAPI

from trackboard.query.chart import BucketCache, chart_series
from trackboard.server import create_app
from trackboard.server.series_body import encode_series
from trackboard.settings import Settings
from trackboard.store.base import RunChanges, SeriesColumns, Store
from trackboard.store.sqlite import SqliteStore

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_MS = 150.0
ENTITY, PROJECT, KEY = "bench", "series", "loss"


def build(store: Store, runs: int, steps: int) -> list[str]:
    rng = np.random.default_rng(0)
    step_array = np.arange(steps, dtype=np.int64)
    walls = 1.7e9 + step_array.astype(np.float64)
    ids = []
    for i in range(runs):
        run_id = f"run{i:05d}"
        values = np.exp(-step_array / (2000.0 + i)) + rng.normal(0, 0.01, steps)
        store.append(
            RunChanges(
                entity=ENTITY,
                project=PROJECT,
                run_id=run_id,
                session="s",
                first_seq=0,
                last_seq=0,
                start={"name": run_id, "start_time": 1.7e9 + i},
                state="finished",
                series={KEY: SeriesColumns(step_array, values, walls)},
            )
        )
        ids.append(run_id)
    return ids


async def time_requests(
    app: FastAPI, ids: list[str], repeat: int, *, cold: bool, touch: Store | None = None
) -> tuple[float, float, int]:
    """Median and fastest ms of the request; ``cold`` empties the server's bucket cache before
    each one, ``touch`` edits the first run before each one (a live run among finished ones)."""
    url = f"/api/v1/projects/{ENTITY}/{PROJECT}/series"
    params = {"key": KEY, "runs": ",".join(ids)}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        warm = await client.get(url, params=params)
        warm.raise_for_status()
        times = []
        for i in range(repeat):
            if cold:
                app.state.bucket_cache = BucketCache()
            if touch is not None:
                first = touch.run(ENTITY, PROJECT, ids[0])
                touch.update_run(first.pk, notes=f"edit {i}")
            start = time.perf_counter()
            answer = await client.get(url, params=params)
            answer.raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), len(warm.content)


def time_json(store: Store, ids: list[str], repeat: int) -> tuple[float, float, int]:
    rows = {r.run_id: r for r in store.runs(ENTITY, PROJECT)}
    chart = chart_series(store, KEY, [rows[i] for i in ids])
    binary, as_json = [], []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        encode_series(chart)
        binary.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        body = json.dumps(
            [
                {
                    "id": r.run_id,
                    "x": r.x.tolist(),
                    "last": r.last.tolist(),
                    "min": r.min.tolist(),
                    "max": r.max.tolist(),
                    "mean": r.mean.tolist(),
                    "flags": r.flags.tolist(),
                }
                for r in chart.runs
            ]
        ).encode()
        as_json.append((time.perf_counter() - start) * 1000)
        size = len(body)
    return statistics.median(binary), statistics.median(as_json), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db")
        start = time.perf_counter()
        ids = build(store, args.runs, args.steps)
        built = time.perf_counter() - start
        app = create_app(store, Settings(root=Path(tmp) / "root"))
        full_ms, full_min, full_bytes = asyncio.run(time_requests(app, ids, args.repeat, cold=True))
        warm_ms, warm_min, _ = asyncio.run(time_requests(app, ids, args.repeat, cold=False))
        live_ms, live_min, _ = asyncio.run(
            time_requests(app, ids, args.repeat, cold=False, touch=store)
        )
        tenth = ids[: max(1, len(ids) // 10)]
        tenth_ms, tenth_min, tenth_bytes = asyncio.run(
            time_requests(app, tenth, args.repeat, cold=True)
        )
        binary_ms, json_ms, json_bytes = time_json(store, ids, args.repeat)
        store.close()
    points = args.runs * args.steps
    print(f"Built {args.runs} runs x {args.steps} steps ({points:,} points) in {built:.1f} s.\n")
    print("| measurement | median ms | fastest ms | body | target |")
    print("|---|---:|---:|---:|---|")

    def verdict(ms: float) -> str:
        return f"< {TARGET_MS:.0f} ms: {'met' if ms < TARGET_MS else 'MISSED'}"

    mb = f"{full_bytes / 1e6:.2f} MB"
    n = len(ids)
    for label, med, low in (
        (f"series, {n} runs, cold (no cache)", full_ms, full_min),
        (f"series, {n} runs, cached", warm_ms, warm_min),
        (f"series, {n} runs, cached but 1 run changed", live_ms, live_min),
    ):
        print(f"| {label} | {med:.1f} | {low:.1f} | {mb} | {verdict(med)} |")
    print(
        f"| baseline: series, {len(tenth)} runs, cold | {tenth_ms:.1f} | {tenth_min:.1f} | "
        f"{tenth_bytes / 1e6:.2f} MB | |"
    )
    print(f"| binary encoding only, {n} runs | {binary_ms:.1f} | | | |")
    print(
        f"| baseline: JSON encoding only, {n} runs | {json_ms:.1f} | | "
        f"{json_bytes / 1e6:.2f} MB | |"
    )
    result = {
        "bench": "server_series",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "steps": args.steps,
        "repeat": args.repeat,
        "target_ms": TARGET_MS,
        "cold_ms": full_ms,
        "cold_fastest_ms": full_min,
        "cached_ms": warm_ms,
        "cached_one_changed_ms": live_ms,
        "baseline_tenth_runs_cold_ms": tenth_ms,
        "binary_encode_ms": binary_ms,
        "json_encode_ms": json_ms,
        "body_bytes": full_bytes,
        "json_bytes": json_bytes,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"server-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nWrote {out}")


if __name__ == "__main__":
    main()
