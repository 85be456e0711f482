"""Worker for bench_log.py: one tracker, one run, N x log(dict of 10 floats, step), in this process.

Usage: python bench/workers/log_worker.py --tracker NAME --steps N --run-dir DIR

Prints one line `BENCH_RESULT {json}` on the stdout it was started with; anything the tracker
prints goes to stderr. Only the standard library, psutil (for child processes and threads; every
worker imports it, so it cancels out of every RSS difference) and the measured tracker are loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import threading
import time
from array import array
from pathlib import Path
from typing import Any

import psutil
from trackers import ADAPTERS

RESULT_PREFIX = "BENCH_RESULT "
KEYS = tuple(f"m{i}" for i in range(10))
# Modules that `import trackboard` must not load (checked right after the tracker's import).
HEAVY_MODULES = ("numpy", "fastapi", "starlette", "flask", "uvicorn")


def children_sample(proc: psutil.Process) -> dict[str, Any]:
    """Live child processes (recursive), their names and their summed RSS."""
    kids = proc.children(recursive=True)
    rss = 0
    names = []
    for kid in kids:
        try:
            rss += kid.memory_info().rss
            names.append(kid.name())
        except psutil.Error:
            continue
    return {"count": len(kids), "rss_mb": rss / 2**20, "names": sorted(names)}


def percentile(sorted_ns: list[int], q: float) -> float:
    """Nearest-rank percentile of an ascending list, in microseconds."""
    index = min(len(sorted_ns) - 1, max(0, round(q / 100 * len(sorted_ns)) - 1))
    return sorted_ns[index] / 1000


def disk_usage(root: Path) -> tuple[int, int]:
    total = files = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            files += 1
    return total, files


def run(tracker: str, steps: int, run_dir: Path) -> dict[str, Any]:
    adapter = ADAPTERS[tracker]()
    proc = psutil.Process()
    perf = time.perf_counter

    t0 = perf()
    adapter.load()
    import_s = perf() - t0
    heavy_after_import = [m for m in HEAVY_MODULES if m in sys.modules]

    t0 = perf()
    log = adapter.init(run_dir)
    init_s = perf() - t0
    after_init = children_sample(proc)
    py_threads_after_init = threading.active_count()
    os_threads_after_init = proc.num_threads()

    times = array("q", bytes(8 * steps))
    rnd = random.random
    pc = time.perf_counter_ns
    mid = steps // 2
    mid_sample: dict[str, Any] = {}
    sample_s = 0.0
    loop_t0 = perf()
    for step in range(steps):
        metrics = {key: rnd() for key in KEYS}
        t = pc()
        log(metrics, step=step)
        times[step] = pc() - t
        if step == mid:
            s0 = perf()
            mid_sample = children_sample(proc)
            mid_sample["os_threads"] = proc.num_threads()
            sample_s += perf() - s0
    loop_s = perf() - loop_t0 - sample_s

    before_finish = children_sample(proc)
    t0 = perf()
    adapter.finish()
    finish_s = perf() - t0
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    after_finish = children_sample(proc)
    heavy_after_log = [m for m in HEAVY_MODULES if m in sys.modules]

    ordered = sorted(times)
    disk_bytes, disk_files = disk_usage(run_dir)
    samples = [after_init, mid_sample, before_finish, after_finish]
    version = ""
    if adapter.dist:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        try:
            version = dist_version(adapter.dist)
        except PackageNotFoundError:
            version = "?"
    return {
        "tracker": tracker,
        "version": version,
        "python": sys.version.split()[0],
        "steps": steps,
        "import_s": import_s,
        "init_s": init_s,
        "first_log_s": times[0] / 1e9,
        "init_to_first_log_s": init_s + times[0] / 1e9,
        "p50_us": percentile(ordered, 50),
        "p90_us": percentile(ordered, 90),
        "p99_us": percentile(ordered, 99),
        "max_ms": ordered[-1] / 1e6,
        "mean_us": sum(ordered) / len(ordered) / 1000,
        "log_calls_s": sum(ordered) / 1e9,
        "log_loop_s": loop_s,
        "finish_s": finish_s,
        "log_finish_s": loop_s + finish_s,
        "peak_rss_mb": peak_rss_mb,
        "children_max": max(s.get("count", 0) for s in samples),
        "children_rss_mb_max": max(s.get("rss_mb", 0.0) for s in samples),
        "children_names": sorted({n for s in samples for n in s.get("names", [])}),
        "py_threads_after_init": py_threads_after_init,
        "os_threads_after_init": os_threads_after_init,
        "os_threads_mid": mid_sample.get("os_threads", 0),
        "heavy_modules_after_import": heavy_after_import,
        "heavy_modules_after_log": heavy_after_log,
        "disk_mb": disk_bytes / 1e6,
        "disk_files": disk_files,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracker", required=True, choices=sorted(ADAPTERS))
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--run-dir", type=Path, required=True)
    args = parser.parse_args()

    # Keep the real stdout for the result line; whatever the tracker prints goes to stderr.
    result_fd = os.dup(1)
    os.dup2(2, 1)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    result = run(args.tracker, args.steps, args.run_dir)
    sys.stdout.flush()
    with os.fdopen(result_fd, "w") as out:
        out.write(RESULT_PREFIX + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
