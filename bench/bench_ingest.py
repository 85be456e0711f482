"""End-to-end ingest: run logs written by the SDK, read, decoded and applied to a store.

DECISIONS 22: the "ingest rate" target measures ``Store.append`` of decoded batches; this
reports the whole path beside it, in the same process on the same data:

1. ``--runs`` training processes' worth of run logs are written with ``trackboard.log``
   (``--steps`` rows of ``--keys`` floats each; not timed);
2. *end to end*: ``RootFollower.poll()`` into a fresh store (read frames, check CRCs, decode
   msgpack, build columnar batches, ``Store.append``);
3. *decode only*: reading and decoding the same run logs, without a store;
4. *append only*: ``Store.append`` of the batches step 2 built, into another fresh store.

Usage::

    python bench/bench_ingest.py                      # 20 runs x 50,000 steps x 3 keys, SQLite
    python bench/bench_ingest.py --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trackboard.ingest.apply import BATCH_RECORDS, sessions
from trackboard.ingest.changes import build_changes
from trackboard.ingest.follow import RootFollower, run_logs
from trackboard.runlog import read_records
from trackboard.store.base import RunChanges, Store
from trackboard.store.postgres import PostgresStore
from trackboard.store.sqlite import SqliteStore

WRITER = """
import sys, trackboard
runs, steps, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
names = [f"metric/{k}" for k in range(keys)]
for r in range(runs):
    run = trackboard.init(project="bench", reinit="create_new", config={"r": r})
    for s in range(steps):
        run.log({n: (s % 97) * 0.5 + k for k, n in enumerate(names)}, step=s)
    run.finish()
"""


def write_logs(root: Path, runs: int, steps: int, keys: int) -> None:
    env = {**os.environ, "TRACKBOARD_DIR": str(root), "TRACKBOARD_SILENT": "1"}
    subprocess.run(
        [sys.executable, "-c", WRITER, str(runs), str(steps), str(keys)], env=env, check=True
    )


def open_fresh(kind: str, folder: Path, pg_url: str | None) -> tuple[Store, str | None]:
    if kind == "sqlite":
        return SqliteStore(folder / f"{secrets.token_hex(4)}.db"), None
    assert pg_url is not None
    schema = f"tb_bench_{secrets.token_hex(4)}"
    return PostgresStore(pg_url, schema=schema), schema


def drop(pg_url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def decoded_batches(root: Path) -> list[RunChanges]:
    batches: list[RunChanges] = []
    for path in run_logs(root):
        records = read_records(path).records
        for identity, segment in sessions(records):
            assert identity is not None
            for start in range(0, len(segment), BATCH_RECORDS):
                batches.append(build_changes(identity, segment[start : start + BATCH_RECORDS]))
    return batches


def measure(kind: str, root: Path, folder: Path, pg_url: str | None, points: int) -> list[str]:
    store, schema = open_fresh(kind, folder, pg_url)
    try:
        t0 = time.perf_counter()
        report = RootFollower(store, root).poll()
        end_to_end = time.perf_counter() - t0
        assert report.corrupt_frames == 0 and not report.errors
    finally:
        store.close()
        if schema and pg_url:
            drop(pg_url, schema)

    t0 = time.perf_counter()
    batches = decoded_batches(root)
    decode = time.perf_counter() - t0

    store, schema = open_fresh(kind, folder, pg_url)
    try:
        t0 = time.perf_counter()
        for batch in batches:
            store.append(batch)
        append = time.perf_counter() - t0
    finally:
        store.close()
        if schema and pg_url:
            drop(pg_url, schema)
    return [
        f"| {kind} | {points / end_to_end:,.0f} | {points / decode:,.0f} | "
        f"{points / append:,.0f} | {append / end_to_end:.2f} |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--postgres", help="also measure PostgreSQL at this URL")
    args = parser.parse_args()

    # one point per key per row, plus the _runtime series every row adds
    points = args.runs * args.steps * (args.keys + 1)
    with tempfile.TemporaryDirectory(prefix="tb-bench-ingest-") as tmp:
        folder = Path(tmp)
        root = folder / "root"
        t0 = time.perf_counter()
        write_logs(root, args.runs, args.steps, args.keys)
        wrote = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in run_logs(root))
        print(
            f"{args.runs} runs x {args.steps:,} steps x {args.keys} keys "
            f"(+ _runtime) = {points:,} points; run logs {size / 1e6:.1f} MB, "
            f"written by trackboard.log in {wrote:.1f} s\n"
        )
        print(
            "| store | end to end (points/s) | read, decode, build batches | Store.append only "
            "| append share of end to end |"
        )
        print("|---|---|---|---|---|")
        kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
        for kind in kinds:
            for line in measure(kind, root, folder, args.postgres, points):
                print(line)


if __name__ == "__main__":
    main()
