"""Web UI benchmark: the dashboard's first chart in headless Chromium, and one chart's data from
trackboard's series endpoint beside the peers' own UI endpoints.

Part 1 (first chart). A workspace of R runs x K keys x S steps (default 100 x 20 x 2,000), logged
with the real SDK (`trackboard.init(project, reinit="create_new")`, `run.log`, `finish`), served by
`trackboard ui`. Each page load gets a fresh browser context; the time runs from `page.goto` to the
first line panel having all R series drawn (`data-testid="line-chart"` with `data-series-count=R`
and a canvas, then one more animation frame). Median of N loads, beside the same for a 10-run
workspace (the baseline), in the same run.

Part 2 (one chart's data). 50 runs x 2,000 steps x 5 metrics logged by each tracker's own SDK
(peers on bench/.peers/venv), each tracker's server started on a free loopback port; metric `m0`
over all 50 runs is fetched from the endpoint its own dashboard calls. The first request after the
server answered is timed alone, then the median of N more; sizes are the body on the wire (the
request asks for gzip as a browser does) and decoded. A server that fails to start or answer in a
bounded time is recorded as failed, with the reason.

Every server binds 127.0.0.1, runs in its own process group and is stopped (the group) at the end.

Usage (on the project venv, which has playwright):
    .venv/bin/python bench/bench_ui.py
    .venv/bin/python bench/bench_ui.py --quick            # 20 runs x 200 steps, 3 loads, no peers
    .venv/bin/python bench/bench_ui.py --peers trackio,aim --loads 7
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_log import PEERS_PYTHON, PROJECT_PYTHON, RESULT_PREFIX, RESULTS, isolated_env

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Chromium is launched as the dashboard's browser tests launch it.
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from e2e_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PEER_WORKER = BENCH / "ui_workers" / "peer_ui_worker.py"
PEERS = ("mlflow", "aim", "trackio", "tensorboard")
FIRST_CHART_TARGET_S = 1.5
WS_PROJECT = "ui_workspace"
BASE_PROJECT = "ui_baseline"
SERIES_PROJECT = "ui_series"

# Installed in every page before its scripts: on each animation frame, looks for the first line
# panel; once it shows all the series and has a canvas, records the time of the next frame.
FIRST_CHART_SCRIPT = """
(() => {
  const want = String(%d);
  let seen = null;
  const tick = () => {
    if (seen) {
      window.__benchFirstChart = { ...seen, frame_ms: performance.now() };
      return;
    }
    const el = document.querySelector('[data-testid="panel"] [data-testid="line-chart"]');
    if (el && el.getAttribute('data-series-count') === want && el.querySelector('canvas')) {
      const panel = el.closest('[data-testid="panel"]');
      seen = {
        seen_ms: performance.now(),
        key: panel ? panel.getAttribute('data-key') : null,
        points: Number(el.getAttribute('data-points')),
        panels: document.querySelectorAll('[data-testid="panel"]').length,
      };
      // Series requests finished so far: how many, and when the first panel's answer arrived.
      const series = performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/series?'));
      const mine = 'key=' + encodeURIComponent(seen.key);
      const own = series.filter((e) => seen.key && e.name.includes(mine));
      const starts = series.map((e) => e.startTime);
      const ends = series.map((e) => e.responseEnd);
      seen.series_requests = series.length;
      seen.series_first_start_ms = series.length ? Math.min(...starts) : null;
      seen.series_last_end_ms = series.length ? Math.max(...ends) : null;
      seen.own_series_end_ms = own.length ? Math.min(...own.map((e) => e.responseEnd)) : null;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


# ---------------------------------------------------------------------------- processes, HTTP


def base_env(scratch: Path) -> dict[str, str]:
    """bench_log's isolated environment, with loopback reachable (the servers measured here)."""
    env = isolated_env(scratch)
    env.update(
        no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost", TRACKBOARD_SILENT="true"
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A server in its own process group, its output in a file; stop() ends the whole group."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path, cwd: Path):
        self.name = name
        self.log = log
        self._out = log.open("wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, n: int = 600) -> str:
        try:
            return self.log.read_bytes()[-n:].decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            # The leader is gone; children of the group may remain, so signal once more.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            break
        self._out.close()


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 120,
) -> dict[str, Any]:
    """One request, the whole body read. Asks for gzip like a browser; sizes wire and decoded."""
    hdrs = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
    req = urllib.request.Request(url, data=body, method=method, headers=hdrs)
    t0 = time.perf_counter()
    with OPENER.open(req, timeout=timeout) as resp:
        raw = resp.read()
        status = resp.status
        encoding = resp.headers.get("Content-Encoding", "")
    elapsed = time.perf_counter() - t0
    if encoding == "gzip":
        decoded = gzip.decompress(raw)
    elif encoding == "deflate":
        decoded = zlib.decompress(raw)
    else:
        decoded = raw
    return {
        "s": elapsed,
        "status": status,
        "wire_bytes": len(raw),
        "bytes": len(decoded),
        "encoding": encoding,
        "body": decoded,
    }


def wait_until(check: Callable[[], bool], timeout: float, proc: Proc | None = None) -> float:
    """Polls `check` until true; returns the seconds waited. Raises on timeout or a dead server."""
    t0 = time.perf_counter()
    last: Exception | None = None
    while time.perf_counter() - t0 < timeout:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"exited with {proc.proc.returncode}: {proc.tail()}")
        try:
            if check():
                return time.perf_counter() - t0
        except Exception as exc:
            last = exc
        time.sleep(0.1)
    detail = f" (last error: {last!r})" if last else ""
    tail = f"; output: {proc.tail()}" if proc is not None else ""
    raise TimeoutError(f"not ready after {timeout:.0f} s{detail}{tail}")


def get_ok(url: str, timeout: float = 5) -> bool:
    return http("GET", url, timeout=timeout)["status"] == 200


def time_requests(do: Callable[[], dict[str, Any]], repeat: int) -> dict[str, Any]:
    """The first request alone, then `repeat` more: their median and the sizes."""
    first = do()
    rest = [do() for _ in range(repeat)]
    times = [r["s"] for r in rest]
    return {
        "first_s": first["s"],
        "median_s": statistics.median(times),
        "times_s": times,
        "wire_bytes": statistics.median(r["wire_bytes"] for r in rest),
        "bytes": statistics.median(r["bytes"] for r in rest),
        "encoding": rest[-1]["encoding"],
    }


# ------------------------------------------------------------------------------ trackboard side

TRACKBOARD_WRITER = """
import random, sys, time
import trackboard

project, runs, keys, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), int(sys.argv[4])
rng = random.Random(0)
t0 = time.perf_counter()
for r in range(runs):
    run = trackboard.init(project=project, name=f"run-{r}", reinit="create_new")
    for s in range(steps):
        run.log({k: rng.random() for k in keys}, step=s)
    run.finish()
print(time.perf_counter() - t0)
"""


def write_trackboard(
    python: Path, env: dict[str, str], project: str, runs: int, keys: list[str], steps: int
) -> float:
    argv = [str(python), "-c", textwrap.dedent(TRACKBOARD_WRITER), project, str(runs)]
    argv += [",".join(keys), str(steps)]
    out = subprocess.run(
        argv,
        env=env,
        cwd=env["TRACKBOARD_DIR"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"trackboard writer failed: {out.stderr[-2000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def project_runs(url: str, project: str) -> list[dict[str, Any]]:
    body = http("GET", f"{url}/api/v1/projects/local/{project}/runs", timeout=30)["body"]
    return json.loads(body)["runs"]


def wait_ingested(url: str, project: str, count: int, timeout: float, proc: Proc) -> float:
    def done() -> bool:
        runs = project_runs(url, project)
        return len(runs) >= count and all(r["state"] != "running" for r in runs)

    return wait_until(done, timeout, proc)


def first_chart_loads(
    browser: Any, url: str, runs: int, loads: int, timeout_s: float
) -> dict[str, Any]:
    """`loads` page loads, each in a fresh context: goto -> first line panel with all series."""
    results = []
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        try:
            context.add_init_script(FIRST_CHART_SCRIPT % runs)
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
            page.wait_for_function(
                "() => window.__benchFirstChart !== undefined",
                polling=20,
                timeout=timeout_s * 1000,
            )
            wall = time.perf_counter() - t0
            info = page.evaluate("() => window.__benchFirstChart")
            nav = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n ? {dcl_ms: n.domContentLoadedEventEnd, load_ms: n.loadEventEnd} : {}; }"
            )
            results.append({"wall_s": wall, "page_s": info["frame_ms"] / 1000, **info, **nav})
        finally:
            context.close()
    walls = [r["wall_s"] for r in results]
    pages = [r["page_s"] for r in results]
    own = [r["own_series_end_ms"] / 1000 for r in results if r.get("own_series_end_ms") is not None]
    return {
        "median_own_series_end_s": statistics.median(own) if own else None,
        "median_seen_to_frame_s": statistics.median(
            (r["frame_ms"] - r["seen_ms"]) / 1000 for r in results
        ),
        "median_wall_s": statistics.median(walls),
        "median_page_s": statistics.median(pages),
        "first_wall_s": walls[0],
        "max_wall_s": max(walls),
        "loads": results,
    }


def run_part1(args: argparse.Namespace, scratch: Path, python: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    root = scratch / "trackboard_ws"
    root.mkdir()
    env = {**base_env(scratch), "TRACKBOARD_DIR": str(root)}
    keys = [f"k{i:02d}" for i in range(args.keys)]
    out: dict[str, Any] = {"runs": args.runs, "keys": args.keys, "steps": args.steps}
    print(
        f"writing {args.runs} + {args.baseline_runs} runs x {args.keys} keys x {args.steps} steps"
    )
    out["write_s"] = write_trackboard(python, env, WS_PROJECT, args.runs, keys, args.steps)
    out["baseline_write_s"] = write_trackboard(
        python, env, BASE_PROJECT, args.baseline_runs, keys, args.steps
    )
    port = free_port()
    argv = [str(python), "-m", "trackboard.cli", "ui", "--host", "127.0.0.1", "--port", str(port)]
    server = Proc("trackboard", [*argv, "--no-browser"], env, scratch / "tb_ui.log", root)
    url = f"http://127.0.0.1:{port}"
    try:
        out["server_start_s"] = wait_until(lambda: get_ok(f"{url}/"), args.start_timeout, server)
        out["ingest_wait_s"] = wait_ingested(
            url, WS_PROJECT, args.runs, args.ingest_timeout, server
        )
        wait_ingested(url, BASE_PROJECT, args.baseline_runs, args.ingest_timeout, server)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                for name, project, runs in (
                    ("workspace", WS_PROJECT, args.runs),
                    ("baseline", BASE_PROJECT, args.baseline_runs),
                ):
                    print(f"page loads: {project} ({runs} runs) x {args.loads}")
                    out[name] = first_chart_loads(
                        browser, f"{url}/#/p/local/{project}", runs, args.loads, args.load_timeout
                    )
            finally:
                browser.close()
    finally:
        server.stop()
    return out


def trackboard_series(
    args: argparse.Namespace, scratch: Path, python: Path
) -> list[dict[str, Any]]:
    root = scratch / "trackboard_series"
    root.mkdir()
    env = {**base_env(scratch), "TRACKBOARD_DIR": str(root)}
    metrics = [f"m{i}" for i in range(args.peer_metrics)]
    write_s = write_trackboard(
        python, env, SERIES_PROJECT, args.peer_runs, metrics, args.peer_steps
    )
    port = free_port()
    argv = [str(python), "-m", "trackboard.cli", "ui", "--host", "127.0.0.1", "--port", str(port)]
    server = Proc("trackboard", [*argv, "--no-browser"], env, scratch / "tb_series.log", root)
    url = f"http://127.0.0.1:{port}"
    rows = []
    try:
        start = wait_until(lambda: get_ok(f"{url}/"), args.start_timeout, server)
        wait_ingested(url, SERIES_PROJECT, args.peer_runs, args.ingest_timeout, server)
        ids = ",".join(r["id"] for r in project_runs(url, SERIES_PROJECT))
        path = f"/api/v1/projects/local/{SERIES_PROJECT}/series"
        for buckets in (1000, 500):
            q = urllib.parse.urlencode({"key": "m0", "runs": ids, "buckets": buckets})
            endpoint = f"GET {path}?key=m0&runs=…&buckets={buckets}"
            timed = time_requests(
                lambda q=q: http("GET", f"{url}{path}?{q}"),
                args.requests,
            )
            header = series_points(http("GET", f"{url}{path}?{q}")["body"])
            rows.append(
                {
                    "tracker": "trackboard",
                    "endpoint": endpoint,
                    "status": "ok",
                    "points": header,
                    "write_s": write_s,
                    "server_start_s": start,
                    **timed,
                }
            )
    except Exception as exc:
        rows.append({"tracker": "trackboard", "status": "failed", "reason": str(exc)})
    finally:
        server.stop()
    return rows


def series_points(body: bytes) -> int:
    size = int.from_bytes(body[:4], "little")
    return int(json.loads(body[4 : 4 + size])["total"])


# ---------------------------------------------------------------------------------- peers side


def write_peer(
    tracker: str, root: Path, env: dict[str, str], args: argparse.Namespace, log: Path
) -> subprocess.Popen[bytes]:
    argv = [str(PEERS_PYTHON), str(PEER_WORKER), "write", tracker, str(root)]
    argv += ["--runs", str(args.peer_runs), "--steps", str(args.peer_steps)]
    argv += ["--metrics", str(args.peer_metrics)]
    return subprocess.Popen(
        argv,
        env=env,
        cwd=root.parent,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def read_result(log: Path) -> dict[str, Any]:
    for line in log.read_text("utf-8", "replace").splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise RuntimeError("writer printed no result: " + log.read_text("utf-8", "replace")[-600:])


def peer_available(tracker: str) -> str | None:
    """None when the peer can run, else why not."""
    if not PEERS_PYTHON.exists():
        return f"no peers venv at {PEERS_PYTHON} (run bench/setup_peers)"
    module = {"tensorboard": "tensorboard"}.get(tracker, tracker)
    probe = subprocess.run(
        [str(PEERS_PYTHON), "-c", f"import {module}"], capture_output=True, timeout=120, check=False
    )
    if probe.returncode != 0:
        why = probe.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return f"`import {module}` fails on the peers venv: {' '.join(why)}"
    return None


def serve_mlflow(root: Path, env: dict[str, str], port: int, log: Path) -> Proc:
    argv = [str(PEERS_PYTHON.parent / "mlflow"), "server"]
    argv += ["--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}"]
    argv += ["--default-artifact-root", (root / "artifacts").as_uri()]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    return Proc("mlflow", argv, env, log, root)


def serve_aim(root: Path, env: dict[str, str], port: int, log: Path) -> Proc:
    argv = [str(PEERS_PYTHON.parent / "aim"), "up", "--repo", str(root)]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    return Proc("aim", argv, env, log, root)


def serve_trackio(root: Path, env: dict[str, str], port: int, log: Path) -> Proc:
    argv = [str(PEERS_PYTHON), str(PEER_WORKER), "serve-trackio", str(root), str(port)]
    return Proc("trackio", argv, env, log, root)


def serve_tensorboard(root: Path, env: dict[str, str], port: int, log: Path) -> Proc:
    argv = [str(PEERS_PYTHON), "-m", "tensorboard.main", "--logdir", str(root)]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    return Proc("tensorboard", argv, env, log, root)


def measure_mlflow(url: str, ids: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for n in (320, args.peer_steps):
        q = urllib.parse.urlencode(
            [("run_ids", i) for i in ids] + [("metric_key", "m0"), ("max_results", n)]
        )
        path = "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval"

        def do(q: str = q, path: str = path) -> dict[str, Any]:
            return http("GET", f"{url}{path}?{q}")

        points = len(json.loads(do()["body"]).get("metrics", []))
        endpoint = f"GET {path}?run_ids=…&metric_key=m0&max_results={n}"
        rows.append({"endpoint": endpoint, "points": points, **time_requests(do, args.requests)})
    return rows


def measure_aim(url: str, ids: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for p in (500, args.peer_steps):
        q = urllib.parse.urlencode({"q": 'metric.name == "m0"', "p": p, "report_progress": "false"})
        path = "/api/runs/search/metric/"

        def do(q: str = q, path: str = path) -> dict[str, Any]:
            return http("GET", f"{url}{path}?{q}")

        body = do()["body"]
        found = sum(1 for i in ids if i.encode() in body)
        endpoint = f'GET {path}?q=metric.name == "m0"&p={p} (binary stream)'
        timed = time_requests(do, args.requests)
        rows.append({"endpoint": endpoint, "points": None, "runs_in_answer": found, **timed})
    return rows


def measure_trackio(url: str, ids: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    hdr = {"Content-Type": "application/json"}
    # Answers are {"data": ...} (or {"error": ...}).
    payload = json.dumps({"project": "bench_ui"}).encode()
    answer = json.loads(http("POST", f"{url}/api/get_runs_for_project", payload, hdr)["body"])
    if "data" not in answer:
        raise RuntimeError(f"get_runs_for_project: {str(answer)[:300]}")
    runs = [{"run": r.get("name"), "run_id": r.get("id")} for r in answer["data"]]

    def do() -> dict[str, Any]:
        # The dashboard asks for at most 64 runs per request; 50 runs are one request.
        total: dict[str, Any] | None = None
        for i in range(0, len(runs), 64):
            payload = {"project": "bench_ui", "runs": runs[i : i + 64], "scalar_only": True}
            r = http("POST", f"{url}/api/get_logs_batch", json.dumps(payload).encode(), hdr)
            if total is None:
                total = r
            else:
                for k in ("s", "wire_bytes", "bytes"):
                    total[k] += r[k]
        assert total is not None
        return total

    answer = json.loads(do()["body"])
    if "data" not in answer:
        raise RuntimeError(f"get_logs_batch: {str(answer)[:300]}")
    points = sum(sum(1 for row in item.get("logs", []) if "m0" in row) for item in answer["data"])
    endpoint = "POST /api/get_logs_batch {project, runs (≤64), scalar_only: true}"
    return [
        {
            "endpoint": endpoint,
            "points": points,
            "runs_in_answer": len(runs),
            **time_requests(do, args.requests),
        }
    ]


def measure_tensorboard(url: str, ids: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    form = urllib.parse.urlencode([("tag", "m0")] + [("runs", i) for i in ids]).encode()
    hdr = {"Content-Type": "application/x-www-form-urlencoded", "X-XSRF-Protected": "1"}

    def do() -> dict[str, Any]:
        return http("POST", f"{url}/data/plugin/scalars/scalars_multirun", form, hdr)

    answer = json.loads(do()["body"])
    points = sum(len(v) for v in answer.values()) if isinstance(answer, dict) else None
    endpoint = "POST /data/plugin/scalars/scalars_multirun (tag=m0, runs=…)"
    return [{"endpoint": endpoint, "points": points, **time_requests(do, args.requests)}]


def ready_check(tracker: str, url: str, ids: list[str]) -> Callable[[], bool]:
    if tracker == "mlflow":
        return lambda: get_ok(f"{url}/health")
    if tracker == "aim":
        return lambda: get_ok(f"{url}/api/projects/")
    if tracker == "trackio":
        return lambda: get_ok(f"{url}/version")

    def tb_all_runs() -> bool:
        body = http("GET", f"{url}/data/runs", timeout=5)["body"]
        return len(json.loads(body)) >= len(ids)

    return tb_all_runs


SERVERS = {
    "mlflow": (serve_mlflow, measure_mlflow),
    "aim": (serve_aim, measure_aim),
    "trackio": (serve_trackio, measure_trackio),
    "tensorboard": (serve_tensorboard, measure_tensorboard),
}


def run_peers(args: argparse.Namespace, scratch: Path, peers: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    env = base_env(scratch)
    writers: dict[str, tuple[subprocess.Popen[bytes], Path, Path]] = {}
    for tracker in peers:
        why = peer_available(tracker)
        if why:
            rows.append({"tracker": tracker, "status": "failed", "reason": why})
            continue
        root = scratch / f"peer_{tracker}"
        root.mkdir()
        log = scratch / f"write_{tracker}.log"
        writers[tracker] = (write_peer(tracker, root, env, args, log), root, log)
    if writers:
        print(
            f"writing {args.peer_runs} runs x {args.peer_steps} steps x {args.peer_metrics} "
            f"metrics with {', '.join(writers)} (in parallel)"
        )
    written: dict[str, tuple[dict[str, Any], Path]] = {}
    deadline = time.monotonic() + args.write_timeout
    for tracker, (proc, root, log) in writers.items():
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            if proc.returncode != 0:
                raise RuntimeError(f"writer exited {proc.returncode}: {log.read_text()[-600:]}")
            written[tracker] = (read_result(log), root)
        except Exception as exc:
            if isinstance(exc, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                exc = RuntimeError(f"writing did not finish in {args.write_timeout:.0f} s")
            rows.append({"tracker": tracker, "status": "failed", "reason": f"write: {exc}"})
    for tracker, (result, root) in written.items():
        serve, measure = SERVERS[tracker]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        print(f"{tracker}: serving on {url}")
        proc = serve(root, env, port, scratch / f"serve_{tracker}.log")
        base = {"tracker": tracker, "write_s": result["write_s"]}
        try:
            try:
                start = wait_until(
                    ready_check(tracker, url, result["ids"]), args.start_timeout, proc
                )
            except Exception as exc:
                rows.append({**base, "status": "failed", "reason": f"server start: {exc}"})
                continue
            try:
                for row in measure(url, result["ids"], args):
                    rows.append({**base, "status": "ok", "server_start_s": start, **row})
            except Exception as exc:
                rows.append(
                    {
                        **base,
                        "status": "failed",
                        "server_start_s": start,
                        "reason": f"request: {exc!r}"[:800],
                    }
                )
        finally:
            proc.stop()
    return rows


# ------------------------------------------------------------------------------------- report


def fmt_s(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def fmt_mb(v: float | None) -> str:
    return "n/a" if v is None else f"{v / 1e6:.2f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def report(result: dict[str, Any]) -> str:
    parts = []
    p1 = result.get("first_chart")
    if p1:
        ws, base = p1["workspace"], p1["baseline"]
        ok = ws["median_wall_s"] < FIRST_CHART_TARGET_S
        page_ok = ws["median_page_s"] < FIRST_CHART_TARGET_S
        parts.append(
            f"### First chart painted (headless Chromium, median of {len(ws['loads'])} loads)\n"
        )
        parts.append(
            table(
                ["figure", "measured", "target / baseline"],
                [
                    [
                        f"goto → first line panel with all {p1['runs']} series, {p1['runs']} runs"
                        f" x {p1['keys']} keys x {p1['steps']} steps",
                        f"{fmt_s(ws['median_wall_s'])} s",
                        f"< {FIRST_CHART_TARGET_S} s: **{'pass' if ok else 'FAIL'}**",
                    ],
                    [
                        "the same, in-page clock (navigation start → the frame after)",
                        f"{fmt_s(ws['median_page_s'])} s",
                        f"< {FIRST_CHART_TARGET_S} s: **{'pass' if page_ok else 'FAIL'}**; "
                        f"baseline {p1['baseline_runs']} runs: {fmt_s(base['median_page_s'])} s",
                    ],
                    [
                        f"baseline: {p1['baseline_runs']} runs x {p1['keys']} keys",
                        f"{fmt_s(base['median_wall_s'])} s",
                        f"ratio {p1['runs']}-run / baseline: "
                        f"{ws['median_wall_s'] / base['median_wall_s']:.2f}x",
                    ],
                    [
                        "first load (server cache cold) / slowest load, workspace",
                        f"{fmt_s(ws['first_wall_s'])} / {fmt_s(ws['max_wall_s'])} s",
                        f"baseline {fmt_s(base['first_wall_s'])} / {fmt_s(base['max_wall_s'])} s",
                    ],
                    [
                        "first panel's series answer received (page clock)",
                        f"{fmt_s(ws['median_own_series_end_s'])} s",
                        f"baseline {fmt_s(base['median_own_series_end_s'])} s",
                    ],
                    [
                        "all series drawn → next frame (main thread busy)",
                        f"{fmt_s(ws['median_seen_to_frame_s'])} s",
                        f"baseline {fmt_s(base['median_seen_to_frame_s'])} s",
                    ],
                    [
                        "panels on the page / points in the first chart",
                        f"{ws['loads'][0]['panels']} / {ws['loads'][0]['points']}",
                        f"baseline {base['loads'][0]['panels']} / {base['loads'][0]['points']}",
                    ],
                ],
            )
        )
    elif result.get("first_chart_error"):
        parts.append(f"First chart: FAILED: {result['first_chart_error']}")
    rows = result.get("series", [])
    if rows:
        parts.append(
            f"\n### One chart's data: m0 over {result['config']['peer_runs']} runs x "
            f"{result['config']['peer_steps']} steps (first request, then median of "
            f"{result['config']['requests']})\n"
        )
        body = []
        for r in rows:
            if r["status"] != "ok":
                body.append([r["tracker"], "failed", "", "", "", "", "", r.get("reason", "")[:300]])
                continue
            body.append(
                [
                    r["tracker"],
                    r["endpoint"],
                    "n/a" if r.get("points") is None else f"{r['points']:,}",
                    fmt_s(r["median_s"]),
                    fmt_s(r["first_s"]),
                    fmt_mb(r["bytes"]),
                    fmt_mb(r["wire_bytes"]) + (f" ({r['encoding']})" if r["encoding"] else ""),
                    f"start {fmt_s(r.get('server_start_s'))} s"
                    + (f"; runs in answer {r['runs_in_answer']}" if "runs_in_answer" in r else ""),
                ]
            )
        parts.append(
            table(
                [
                    "tracker",
                    "endpoint",
                    "points",
                    "median s",
                    "first s",
                    "MB",
                    "MB on wire",
                    "notes",
                ],
                body,
            )
        )
        tb = [r for r in rows if r["tracker"] == "trackboard" and r["status"] == "ok"]
        if tb:
            ref = tb[0]
            ratio_rows = []
            for r in rows:
                if r["tracker"] == "trackboard" or r["status"] != "ok":
                    continue
                ratio_rows.append(
                    [
                        f"{r['tracker']}: {r['endpoint'][:60]}",
                        f"{r['median_s'] / ref['median_s']:.1f}x time",
                        f"{r['bytes'] / max(ref['bytes'], 1):.1f}x bytes",
                    ]
                )
            if ratio_rows:
                parts.append(
                    f"\n### Peer / trackboard (buckets=1000: {fmt_s(ref['median_s'])} s, "
                    f"{fmt_mb(ref['bytes'])} MB)\n"
                )
                parts.append(table(["peer request", "median time ratio", "size ratio"], ratio_rows))
    return "\n".join(parts)


def bundle_info() -> dict[str, Any]:
    """Which build of the dashboard `trackboard ui` served (the built bundle, not web/src)."""
    index = ROOT / "src" / "trackboard" / "server" / "static" / "index.html"
    if not index.exists():
        return {"index": None}
    stat = index.stat()
    mtime = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds")
    return {"index": str(index), "built": mtime, "text": index.read_text()[:2000]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--baseline-runs", type=int, default=10)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--peer-runs", type=int, default=50)
    parser.add_argument("--peer-steps", type=int, default=2000)
    parser.add_argument("--peer-metrics", type=int, default=5)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--peers", default=",".join(PEERS), help="a,b | none")
    parser.add_argument("--no-browser", action="store_true", help="skip part 1")
    parser.add_argument("--start-timeout", type=float, default=90)
    parser.add_argument("--ingest-timeout", type=float, default=300)
    parser.add_argument("--load-timeout", type=float, default=60)
    parser.add_argument("--write-timeout", type=float, default=900)
    parser.add_argument(
        "--quick", action="store_true", help="20 runs x 200 steps, 3 loads, no peers"
    )
    parser.add_argument("--trackboard-python", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.quick:
        args.runs, args.baseline_runs, args.steps, args.loads = 20, 5, 200, 3
        args.peer_runs, args.peer_steps, args.requests, args.peers = 10, 200, 3, "none"
    peers = [] if args.peers == "none" else [p for p in args.peers.split(",") if p]
    unknown = set(peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    python = args.trackboard_python or (
        PROJECT_PYTHON if PROJECT_PYTHON.exists() else Path(sys.executable)
    )

    scratch = Path(tempfile.mkdtemp(prefix="bench_ui_"))
    result: dict[str, Any] = {
        "bench": "ui",
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_before": os.getloadavg(),
            "chromium": CHROMIUM,
        },
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "trackboard_python": str(python),
        "dashboard_bundle": bundle_info(),
    }
    try:
        if not args.no_browser:
            try:
                p1 = run_part1(args, scratch, python)
                p1["baseline_runs"] = args.baseline_runs
                result["first_chart"] = p1
            except Exception as exc:
                result["first_chart_error"] = repr(exc)[:2000]
                print(f"first chart failed: {exc!r}")
        series = trackboard_series(args, scratch, python)
        series += run_peers(args, scratch, peers)
        result["series"] = series
    finally:
        result["machine"]["load_after"] = os.getloadavg()
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    for row in result.get("series", []):
        row.pop("body", None)
    text = report(result)
    print()
    print(text)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or RESULTS / f"ui-{stamp}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
