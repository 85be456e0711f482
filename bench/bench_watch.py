"""`watch()` overhead benchmark: trackboard's against wandb's, on the same training loop.

Workload (bench/workers/watch_worker.py): an MLP 784-1024-256-10 (1.07M parameters) trained for N
steps (default 1,000) on one CPU thread, logging the loss every step. Five variants, each in a
fresh process: `bare` (no tracker), `trackboard`, `trackboard_watch`, `wandb` (offline) and
`wandb_watch`; the `_watch` variants call `watch(model, log="all", log_freq=10)`.

Overhead of a tracker's `watch` = time of its `_watch` variant minus time of the same tracker
without `watch`, in the same round. Each round runs the five variants in a new shuffled order;
the figure reported is the median over rounds of trackboard's overhead divided by wandb's
(target: at most 0.5). Time is the training loop plus `finish` (the work a tracker defers to
`finish` counts); the loop alone is shown beside it.

trackboard variants and `bare` use the project venv (.venv/bin/python); wandb variants use
bench/.peers/venv (bench/setup_peers installs wandb and torch there). Workers get the isolated
environment of bench_log.py: scratch HOME, dead proxies, wandb offline.

Usage:
    python bench/bench_watch.py                     # 1,000 steps, 5 rounds
    python bench/bench_watch.py --steps 300 --rounds 2
    python bench/bench_watch.py --device cuda --python python3 --peers-python python3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_log import PEERS_PYTHON, PROJECT_PYTHON, RESULT_PREFIX, worker_env

BENCH = Path(__file__).resolve().parent
WORKER = BENCH / "workers" / "watch_worker.py"
VARIANTS = ("bare", "trackboard", "trackboard_watch", "wandb", "wandb_watch")
TARGET = 0.5


def run_variant(
    args: argparse.Namespace, variant: str, scratch: Path, timeout: float
) -> dict[str, Any]:
    """One worker process; its result dict, or {"error": ...}."""
    python = args.peers_python if variant.startswith("wandb") else args.python
    run_dir = scratch / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    cmd = [str(python), str(WORKER), "--variant", variant, "--steps", str(args.steps)]
    cmd += ["--run-dir", str(run_dir), "--device", args.device]
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
        return {"variant": variant, "error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
    return {"variant": variant, "error": f"exit {proc.returncode}, no result:\n{tail}"}


def overheads(results: list[dict[str, Any]], key: str) -> list[dict[str, float]]:
    """Per round: each tracker's watch overhead (seconds of `key`) and their ratio."""
    rounds: dict[int, dict[str, float]] = {}
    for r in results:
        if "error" not in r:
            rounds.setdefault(r["round"], {})[r["variant"]] = r[key]
    out = []
    for times in rounds.values():
        if all(v in times for v in VARIANTS[1:]):
            ours = times["trackboard_watch"] - times["trackboard"]
            theirs = times["wandb_watch"] - times["wandb"]
            out.append({"trackboard": ours, "wandb": theirs, "ratio": ours / theirs})
    return out


def median_of(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows]
    return statistics.median(values) if values else None


def render(results: list[dict[str, Any]], steps: int) -> str:
    lines = [
        "| variant | version | rounds | loop s (median) | finish s | loop + finish s | ms/step "
        "| loop CPU s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for variant in VARIANTS:
        rows = [r for r in results if r["variant"] == variant and "error" not in r]
        if not rows:
            lines.append(f"| {variant} | — | 0 | — | — | — | — | — |")
            continue
        loop, finish, total, cpu = (
            median_of(rows, k) or 0.0 for k in ("loop_s", "finish_s", "total_s", "loop_cpu_s")
        )
        lines.append(
            f"| {variant} | {rows[0]['version'] or '—'} | {len(rows)} | {loop:.3f} | "
            f"{finish:.3f} | {total:.3f} | {1000 * total / steps:.2f} | {cpu:.3f} |"
        )
    lines.append("")
    lines.append(
        "| watch overhead (median over rounds) | trackboard s | wandb s | trackboard / wandb "
        f"| target <= {TARGET:g} |"
    )
    lines.append("|---|---|---|---|---|")
    for key, label in (
        ("total_s", "wall: loop + finish"),
        ("loop_s", "wall: loop only"),
        ("loop_cpu_s", "CPU of the training thread: loop"),
    ):
        per_round = overheads(results, key)
        if not per_round:
            lines.append(f"| {label} | — | — | — | — |")
            continue
        ratio = statistics.median(r["ratio"] for r in per_round)
        ours = statistics.median(r["trackboard"] for r in per_round)
        theirs = statistics.median(r["wandb"] for r in per_round)
        verdict = "pass" if ratio <= TARGET else "FAIL"
        rounds = ", ".join(f"{r['ratio']:.2f}" for r in per_round)
        lines.append(
            f"| {label} | {ours:.3f} | {theirs:.3f} | {ratio:.2f} (rounds: {rounds}) | {verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--steps", type=int, default=1000, help="training steps per run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shuffled orders")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per worker")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument("--device", default="cpu", help="torch device of the model (cpu, cuda)")
    parser.add_argument(
        "--python", type=Path, default=PROJECT_PYTHON, help="interpreter with trackboard"
    )
    parser.add_argument(
        "--peers-python", type=Path, default=PEERS_PYTHON, help="interpreter with wandb"
    )
    args = parser.parse_args()
    if not args.peers_python.exists() and not shutil.which(str(args.peers_python)):
        parser.error(f"{args.peers_python} is missing: run bench/setup_peers first")
    print(
        f"watch benchmark: {args.steps:,} steps x {args.rounds} rounds on {args.device}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    )
    rng = random.Random(args.seed)
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    for round_no in range(1, args.rounds + 1):
        order = list(VARIANTS)
        rng.shuffle(order)
        for variant in order:
            with tempfile.TemporaryDirectory(prefix="bench-watch-") as scratch:
                result = run_variant(args, variant, Path(scratch), args.timeout)
            result["round"] = round_no
            results.append(result)
            shown = result.get("error") or f"{result['total_s']:.3f} s"
            print(f"  round {round_no}: {variant:<17} {shown}", flush=True)
            if args.json:  # after every worker, so a run cut short keeps what it measured
                args.json.write_text(json.dumps(results, indent=2))
    print(f"\n{time.perf_counter() - started:.0f} s in all\n")
    print(render(results, args.steps))
    errors = [r for r in results if "error" in r]
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
