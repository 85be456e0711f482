"""The sweep page: parallel coordinates with an axis per parameter and the metric, brushing
an axis filters the runs table, and Pause moves the sweep's state in the store."""

from __future__ import annotations

import json
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
