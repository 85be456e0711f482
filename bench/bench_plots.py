"""Custom chart panels benchmark: first paint of a confusion matrix and of ROC / PR curves in
headless Chromium, for a small and a large classification.

Each scenario logs R runs with the real SDK (`trackboard.plot.confusion_matrix`, `roc_curve`,
`pr_curve`) under `trackboard ui`: "small" is 3 classes x 1,000 samples (the baseline), "large"
100 classes x 100,000 samples (a 10,000-cell matrix; curve tables at the SDK's caps). The chart
tables' row counts are read back from the server and printed beside wandb's cap (10,000 rows).
Each page load gets a fresh browser context; the time runs from `page.goto` to the panel having
drawn every run (`data-drawn="true"` on each matrix canvas, or on the curve canvas), then one more
animation frame; "shell" is the time to the "Custom charts" section being listed (app, runs, keys,
chart list) and "draw" the rest (the panel's tables fetched, parsed and drawn). Medians of N
loads per panel (and the slowest total); the target is a draw under a second for "large".

Usage (on the project venv, which has playwright):
    .venv/bin/python bench/bench_plots.py
    .venv/bin/python bench/bench_plots.py --quick      # 10,000 samples for "large", 3 loads
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from e2e_support import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402

RESULTS = BENCH / "results"
ROW_CAP = 10_000
TARGET_MS = 1000.0

LOG = """
import numpy as np
import trackboard as wandb

classes = [f"class-{{k}}" for k in range({classes})]
for i in range({runs}):
    rng = np.random.default_rng(i)
    run = wandb.init(project="{project}", name=f"run-{{i}}", reinit="create_new")
    y = rng.integers(0, {classes}, {samples})
    probs = rng.random(({samples}, {classes})) + np.eye({classes})[y] * 0.8
    probs = probs / probs.sum(axis=1, keepdims=True)
    run.log({{
        "cm": wandb.plot.confusion_matrix(y_true=y.tolist(), preds=probs.argmax(axis=1).tolist(),
                                          class_names=classes),
        "roc": wandb.plot.roc_curve(y, probs, labels=classes),
        "pr": wandb.plot.pr_curve(y, probs, labels=classes),
    }})
    run.finish()
"""

PANELS = {
    "cm": '[data-key="cm"] [data-testid="confusion-canvas"][data-drawn="true"]',
    "roc": '[data-key="roc"] [data-testid="curve-canvas"][data-drawn="true"]',
    "pr": '[data-key="pr"] [data-testid="curve-canvas"][data-drawn="true"]',
}


def chart_rows(url: str, project: str) -> dict[str, int]:
    """The largest chart table, per chart key, over the project's runs (rows in the file)."""
    base = f"{url}/api/v1/projects/local/{project}"
    with urllib.request.urlopen(f"{base}/charts", timeout=30) as res:
        charts = json.load(res)["charts"]
    rows: dict[str, int] = {}
    for chart in charts:
        for run in chart["runs"]:
            q = urllib.parse.urlencode({"path": run["path"]})
            with urllib.request.urlopen(
                f"{base}/runs/{run['run_id']}/chart-table?{q}", timeout=30
            ) as res:
                n = json.load(res)["nrows"]
            rows[chart["key"]] = max(rows.get(chart["key"], 0), n)
    return rows


def first_paint(
    url: str, project: str, key: str, runs: int, loads: int
) -> tuple[list[float], list[float]]:
    """Per page load, milliseconds from `goto` to the "Custom charts" section being listed
    (the page shell: app, runs, keys, chart list) and to the panel `key` having drawn all runs."""
    from playwright.sync_api import sync_playwright

    wanted = runs if key == "cm" else 1
    times: list[float] = []
    shells: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(loads):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.set_default_timeout(60_000)
                # the panel search narrows the workspace to the measured chart
                t0 = time.perf_counter()
                page.goto(f"{url}/#/p/local/{project}?q={key}")
                page.wait_for_selector('[data-section="Custom charts"]')
                shells.append((time.perf_counter() - t0) * 1000)
                page.wait_for_function(
                    "([sel, n]) => document.querySelectorAll(sel).length >= n",
                    arg=[PANELS[key], wanted],
                    polling="raf",
                )
                page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r(null)))")
                times.append((time.perf_counter() - t0) * 1000)
                context.close()
        finally:
            browser.close()
    return shells, times


def run_scenario(
    server: Server, name: str, classes: int, samples: int, runs: int, loads: int
) -> list[dict[str, Any]]:
    project = f"plots-{name}"
    print(f"logging {name}: {runs} runs x {classes} classes x {samples} samples", flush=True)
    server.log(LOG.format(project=project, classes=classes, samples=samples, runs=runs), 1800)
    server.wait_for_runs(project, runs, timeout=120)
    rows = chart_rows(server.url, project)
    out = []
    for key in PANELS:
        shells, times = first_paint(server.url, project, key, runs, loads)
        out.append(
            {
                "scenario": name,
                "panel": key,
                "classes": classes,
                "samples": samples,
                "runs": runs,
                "table_rows": rows.get(key, 0),
                "shell_ms": statistics.median(shells),
                "draw_ms": statistics.median(t - s for t, s in zip(times, shells, strict=True)),
                "median_ms": statistics.median(times),
                "max_ms": max(times),
                "loads": times,
            }
        )
        print(f"  {key}: median {out[-1]['median_ms']:.0f} ms", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 samples, 3 loads")
    parser.add_argument("--loads", type=int, default=None, help="page loads per panel")
    parser.add_argument("--runs", type=int, default=2, help="runs per scenario")
    args = parser.parse_args()
    loads = args.loads or (3 if args.quick else 7)
    large = 10_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory(prefix="bench-plots-") as scratch:
        server = Server(Path(scratch))
        try:
            rows = run_scenario(server, "small", 3, 1_000, args.runs, loads)
            rows += run_scenario(server, "large", 100, large, args.runs, loads)
        finally:
            server.stop()
    print()
    print(
        f"{'scenario':<8} {'panel':<5} {'classes':>7} {'samples':>8} {'runs':>4} "
        f"{'rows':>6} {'cap':>6} {'shell ms':>9} {'draw ms':>8} {'total ms':>9} {'max ms':>8}"
    )
    for r in rows:
        print(
            f"{r['scenario']:<8} {r['panel']:<5} {r['classes']:>7} {r['samples']:>8} "
            f"{r['runs']:>4} {r['table_rows']:>6} {ROW_CAP:>6} {r['shell_ms']:>9.0f} "
            f"{r['draw_ms']:>8.0f} {r['median_ms']:>9.0f} {r['max_ms']:>8.0f}"
        )
    print()
    print("targets")
    for r in rows:
        if r["scenario"] != "large":
            continue
        ok = r["draw_ms"] < TARGET_MS and r["table_rows"] <= ROW_CAP
        print(
            f"  {r['panel']}: drawn {r['draw_ms']:.0f} ms after the chart list "
            f"({r['median_ms']:.0f} ms after goto; target < {TARGET_MS:.0f}), "
            f"{r['table_rows']} rows (cap {ROW_CAP}): {'met' if ok else 'MISSED'}"
        )
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"bench_plots_{stamp}.json"
    path.write_text(json.dumps({"rows": rows, "quick": args.quick}, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
