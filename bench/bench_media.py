"""Media logging benchmark: 200 images of 28x28 with trackboard and with wandb.

Workload (bench/workers/media_worker.py): 200 random 28x28 `uint8` images logged as `Image`s,
either one per `log` call (`single`) or as lists of 20 under one key (`list`), as training
scripts do. Each (tracker, layout) runs in a fresh process; each round runs them all in a new
shuffled order. Time is the logging loop plus `finish`; the figure reported per layout is the
median over rounds of trackboard's time divided by wandb's (target: at most 1/3).

trackboard runs on the project venv (.venv/bin/python); wandb on bench/.peers/venv, which
`bench/setup_peers` creates. Workers get the isolated environment of bench_log.py: scratch
HOME, dead proxies, wandb offline.

Usage:
    python bench/bench_media.py                 # 5 rounds
    python bench/bench_media.py --rounds 2
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
from pathlib import Path
from typing import Any

from bench_log import PEERS_PYTHON, PROJECT_PYTHON, RESULT_PREFIX, worker_env

BENCH = Path(__file__).resolve().parent
WORKER = BENCH / "workers" / "media_worker.py"
TRACKERS = ("trackboard", "wandb")
LAYOUTS = ("single", "list")
TARGET = 1 / 3


def run_worker(
    args: argparse.Namespace, tracker: str, layout: str, scratch: Path
) -> dict[str, Any]:
    """One worker process; its result dict, or {"error": ...}."""
    python = args.peers_python if tracker == "wandb" else args.python
    run_dir = scratch / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    cmd = [str(python), str(WORKER), "--tracker", tracker, "--layout", layout]
    cmd += ["--run-dir", str(run_dir)]
    try:
        proc = subprocess.run(
            cmd,
            cwd=run_dir,
            env=worker_env(scratch, run_dir),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=args.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"tracker": tracker, "layout": layout, "error": f"timed out after {args.timeout} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
    return {"tracker": tracker, "layout": layout, "error": f"exit {proc.returncode}:\n{tail}"}


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| layout | trackboard s (median) | wandb s (median) | trackboard / wandb "
        f"(median of rounds) | target <= {TARGET:.2f} |",
        "|---|---|---|---|---|",
    ]
    for layout in LAYOUTS:
        rounds: dict[int, dict[str, float]] = {}
        for r in results:
            if r["layout"] == layout and "error" not in r:
                rounds.setdefault(r["round"], {})[r["tracker"]] = r["total_s"]
        both = [t for t in rounds.values() if len(t) == len(TRACKERS)]
        if not both:
            lines.append(f"| {layout} | — | — | — | — |")
            continue
        ours = statistics.median(t["trackboard"] for t in both)
        theirs = statistics.median(t["wandb"] for t in both)
        ratios = [t["trackboard"] / t["wandb"] for t in both]
        ratio = statistics.median(ratios)
        verdict = "pass" if ratio <= TARGET else "FAIL"
        shown = ", ".join(f"{x:.2f}" for x in ratios)
        lines.append(
            f"| {layout} | {ours:.3f} | {theirs:.3f} | {ratio:.2f} (rounds: {shown}) | {verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shuffled orders")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per worker")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument(
        "--python", type=Path, default=PROJECT_PYTHON, help="interpreter with trackboard"
    )
    parser.add_argument(
        "--peers-python", type=Path, default=PEERS_PYTHON, help="interpreter with wandb"
    )
    args = parser.parse_args()
    if not args.peers_python.exists() and not shutil.which(str(args.peers_python)):
        parser.error(f"{args.peers_python} is missing: run bench/setup_peers to create it")
    print(
        f"media benchmark: 200 images of 28x28 x {args.rounds} rounds, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    )
    rng = random.Random(args.seed)
    results: list[dict[str, Any]] = []
    for round_no in range(1, args.rounds + 1):
        order = [(t, layout) for t in TRACKERS for layout in LAYOUTS]
        rng.shuffle(order)
        for tracker, layout in order:
            with tempfile.TemporaryDirectory(prefix="bench-media-") as scratch:
                result = run_worker(args, tracker, layout, Path(scratch))
            result["round"] = round_no
            results.append(result)
            shown = result.get("error") or f"{result['total_s']:.3f} s"
            print(f"  round {round_no}: {tracker:<10} {layout:<6} {shown}", flush=True)
    print()
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
