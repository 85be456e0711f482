"""Scalar logging benchmark: trackboard beside its peers, in the same run on the same machine.

Workload: N calls (default 20,000) of `log({m0..m9: float}, step=s)`. A new dict is built each step
outside the timed region; each call is timed with perf_counter_ns. Every tracker runs in a fresh
worker process (bench/workers/log_worker.py); each round runs all trackers in a new shuffled
order, and the tables show the median over rounds of each figure.

trackboard workers use the project venv (.venv/bin/python, else this interpreter); peer workers use
bench/.peers/venv (made by bench/setup_peers). Every worker gets a scratch HOME, proxies pointing at
a dead local port and each tracker's offline switches, so nothing reaches a network service.

Usage:
    python bench/bench_log.py                  # 20,000 steps, 3 rounds, all default peers
    python bench/bench_log.py --quick          # 2,000 steps, 1 round, peers trackio and wandb
    python bench/bench_log.py --peers trackio,wandb --steps 5000 --rounds 5
    python bench/bench_log.py --tracker-rounds mlflow=1   # mlflow (~110 s per run) in round 1 only
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORKER = BENCH / "workers" / "log_worker.py"
PEERS_PYTHON = BENCH / ".peers" / "venv" / "bin" / "python"
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
RESULTS = BENCH / "results"
RESULT_PREFIX = "BENCH_RESULT "
DEAD_PROXY = "http://127.0.0.1:9"

# Trackers that always run (when trackboard is importable): the subject, its disabled-mode
# baseline for memory, and a process with no tracker (Python + numpy + the harness loop).
OWN = ("trackboard", "trackboard_disabled", "bare")
DEFAULT_PEERS = (
    "wandb",
    "trackio",
    "mlflow",
    "aim",
    "tensorboardX",
    "floor_msgpack",
    "floor_jsonl",
)
EXTRA_PEERS = ("mlflow_async",)
QUICK_PEERS = ("trackio", "wandb")
# Run on the project interpreter; everything else on the peers' venv.
PROJECT_SIDE = {"trackboard", "trackboard_disabled", "bare", "floor_msgpack", "floor_jsonl"}
# Prefixes of inherited variables that could change what a tracker does; dropped for workers.
STRIPPED_ENV = ("WANDB_", "TRACKBOARD_", "TRACKIO_", "MLFLOW_", "AIM_", "HF_", "GRADIO_")


@dataclass(frozen=True)
class Target:
    label: str
    required: str
    measured: float | None
    passed: bool | None
    unit: str
    # For ratios: the same ratio within each round (both trackers ran in that round).
    per_round: tuple[float, ...] = ()


def isolated_env(scratch: Path) -> dict[str, str]:
    """Local only: scratch HOME, proxies at a dead port, each tracker's telemetry off, and no
    inherited tracker settings. Every benchmark process starts from this."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(STRIPPED_ENV) and k not in {"PYTHONPATH", "PYTHONSTARTUP"}
    }
    home = scratch / "home"
    for sub in ("", ".cache", ".config", ".local/share"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
            "http_proxy": DEAD_PROXY,
            "https_proxy": DEAD_PROXY,
            "HTTP_PROXY": DEAD_PROXY,
            "HTTPS_PROXY": DEAD_PROXY,
            "all_proxy": DEAD_PROXY,
            "ALL_PROXY": DEAD_PROXY,
            "no_proxy": "",
            "NO_PROXY": "",
            "DO_NOT_TRACK": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HF_HUB_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "GRADIO_ANALYTICS_ENABLED": "False",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "AIM_UI_TELEMETRY_ENABLED": "0",
        }
    )
    return env


def worker_env(scratch: Path, run_dir: Path) -> dict[str, str]:
    """Environment of one logging worker: :func:`isolated_env`, runs written under run_dir."""
    env = isolated_env(scratch)
    home = Path(env["HOME"])
    env.update(
        {
            "TRACKIO_DIR": str(run_dir),
            "WANDB_MODE": "offline",
            "WANDB_SILENT": "true",
            "WANDB_DISABLE_CODE": "true",
            "WANDB_DISABLE_GIT": "true",
            "WANDB_CONSOLE": "off",
            "WANDB_DIR": str(run_dir),
            "WANDB_CACHE_DIR": str(home / ".cache" / "wandb"),
            "WANDB_CONFIG_DIR": str(home / ".config" / "wandb"),
            "WANDB_DATA_DIR": str(home / ".local" / "share" / "wandb"),
            "MLFLOW_TRACKING_URI": f"sqlite:///{run_dir / 'mlflow.db'}",
        }
    )
    return env


def trackboard_usable(python: Path) -> tuple[bool, str]:
    """Whether `import trackboard; trackboard.init` works with this interpreter."""
    check = "import trackboard; trackboard.init"
    proc = subprocess.run(
        [str(python), "-c", check], capture_output=True, text=True, timeout=120, check=False
    )
    lines = proc.stderr.strip().splitlines()
    return proc.returncode == 0, lines[-1] if lines else ""


def run_worker(
    python: Path, tracker: str, steps: int, scratch: Path, timeout: float
) -> dict[str, Any]:
    run_dir = scratch / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    cmd = [str(python), str(WORKER), "--tracker", tracker, "--steps", str(steps)]
    cmd += ["--run-dir", str(run_dir)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=run_dir,
            env=worker_env(scratch, run_dir),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"tracker": tracker, "error": f"timed out after {timeout:.0f} s"}
    wall_s = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            result["process_wall_s"] = wall_s
            result["returncode"] = proc.returncode
            return result
    tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
    return {"tracker": tracker, "error": f"exit {proc.returncode}, no result:\n{tail}"}


def median(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if isinstance(r.get(key), int | float)]
    return statistics.median(values) if values else None


def summarize(results: list[dict[str, Any]], trackers: list[str]) -> dict[str, dict[str, Any]]:
    """Median over rounds of every numeric figure, per tracker."""
    summary: dict[str, dict[str, Any]] = {}
    for name in trackers:
        rows = [r for r in results if r["tracker"] == name and "error" not in r]
        errors = [r["error"] for r in results if r["tracker"] == name and "error" in r]
        entry: dict[str, Any] = {"rounds": len(rows), "errors": errors}
        if rows:
            numeric = [k for k, v in rows[0].items() if isinstance(v, int | float)]
            for key in numeric:
                entry[key] = median(rows, key)
            entry["version"] = rows[0].get("version", "")
            entry["children_names"] = sorted({n for r in rows for n in r["children_names"]})
            entry["heavy_modules_after_import"] = sorted(
                {m for r in rows for m in r["heavy_modules_after_import"]}
            )
            entry["heavy_modules_after_log"] = sorted(
                {m for r in rows for m in r["heavy_modules_after_log"]}
            )
        summary[name] = entry
    bare = summary.get("bare", {}).get("peak_rss_mb")
    disabled = summary.get("trackboard_disabled", {}).get("peak_rss_mb")
    for entry in summary.values():
        rss = entry.get("peak_rss_mb")
        if rss is not None and bare is not None:
            entry["rss_over_bare_mb"] = rss - bare
    if disabled is not None and "peak_rss_mb" in summary.get("trackboard", {}):
        summary["trackboard"]["rss_over_disabled_mb"] = (
            summary["trackboard"]["peak_rss_mb"] - disabled
        )
    return summary


def ratio_target(
    results: list[dict[str, Any]],
    summary: dict[str, dict[str, Any]],
    peer: str,
    key: str,
    required: float,
    label: str,
) -> Target:
    """peer's median divided by trackboard's median; passes at `required` or more."""
    ours = summary.get("trackboard", {}).get(key)
    theirs = summary.get(peer, {}).get(key)
    if not ours or theirs is None:
        return Target(label, f">= {required:g}x", None, None, "x")
    by_round: dict[int, dict[str, float]] = {}
    for r in results:
        if "error" not in r and r["tracker"] in ("trackboard", peer) and r.get(key):
            by_round.setdefault(r["round"], {})[r["tracker"]] = r[key]
    per_round = tuple(
        pair[peer] / pair["trackboard"] for pair in by_round.values() if len(pair) == 2
    )
    value = theirs / ours
    return Target(label, f">= {required:g}x", value, value >= required, "x", per_round)


def targets(
    results: list[dict[str, Any]], summary: dict[str, dict[str, Any]], steps: int
) -> list[Target]:
    tb = summary.get("trackboard", {})
    out = [
        ratio_target(results, summary, "trackio", "p50_us", 4, "log p50: trackio / trackboard"),
        ratio_target(results, summary, "wandb", "p50_us", 20, "log p50: wandb / trackboard"),
        ratio_target(results, summary, "trackio", "p99_us", 2, "log p99: trackio / trackboard"),
        ratio_target(
            results,
            summary,
            "trackio",
            "log_finish_s",
            3,
            f"{steps:,} logs + finish: trackio / trackboard",
        ),
    ]
    first = tb.get("init_to_first_log_s")
    ms = None if first is None else first * 1000
    out.append(
        Target("init to first log (ms)", "< 50 ms", ms, None if ms is None else ms < 50, "ms")
    )
    kids = tb.get("children_max")
    out.append(
        Target("child processes during the run", "0", kids, None if kids is None else kids == 0, "")
    )
    if tb.get("rounds"):
        heavy = tb["heavy_modules_after_import"]
        out.append(
            Target(
                "import trackboard loads numpy/fastapi/starlette/flask/uvicorn"
                + (f" ({', '.join(heavy)})" if heavy else ""),
                "none",
                float(len(heavy)),
                not heavy,
                "modules",
            )
        )
    extra = tb.get("rss_over_disabled_mb")
    out.append(
        Target(
            "SDK RSS over mode=disabled (MB)",
            "< 15 MB",
            extra,
            None if extra is None else extra < 15,
            "MB",
        )
    )
    return out


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def render_tables(summary: dict[str, dict[str, Any]], target_rows: list[Target]) -> str:
    header = [
        "tracker",
        "version",
        "rounds",
        "import s",
        "init s",
        "p50 µs",
        "p99 µs",
        "max ms",
        "log loop s",
        "finish s",
        "log+finish s",
        "process wall s",
        "peak RSS MB",
        "RSS over bare (py+numpy) MB",
        "RSS over disabled MB",
        "children",
        "child RSS MB",
        "disk MB",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, e in summary.items():
        if not e["rounds"]:
            first_error = e["errors"][0].splitlines()[0] if e["errors"] else "no result"
            lines.append(f"| {name} | FAILED: {first_error} |")
            continue
        cells = [
            name,
            e["version"],
            str(e["rounds"]),
            fmt(e.get("import_s")),
            fmt(e.get("init_s"), 3),
            fmt(e.get("p50_us")),
            fmt(e.get("p99_us")),
            fmt(e.get("max_ms")),
            fmt(e.get("log_loop_s")),
            fmt(e.get("finish_s"), 3),
            fmt(e.get("log_finish_s")),
            fmt(e.get("process_wall_s")),
            fmt(e.get("peak_rss_mb")),
            fmt(e.get("rss_over_bare_mb")),
            fmt(e.get("rss_over_disabled_mb")),
            fmt(e.get("children_max"), 0),
            fmt(e.get("children_rss_mb_max"), 1),
            fmt(e.get("disk_mb")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "targets", ""]
    lines += [
        "| target | measured | required | result | per round |",
        "|---|---|---|---|---|",
    ]
    for t in target_rows:
        if t.measured is None:
            measured = "—"
        elif t.unit == "x":
            measured = f"{t.measured:.2f}x"
        elif t.unit == "modules":
            measured = "none" if t.measured == 0 else f"{t.measured:.0f}"
        elif t.unit == "":
            measured = f"{t.measured:.0f}"
        else:
            measured = f"{t.measured:.2f} {t.unit}"
        result = "n/a" if t.passed is None else ("PASS" if t.passed else "FAIL")
        rounds = ", ".join(f"{v:.2f}x" for v in t.per_round)
        lines.append(f"| {t.label} | {measured} | {t.required} | {result} | {rounds} |")
    return "\n".join(lines)


def parse_tracker_rounds(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        name, _, count = value.partition("=")
        if not count.isdigit():
            raise SystemExit(f"--tracker-rounds expects NAME=N, got {value!r}")
        out[name] = int(count)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, help="log calls per run (default 20000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--peers",
        help="comma-separated peers, 'all' (adds mlflow_async) or 'none'; default: "
        + ",".join(DEFAULT_PEERS),
    )
    parser.add_argument(
        "--quick", action="store_true", help="2000 steps, 1 round, peers trackio and wandb"
    )
    parser.add_argument(
        "--tracker-rounds",
        action="append",
        default=[],
        metavar="NAME=N",
        help="run NAME only in the first N rounds (e.g. mlflow=1)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for the round orders")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per worker")
    parser.add_argument(
        "--trackboard-python",
        type=Path,
        default=PROJECT_PYTHON if PROJECT_PYTHON.exists() else Path(sys.executable),
    )
    parser.add_argument("--peers-python", type=Path, default=PEERS_PYTHON)
    parser.add_argument("--no-trackboard", action="store_true", help="peers and baselines only")
    parser.add_argument("--keep", action="store_true", help="keep the scratch run folders")
    parser.add_argument("--out", type=Path, help="JSON results file (default bench/results/...)")
    args = parser.parse_args()

    # absolute(), not resolve(): a venv's python is a symlink and must stay one.
    args.trackboard_python = args.trackboard_python.absolute()
    args.peers_python = args.peers_python.absolute()
    steps = args.steps or (2000 if args.quick else 20_000)
    rounds = args.rounds or (1 if args.quick else 3)
    if args.peers is None:
        peers = list(QUICK_PEERS if args.quick else DEFAULT_PEERS)
    elif args.peers == "all":
        peers = list(DEFAULT_PEERS + EXTRA_PEERS)
    elif args.peers == "none":
        peers = []
    else:
        peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    known = set(OWN + DEFAULT_PEERS + EXTRA_PEERS)
    unknown = [p for p in peers if p not in known]
    if unknown:
        raise SystemExit(f"unknown peers: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    per_tracker_rounds = parse_tracker_rounds(args.tracker_rounds)

    own = list(OWN)
    if args.no_trackboard:
        own = ["bare"]
    else:
        ok, why = trackboard_usable(args.trackboard_python)
        if not ok:
            print(f"trackboard is not usable with {args.trackboard_python} ({why}); skipping it")
            own = ["bare"]
    needs_peers_venv = [p for p in peers if p not in PROJECT_SIDE]
    if needs_peers_venv and not args.peers_python.exists():
        raise SystemExit(f"{args.peers_python} is missing: run bench/setup_peers first")
    trackers = own + [p for p in peers if p not in own]

    seed = args.seed if args.seed is not None else random.randrange(2**31)
    rng = random.Random(seed)
    scratch_root = Path(tempfile.mkdtemp(prefix="trackboard-bench-log-"))
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    print(
        f"{steps} steps x {rounds} rounds, trackers: {', '.join(trackers)} "
        f"(seed {seed}, scratch {scratch_root})",
        flush=True,
    )

    results: list[dict[str, Any]] = []
    orders: list[list[str]] = []
    for round_no in range(rounds):
        order = [t for t in trackers if per_tracker_rounds.get(t, rounds) > round_no]
        rng.shuffle(order)
        orders.append(order)
        for tracker in order:
            python = args.trackboard_python if tracker in PROJECT_SIDE else args.peers_python
            scratch = scratch_root / f"r{round_no}-{tracker}"
            result = run_worker(python, tracker, steps, scratch, args.timeout)
            result["round"] = round_no
            results.append(result)
            if "error" in result:
                print(f"  round {round_no + 1} {tracker}: ERROR {result['error']}", flush=True)
            else:
                print(
                    f"  round {round_no + 1} {tracker}: p50 {result['p50_us']:.1f} µs, "
                    f"log+finish {result['log_finish_s']:.2f} s, "
                    f"wall {result['process_wall_s']:.1f} s",
                    flush=True,
                )
            if not args.keep:
                shutil.rmtree(scratch, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(scratch_root, ignore_errors=True)

    summary = summarize(results, trackers)
    target_rows = targets(results, summary, steps)
    print()
    print(render_tables(summary, target_rows))

    RESULTS.mkdir(exist_ok=True)
    out = args.out or RESULTS / f"log-{started:%Y%m%d-%H%M%S}.json"
    report = {
        "benchmark": "log",
        "started_utc": started.isoformat(),
        "steps": steps,
        "rounds": rounds,
        "tracker_rounds": per_tracker_rounds,
        "seed": seed,
        "orders": orders,
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "interpreters": {
            "trackboard": str(args.trackboard_python),
            "peers": str(args.peers_python),
        },
        "results": results,
        "summary": summary,
        "targets": [asdict(t) for t in target_rows],
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
