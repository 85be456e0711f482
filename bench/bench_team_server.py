"""The team server under load: W training processes x K keys x R steps/s for S seconds, online.

Starts ``trackboard server`` on PostgreSQL (a fresh schema, dropped afterwards) in its own
process, then ``--writers`` processes (``workers/team_writer.py``), each an online run whose
SDK uploads its run log to the server while it logs ``--keys`` floats per step at ``--rate``
steps/s for ``--seconds``. After the writers exit it waits (bounded by ``--drain-timeout``) for
the store to hold every point, then reads every series back and counts points lost and
duplicated. Reported:

- points sent and stored, lost, duplicated, and the wall time until the store held them all;
- p50 / p99 / max of the records upload requests, timed at the client around each request;
- the server process's CPU seconds (psutil) over the whole load;
- baseline, in this process on the same data: the writers' run logs read back and applied
  straight to a fresh store schema with ``ingest.apply_records``, in batches of the mean
  records per upload, each call timed (what the server's HTTP, checks and threads add).

Usage:
    python bench/bench_team_server.py                       # 50 x 10 keys x 1,000 steps/s x 60 s
    python bench/bench_team_server.py --writers 20 --rate 100 --seconds 20
    python bench/bench_team_server.py --db postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from trackboard.ingest.apply import apply_records, sessions
from trackboard.runlog import read_records
from trackboard.store import open_store
from trackboard.store.base import Store

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
WORKER = HERE / "workers" / "team_writer.py"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``trackboard server`` on a free port, once it answers; the process and its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "trackboard.cli", "server", "--db", db, "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*argv, "--no-auth"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"trackboard server exited:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"{url}/api/v1/projects", timeout=2)
            return proc, url
        except urllib.error.HTTPError:
            return proc, url  # it answers (401 with access control on)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"trackboard server did not answer within 60 s:\n{log.read_text()}")


def writer_env(root: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    env.update(
        TRACKBOARD_DIR=str(root),
        TRACKBOARD_BASE_URL=url,
        TRACKBOARD_SILENT="true",
        TRACKBOARD_X_DISABLE_STATS="true",
        TRACKBOARD_CONSOLE="off",
    )
    return env


def stored(store: Store, project: str, keys: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """The stored steps of every key of every run of ``project``."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for row in store.projects():
        if row.name != project:
            continue
        for run in store.runs(row.entity, project):
            out[run.run_id] = {key: store.series(run.pk, key).steps for key in keys}
    return out


def count_points(store: Store, project: str, keys: list[str]) -> int:
    total = 0
    wanted = set(keys)
    for row in store.projects():
        if row.name == project:
            for run in store.runs(row.entity, project):
                total += sum(k.count for k in store.keys(run.pk) if k.name in wanted)
    return total


def lost_and_duplicated(
    steps_by_run: dict[str, dict[str, np.ndarray]], run_ids: list[str], keys: list[str], steps: int
) -> tuple[int, int]:
    expected = np.arange(steps, dtype=np.int64)
    lost = duplicated = 0
    for run_id in run_ids:
        for key in keys:
            got = steps_by_run.get(run_id, {}).get(key, np.empty(0, dtype=np.int64))
            unique = np.unique(got)
            duplicated += len(got) - len(unique)
            lost += len(np.setdiff1d(expected, unique))
    return lost, duplicated


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def baseline(root: Path, db: str, requests: int) -> dict[str, Any]:
    """The writers' run logs applied straight to a fresh store, in as many batches as the
    server took upload requests (each batch one session's records, as an upload is)."""
    segments = [
        (identity, segment)
        for path in sorted(root.glob("*/*/*/run.log"))
        for identity, segment in sessions(read_records(path).records)
    ]
    total = sum(len(segment) for _, segment in segments)
    batch_records = max(1, round(total / max(1, requests)))
    batches = [
        (identity, segment[start : start + batch_records])
        for identity, segment in segments
        for start in range(0, len(segment), batch_records)
    ]
    store = open_store(db)
    times = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        for identity, batch in batches:
            t0 = time.perf_counter()
            apply_records(store, batch, identity)
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        store.close()
    return {
        "calls": len(times),
        "records": total,
        "batch_records": batch_records,
        "ms": times,
        "cpu_s": cpu,
        "wall_s": wall,
    }


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1000.0, help="steps/s of each writer")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL URL (a schema is made)")
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    steps = round(args.rate * args.seconds)
    keys = [f"k{k}" for k in range(args.keys)]
    project = f"bench{secrets.token_hex(3)}"
    run_ids = [f"w{i:03d}" for i in range(args.writers)]
    sent = args.writers * args.keys * steps
    schemas = [f"tb_bench_{secrets.token_hex(4)}", f"tb_bench_{secrets.token_hex(4)}"]
    served_db, baseline_db = (f"{args.db}?schema={s}" for s in schemas)
    scratch = Path(tempfile.mkdtemp(prefix="bench-team-"))
    root = scratch / "root"
    server, url = start_server(served_db, scratch / "server.log")
    procs = []
    try:
        server_ps = psutil.Process(server.pid)
        cpu_before = sum(server_ps.cpu_times()[:2])
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        env = writer_env(root, url)
        for i, run_id in enumerate(run_ids):
            out = scratch / f"{run_id}.json"
            argv = [str(WORKER), str(i), run_id, project, str(args.keys), str(steps)]
            argv += [str(args.rate), str(out)]
            with (scratch / f"{run_id}.log").open("wb") as log:
                procs.append(
                    subprocess.Popen([sys.executable, *argv], env=env, stdout=log, stderr=log)
                )
        for proc in procs:
            proc.wait()
        writers_done = time.perf_counter() - t0
        store = open_store(served_db)
        count = count_points(store, project, keys)
        deadline = time.monotonic() + args.drain_timeout
        while count < sent and time.monotonic() < deadline:
            time.sleep(0.5)
            count = count_points(store, project, keys)
        all_stored = time.perf_counter() - t0
        cpu_server = sum(server_ps.cpu_times()[:2]) - cpu_before
        lost, duplicated = lost_and_duplicated(stored(store, project, keys), run_ids, keys, steps)
        store.close()
        results = []
        for run_id in run_ids:
            path = scratch / f"{run_id}.json"
            if path.exists():
                results.append(json.loads(path.read_text()))
            else:
                tail = (scratch / f"{run_id}.log").read_text(errors="replace")[-2000:]
                print(f"writer {run_id} wrote no result:\n{tail}", file=sys.stderr)
        upload_ms = [ms for r in results for ms in r["upload_ms"]]
        failures = Counter(kind for r in results for kind in r["upload_failures"])
        behind = sum(r["steps_behind_rate"] for r in results)
        base = baseline(root, baseline_db, len(upload_ms))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        for schema in schemas:
            drop_schema(args.db, schema)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    shape = (
        f"{args.writers} writers x {args.keys} keys x {args.rate:g} steps/s x {args.seconds:g} s"
    )
    print(f"{shape} = {sent:,} points ({sent / args.seconds:,.0f} points/s offered), ", end="")
    print(f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before.")
    print(
        f"Writers exited after {writers_done:.1f} s; every point stored after {all_stored:.1f} s."
    )
    failed = ", ".join(f"{n} x {kind}" for kind, n in failures.most_common()) or "none"
    print(f"Steps that fell behind the rate in the writers: {behind:,}; failed uploads: {failed}.")
    print()
    print("| measurement | through trackboard server | baseline: apply_records in process |")
    print("|---|---:|---:|")
    print(f"| points sent / stored | {sent:,} / {count:,} | {sent:,} / (same logs) |")
    print(f"| points lost / duplicated | {lost:,} / {duplicated:,} | |")
    print(f"| ingest calls | {len(upload_ms):,} requests | {base['calls']:,} apply_records |")
    per_call = base["records"] / max(1, len(upload_ms))
    print(f"| records per call (mean) | {per_call:,.0f} | {base['batch_records']:,} |")
    for label, q in (("p50", 50), ("p99", 99), ("max", 100)):
        print(
            f"| {label} ms per call | {percentile(upload_ms, q):.1f} | "
            f"{percentile(base['ms'], q):.1f} |"
        )
    print(f"| CPU s | {cpu_server:.2f} (server process) | {base['cpu_s']:.2f} (this process) |")
    print(
        f"| points/s | {count / all_stored:,.0f} (stored / time to all stored; the offered "
        f"rate at most) | {sent / base['wall_s']:,.0f} (as fast as it goes) |"
    )
    result = {
        "bench": "team_server",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "writers": args.writers,
        "keys": args.keys,
        "rate": args.rate,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "points_sent": sent,
        "points_stored": count,
        "lost": lost,
        "duplicated": duplicated,
        "writers_done_s": writers_done,
        "all_stored_s": all_stored,
        "steps_behind_rate": behind,
        "upload_failures": dict(failures),
        "upload_p50_ms": percentile(upload_ms, 50),
        "upload_p99_ms": percentile(upload_ms, 99),
        "upload_requests": len(upload_ms),
        "server_cpu_s": cpu_server,
        "baseline_p50_ms": percentile(base["ms"], 50),
        "baseline_p99_ms": percentile(base["ms"], 99),
        "baseline_calls": base["calls"],
        "baseline_cpu_s": base["cpu_s"],
        "baseline_wall_s": base["wall_s"],
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"team-server-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nWrote {out}")
    if lost or duplicated:
        sys.exit(1)


if __name__ == "__main__":
    main()
