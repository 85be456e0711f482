"""Worker for bench_team_server.py: one online run logging KEYS floats per step at RATE steps/s
for STEPS steps, uploaded by the SDK's own uploader to TRACKBOARD_BASE_URL.

Usage: python bench/workers/team_writer.py INDEX RUN_ID PROJECT KEYS STEPS RATE OUT_JSON

Each records upload is timed at the client, around ``ServerClient.request`` (the whole
request: connect, send, the server's work, the answer); the times, the steps that fell behind
the rate and the time ``finish`` took go to OUT_JSON. Values follow ``step * 0.25 + key * 1000
+ index``, exact in floating point, so the driver can compare every stored point.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def time_uploads(times: list[float], failures: list[str]) -> None:
    """Wrap the client's request method: every ``POST .../records`` is timed (failed ones are
    counted, not timed)."""
    from trackboard.sync import http

    plain = http.ServerClient.request

    def timed(self: Any, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        if method != "POST" or "/records" not in path:
            return plain(self, method, path, *args, **kwargs)
        start = time.perf_counter()
        try:
            answer = plain(self, method, path, *args, **kwargs)
        except Exception as exc:
            status = getattr(exc, "status", None)
            failures.append(f"{type(exc).__name__} {status}" if status else type(exc).__name__)
            raise
        times.append((time.perf_counter() - start) * 1000)
        return answer

    http.ServerClient.request = timed  # type: ignore[method-assign]


def main() -> None:
    index, run_id, project = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    keys, steps, rate, out = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
    times: list[float] = []
    failures: list[str] = []
    time_uploads(times, failures)
    import trackboard

    run = trackboard.init(project=project, id=run_id, name=run_id)
    names = [f"k{k}" for k in range(keys)]
    start = time.monotonic()
    behind = 0
    for step in range(steps):
        run.log({name: step * 0.25 + k * 1000.0 + index for k, name in enumerate(names)}, step=step)
        wait = start + (step + 1) / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            behind += 1
    logged = time.monotonic() - start
    t0 = time.monotonic()
    run.finish()
    result = {
        "run_id": run_id,
        "points": steps * keys,
        "log_s": logged,
        "finish_s": time.monotonic() - t0,
        "steps_behind_rate": behind,
        "upload_ms": times,
        "upload_failures": failures,
    }
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
