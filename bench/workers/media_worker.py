"""Worker for bench_media.py: log 200 images of 28x28 with one tracker, in this process.

Usage: python bench/workers/media_worker.py --tracker NAME --layout L --run-dir DIR

Trackers: `trackboard`, `wandb` (offline). Layouts: `single` (200 calls of
`log({"img": Image(x)})`) and `list` (10 calls of `log({"imgs": [Image(x), ... 20]})`). The images
are random `uint8` arrays made before the timed region; making the `Image` objects is timed,
as users pay for it. Time = the loop plus `finish` (work deferred to `finish` counts). Prints
one line `BENCH_RESULT {json}` on stdout; whatever the tracker prints goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

RESULT_PREFIX = "BENCH_RESULT "
IMAGES = 200
PER_LIST = 20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracker", choices=("trackboard", "wandb"), required=True)
    parser.add_argument("--layout", choices=("single", "list"), required=True)
    parser.add_argument("--run-dir", type=Path, required=True)
    args = parser.parse_args()
    out = sys.stdout
    sys.stdout = sys.stderr

    rng = np.random.default_rng(0)
    pixels = [rng.integers(0, 256, (28, 28), dtype=np.uint8) for _ in range(IMAGES)]
    module = importlib.import_module(args.tracker)
    run = module.init(project="bench-media", dir=str(args.run_dir), mode="offline")
    image = module.Image
    started = time.perf_counter()
    if args.layout == "single":
        for step, x in enumerate(pixels):
            run.log({"img": image(x, caption=str(step))})
    else:
        for start in range(0, IMAGES, PER_LIST):
            batch = pixels[start : start + PER_LIST]
            run.log({"imgs": [image(x, caption=str(i)) for i, x in enumerate(batch)]})
    loop = time.perf_counter() - started
    run.finish()
    total = time.perf_counter() - started
    result = {
        "tracker": args.tracker,
        "layout": args.layout,
        "version": version(args.tracker),
        "loop_s": loop,
        "total_s": total,
    }
    out.write(RESULT_PREFIX + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
