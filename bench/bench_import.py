"""What `import trackboard` and the first steps of a run cost, each in a fresh interpreter.

Per fresh interpreter (run with the project venv's Python by default):

- import: wall time of `import trackboard`, the number of modules it added, and whether any of
  numpy, fastapi, starlette, flask or uvicorn is in sys.modules afterwards (they must not be);
- init to first log: `trackboard.init(project, dir, mode="offline")` then one
  `run.log({10 floats}, step=0)`, timed together (must be under 50 ms);
- child processes: psutil's recursive children after init, after the first log, after 100 more
  logs and after finish, plus, in one extra interpreter, a `sys.addaudithook` hook that counts
  every process-creation event (subprocess.Popen, os.fork, os.posix_spawn, os.exec, os.system,
  os.spawn), which also catches a short-lived helper that exited before psutil looked (must be 0).

Timings are medians over --repeat interpreters; the audit run is not timed (the hook slows
imports). `--importtime` prints the slowest modules of `import trackboard` from `-X importtime`.
`--peers trackio,wandb` adds the same import/init/first-log figures for peers (bench/.peers/venv).

Usage:
    python bench/bench_import.py [--repeat 7] [--importtime] [--peers trackio,wandb]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_log import worker_env

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
PEERS_PYTHON = BENCH / ".peers" / "venv" / "bin" / "python"
RESULTS = BENCH / "results"
RESULT_PREFIX = "BENCH_RESULT "
HEAVY_MODULES = ("numpy", "fastapi", "starlette", "flask", "uvicorn")

# The child: only the standard library before the measured import. psutil comes after the
# sys.modules check, so it cannot hide or add a heavy module there. `{audit}` turns the
# process-creation hook on; `{tracker}` selects the adapter in bench/workers/trackers.py.
CHILD = r"""
import sys, time
spawns = []
if {audit}:
    def _hook(event, args):
        if event in ("subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.exec",
                     "os.system", "os.spawn", "os.startfile", "pty.spawn"):
            spawns.append(event + " " + repr(args)[:200])
    sys.addaudithook(_hook)
sys.path.insert(0, {workers!r})
import trackers
adapter = trackers.ADAPTERS[{tracker!r}]()
before = set(sys.modules)
t0 = time.perf_counter()
adapter.load()
import_s = time.perf_counter() - t0
added = set(sys.modules) - before
heavy_after_import = [m for m in {heavy!r} if m in sys.modules]
import psutil
proc = psutil.Process()
def kids():
    return [p.name() for p in proc.children(recursive=True)]
metrics = {{f"m{{i}}": 0.5 + i for i in range(10)}}
t0 = time.perf_counter()
from pathlib import Path
log = adapter.init(Path({run_dir!r}))
t1 = time.perf_counter()
log(metrics, step=0)
t2 = time.perf_counter()
after_first = kids()
for step in range(1, 101):
    log(dict(metrics), step=step)
after_100 = kids()
t3 = time.perf_counter()
adapter.finish()
finish_s = time.perf_counter() - t3
after_finish = kids()
heavy_after_log = [m for m in {heavy!r} if m in sys.modules]
import json
print({prefix!r} + json.dumps(dict(
    import_s=import_s, modules_added=len(added), heavy_after_import=heavy_after_import,
    heavy_after_log=heavy_after_log, init_s=t1 - t0, first_log_s=t2 - t1,
    init_to_first_log_s=t2 - t0, finish_s=finish_s,
    children=dict(after_first_log=after_first, after_100_logs=after_100,
                  after_finish=after_finish),
    spawns=spawns,
)), flush=True)
"""


def run_child(python: Path, tracker: str, audit: bool, scratch: Path) -> dict[str, Any]:
    run_dir = scratch / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    code = CHILD.format(
        audit=audit,
        workers=str(BENCH / "workers"),
        tracker=tracker,
        heavy=HEAVY_MODULES,
        run_dir=str(run_dir),
        prefix=RESULT_PREFIX,
    )
    proc = subprocess.run(
        [str(python), "-c", code],
        cwd=run_dir,
        env=worker_env(scratch, run_dir),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
    raise RuntimeError(f"{tracker} child failed (exit {proc.returncode}):\n{tail}")


def importtime(python: Path, scratch: Path, top: int) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) of the slowest modules of `import trackboard`."""
    proc = subprocess.run(
        [str(python), "-X", "importtime", "-c", "import trackboard"],
        cwd=scratch,
        env=worker_env(scratch, scratch / "run"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows: list[tuple[int, int, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = line[len("import time:") :].split("|")
        rows.append((int(self_us), int(cumulative), name.rstrip()))
    # The output is a post-order tree: `import trackboard` is the block of nested lines that
    # ends with the top-level " trackboard" line (interpreter start-up modules come before it).
    end = next(i for i, row in enumerate(rows) if row[2] == " trackboard")
    start = end
    while start > 0 and rows[start - 1][2].startswith("  "):
        start -= 1
    block = sorted(rows[start : end + 1], reverse=True)
    return block[:top]


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    children = max(
        len(names) for r in runs for names in r["children"].values()
    )  # the most seen at any sample
    return {
        "n": len(runs),
        "import_s": med("import_s"),
        "modules_added": med("modules_added"),
        "init_s": med("init_s"),
        "first_log_s": med("first_log_s"),
        "init_to_first_log_s": med("init_to_first_log_s"),
        "init_to_first_log_max_s": max(r["init_to_first_log_s"] for r in runs),
        "finish_s": med("finish_s"),
        "children_max": children,
        "children_names": sorted(
            {n for r in runs for names in r["children"].values() for n in names}
        ),
        "heavy_after_import": sorted({m for r in runs for m in r["heavy_after_import"]}),
        "heavy_after_log": sorted({m for r in runs for m in r["heavy_after_log"]}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7, help="fresh interpreters per tracker")
    parser.add_argument(
        "--python",
        type=Path,
        default=PROJECT_PYTHON if PROJECT_PYTHON.exists() else Path(sys.executable),
        help="interpreter with trackboard installed",
    )
    parser.add_argument("--peers", default="", help="comma-separated peers for comparison")
    parser.add_argument("--importtime", action="store_true", help="slowest modules of the import")
    parser.add_argument("--out", type=Path, help="JSON results file (default bench/results/...)")
    args = parser.parse_args()

    args.python = args.python.absolute()  # not resolve(): a venv's python is a symlink
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    rows: dict[str, dict[str, Any]] = {}
    audit: dict[str, Any] = {}
    slowest: list[tuple[int, int, str]] = []
    with tempfile.TemporaryDirectory(prefix="trackboard-bench-import-") as tmp:
        scratch = Path(tmp)
        for tracker in ["trackboard", *peers]:
            python = args.python if tracker == "trackboard" else PEERS_PYTHON
            runs = [
                run_child(python, tracker, False, scratch / f"{tracker}-{i}")
                for i in range(args.repeat)
            ]
            rows[tracker] = summarize(runs)
            rows[tracker]["runs"] = runs
        audit = run_child(args.python, "trackboard", True, scratch / "audit")
        if args.importtime:
            slowest = importtime(args.python, scratch, 15)

    print(
        "| tracker | n | import ms | modules added | heavy modules after import | "
        "after log | init ms | first log ms | init→first log ms (median / max) | finish ms | "
        "children |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['n']} | {r['import_s'] * 1e3:.1f} | {r['modules_added']:.0f} | "
            f"{', '.join(r['heavy_after_import']) or 'none'} | "
            f"{', '.join(r['heavy_after_log']) or 'none'} | {r['init_s'] * 1e3:.1f} | "
            f"{r['first_log_s'] * 1e3:.2f} | {r['init_to_first_log_s'] * 1e3:.1f} / "
            f"{r['init_to_first_log_max_s'] * 1e3:.1f} | {r['finish_s'] * 1e3:.1f} | "
            f"{r['children_max']} {' '.join(r['children_names'])} |"
        )

    tb = rows["trackboard"]
    checks = [
        (
            "import trackboard loads none of " + ", ".join(HEAVY_MODULES),
            ", ".join(tb["heavy_after_import"]) or "none",
            "none",
            not tb["heavy_after_import"],
        ),
        (
            "init → first log (median)",
            f"{tb['init_to_first_log_s'] * 1e3:.1f} ms",
            "< 50 ms",
            tb["init_to_first_log_s"] < 0.050,
        ),
        (
            "child processes (psutil, all samples)",
            str(tb["children_max"]),
            "0",
            tb["children_max"] == 0,
        ),
        (
            "process-creation audit events (init, 101 logs, finish)",
            str(len(audit["spawns"])),
            "0",
            not audit["spawns"],
        ),
    ]
    print("\ntargets\n")
    print("| target | measured | required | result |")
    print("|---|---|---|---|")
    for label, measured, required, ok in checks:
        print(f"| {label} | {measured} | {required} | {'PASS' if ok else 'FAIL'} |")
    for spawn in audit["spawns"]:
        print(f"  spawn: {spawn}")
    if tb["heavy_after_log"]:
        print(f"  note: after init/log/finish these are loaded: {', '.join(tb['heavy_after_log'])}")

    if slowest:
        print("\nslowest modules of `import trackboard` (-X importtime)\n")
        print("| self ms | cumulative ms | module |")
        print("|---|---|---|")
        for self_us, cumulative, name in slowest:
            print(f"| {self_us / 1e3:.1f} | {cumulative / 1e3:.1f} | {name} |")

    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"import-{stamp}.json"
    report = {
        "benchmark": "import",
        "python": str(args.python),
        "cpu_count": os.cpu_count(),
        "rows": rows,
        "audit_run": audit,
        "importtime_slowest": slowest,
        "targets": [
            {"target": c[0], "measured": c[1], "required": c[2], "passed": c[3]} for c in checks
        ],
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
