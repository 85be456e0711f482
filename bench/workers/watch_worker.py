"""Worker for bench_watch.py: one variant of a PyTorch training loop, in this process.

Usage: python bench/workers/watch_worker.py --variant NAME --steps N --run-dir DIR [--device D]

The model is an MLP 784-1024-256-10 (1,068,810 parameters) trained with SGD on a fixed pool of
random batches (64 x 784), on one CPU thread (or on `--device cuda`). Every step runs forward,
cross-entropy, backward, an optimizer step and `log({"loss": loss.item()})` (the `bare` variant
skips only the `log`).
Variants: `bare` (no tracker), `trackboard`, `trackboard_watch`, `wandb`, `wandb_watch`; the
`_watch` ones call `run.watch(model, log="all", log_freq=10)` right after `init`.

A few untimed warm-up steps run before `init`. Then the loop is timed (wall time, and the CPU
time of this thread, which other load on the machine disturbs less), then `finish`. Prints one
line `BENCH_RESULT {json}` on stdout; whatever the tracker prints goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import itertools
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import torch

RESULT_PREFIX = "BENCH_RESULT "
VARIANTS = ("bare", "trackboard", "trackboard_watch", "wandb", "wandb_watch")
LAYERS = (784, 1024, 256, 10)
BATCH = 64
POOL = 16
WARMUP = 20
LOG_FREQ = 10


def make_model() -> torch.nn.Module:
    torch.manual_seed(0)
    layers: list[torch.nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(LAYERS)):
        if i:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(n_in, n_out))
    return torch.nn.Sequential(*layers)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    out = sys.stdout
    sys.stdout = sys.stderr  # a tracker's own prints must not mix with the result line

    torch.set_num_threads(1)
    device = torch.device(args.device)
    model = make_model().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    generator = torch.Generator().manual_seed(1)
    inputs = [torch.randn(BATCH, LAYERS[0], generator=generator).to(device) for _ in range(POOL)]
    targets = [
        torch.randint(0, LAYERS[-1], (BATCH,), generator=generator).to(device) for _ in range(POOL)
    ]
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(i: int) -> float:
        loss = loss_fn(model(inputs[i % POOL]), targets[i % POOL])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return float(loss.item())

    for i in range(WARMUP):
        step(i)

    tracker = args.variant.removesuffix("_watch")
    run: Any = None
    tracker_version = ""
    t0 = time.perf_counter()
    if tracker == "trackboard":
        trackboard = importlib.import_module("trackboard")
        run = trackboard.init(project="bench-watch", dir=str(args.run_dir))
        tracker_version = trackboard.__version__
    elif tracker == "wandb":
        wandb = importlib.import_module("wandb")
        run = wandb.init(project="bench-watch", dir=str(args.run_dir), mode="offline")
        tracker_version = version("wandb")
    if args.variant.endswith("_watch"):
        run.watch(model, log="all", log_freq=LOG_FREQ)
    init_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    c0 = time.thread_time()
    if run is None:
        for i in range(args.steps):
            step(i)
    else:
        log = run.log
        for i in range(args.steps):
            log({"loss": step(i)})
    loop_s = time.perf_counter() - t0
    loop_cpu_s = time.thread_time() - c0
    t0 = time.perf_counter()
    if run is not None:
        with contextlib.redirect_stdout(sys.stderr):
            run.finish()
    finish_s = time.perf_counter() - t0

    result = {
        "variant": args.variant,
        "version": tracker_version,
        "torch": torch.__version__,
        "device": args.device,
        "parameters": sum(p.numel() for p in model.parameters()),
        "steps": args.steps,
        "init_s": init_s,
        "loop_s": loop_s,
        "finish_s": finish_s,
        "loop_cpu_s": loop_cpu_s,
        "total_s": loop_s + finish_s,
    }
    print(RESULT_PREFIX + json.dumps(result), file=out, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
