"""The sweep page: parallel coordinates with an axis per parameter and the metric, brushing
an axis filters the runs table (and the URL keeps it), Pause moves the sweep's state in the
store, a log axis, runs appearing live, and a stopped run's reason."""

from __future__ import annotations

import json
import math
import urllib.request

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Page, expect

from trackboard.store import open_store

pytestmark = pytest.mark.e2e

SWEEP = """
import trackboard as wandb

sweep_id = wandb.sweep(
    {
        "method": "grid",
        "name": "grid-e2e",
        "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {
            "lr": {"values": [0.001, 0.01, 0.1]},
            "opt": {"values": ["adam", "sgd"]},
        },
    },
    project="sweep-e2e",
)

def train():
    run = wandb.init()
    penalty = 0.5 if run.config.opt == "sgd" else 0.0
    wandb.log({"loss": run.config.lr * 10 + penalty})

wandb.agent(sweep_id, function=train, project="sweep-e2e", count=6)
"""


def make_sweep(server: Server) -> str:
    server.log(SWEEP)
    server.wait_for_runs("sweep-e2e", 6)
    url = f"{server.url}/api/v1/projects/local/sweep-e2e/sweeps"
    with urllib.request.urlopen(url, timeout=5) as resp:
        (sweep,) = json.load(resp)["sweeps"]
    sweep_id: str = sweep["id"]
    return sweep_id


def test_sweep_page_draws_axes_brushes_the_table_and_pauses(server: Server, page: Page) -> None:
    sweep_id = make_sweep(server)
    page.goto(f"{server.url}/#/p/local/sweep-e2e")
    page.get_by_test_id("sweeps-link").click()
    page.get_by_role("link", name="grid-e2e").click()

    axes = page.get_by_test_id("parcoords-axis")
    expect(axes).to_have_count(3)
    names = [axes.nth(i).get_attribute("data-axis") for i in range(3)]
    assert names == ["lr", "opt", "loss"]
    assert axes.nth(1).get_attribute("data-scale") == "categorical"
    rows = page.get_by_test_id("sweep-run-row")
    expect(rows).to_have_count(6)
    expect(page.get_by_test_id("sweep-importance")).to_contain_text("lr")
    expect(page.get_by_test_id("sweep-point")).to_have_count(6)

    # Drag up the "opt" axis from a third of the way down to past its top: "sgd" sits at the
    # top, "adam" at the bottom.
    box = page.get_by_test_id("parcoords-hit").nth(1).bounding_box()
    assert box is not None
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * 0.35)
    page.mouse.down()
    page.mouse.move(x, box["y"] + box["height"] * 0.2, steps=5)
    page.mouse.move(x, box["y"] - 10, steps=5)
    page.mouse.up()
    expect(page.get_by_test_id("parcoords-brush")).to_have_count(1)
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i)).to_contain_text("sgd")
    expect(page.get_by_test_id("sweep-point")).to_have_count(3)
    screenshot(page, "sweep-page-brushed")

    page.get_by_test_id("sweep-pause").click()
    expect(page.get_by_test_id("sweep-state")).to_have_text("paused")
    expect(page.get_by_test_id("sweep-resume")).to_be_visible()
    store = open_store(server.root / "trackboard.db")
    try:
        assert store.sweep("local", "sweep-e2e", sweep_id).state == "paused"
    finally:
        store.close()


LOG_SWEEP = """
import trackboard as wandb

sweep_id = wandb.sweep(
    {
        "method": "random",
        "name": "log-e2e",
        "run_cap": 4,
        "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0}},
    },
    project="sweep-log-e2e",
)
jobs = []

def train():
    run = wandb.init()
    jobs.append(run.id)
    if len(jobs) == 1:
        run.request_stop("stopped for the test")  # the next log() ends it as killed
    wandb.log({"loss": run.config.lr})

wandb.agent(sweep_id, function=train, project="sweep-log-e2e", count=3)
"""
ONE_MORE = """
import trackboard as wandb

def train():
    run = wandb.init()
    wandb.log({{"loss": run.config.lr}})

wandb.agent({sweep_id!r}, function=train, project="sweep-log-e2e", count=1)
"""


def _axis_y(page: Page, run_id: str, axis: int) -> float:
    """The y of a run's line where it crosses axis number ``axis``."""
    points = page.locator(f'polyline[data-run="{run_id}"]').get_attribute("points")
    assert points is not None
    return float(points.split()[axis].split(",")[1])


def test_log_axis_live_runs_brush_in_url_and_stop_reason(server: Server, page: Page) -> None:
    server.log(LOG_SWEEP)
    server.wait_for_runs("sweep-log-e2e", 3)
    url = f"{server.url}/api/v1/projects/local/sweep-log-e2e/sweeps"
    with urllib.request.urlopen(url, timeout=5) as resp:
        (found,) = json.load(resp)["sweeps"]
    sweep_id = found["id"]
    page.goto(f"{server.url}/#/p/local/sweep-log-e2e/sweeps/{sweep_id}")
    rows = page.get_by_test_id("sweep-run-row")
    expect(rows).to_have_count(3)

    # The lr axis is logarithmic: ticks at even steps of log10, and each run's line crosses it
    # where log10(lr) puts it between the smallest and the largest value.
    lr_axis = page.locator('[data-testid="parcoords-axis"][data-axis="lr"]')
    expect(lr_axis).to_have_attribute("data-scale", "log")
    expect(lr_axis.locator("text.axis-name")).to_have_text("lr (log)")
    with urllib.request.urlopen(f"{url}/{sweep_id}", timeout=5) as resp:
        runs = json.load(resp)["runs"]
    values = {r["run_id"]: r["params"]["lr"] for r in runs}
    lo, hi = math.log10(min(values.values())), math.log10(max(values.values()))
    ticks = [float(t) for t in lr_axis.locator("text.tick").all_text_contents()]
    assert len(ticks) == 5
    for i, tick in enumerate(ticks):
        expected = 10 ** (lo + i * (hi - lo) / 4)
        assert tick == pytest.approx(expected, rel=0.06), (ticks, lo, hi)
    line = lr_axis.locator("line")
    top, bottom = float(line.get_attribute("y1") or 0), float(line.get_attribute("y2") or 0)
    drawn = [r["run_id"] for r in runs if r["metric"] is not None]  # a line needs every axis
    assert len(drawn) == 2
    for run_id in drawn:
        share = (math.log10(values[run_id]) - lo) / (hi - lo)
        assert _axis_y(page, run_id, 0) == pytest.approx(bottom - share * (bottom - top), abs=0.5)

    # The first job's run was stopped: the runs table and its run page give the reason.
    stopped = [r for r in runs if r["state"] == "killed"]
    assert [r["stop_reason"] for r in stopped] == ["stopped for the test"]
    expect(page.get_by_test_id("sweep-stop-reason")).to_have_text("stopped for the test")

    # A new run appears without a reload while the page is open.
    server.log(ONE_MORE.format(sweep_id=sweep_id))
    expect(rows).to_have_count(4, timeout=20_000)

    # Brush the top half of the lr axis; the URL keeps it and a reload restores the filter.
    box = page.get_by_test_id("parcoords-hit").nth(0).bounding_box()
    assert box is not None
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(x, box["y"] - 10, steps=5)
    page.mouse.up()
    expect(page.get_by_test_id("parcoords-brush")).to_have_count(1)
    brushed = sorted(r.get_attribute("data-run") or "" for r in rows.all())
    assert 0 < len(brushed) < 4
    assert "?b=" in page.url
    page.reload()
    expect(page.get_by_test_id("parcoords-brush")).to_have_count(1)
    expect(rows).to_have_count(len(brushed))
    assert sorted(r.get_attribute("data-run") or "" for r in rows.all()) == brushed

    page.goto(f"{server.url}/#/p/local/sweep-log-e2e/runs/{stopped[0]['run_id']}")
    expect(page.get_by_test_id("run-stop-reason")).to_have_text("stopped for the test")
