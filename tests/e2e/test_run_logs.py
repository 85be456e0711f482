"""The run page's Logs tab (coloured console lines, server-side search) and System charts."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PRINTER = """
import sys, time
import trackboard as wandb

run = wandb.init(project="{project}", name="printer", settings={{"x_stats_sampling_interval": 0.2}})
for epoch in range(5):
    print(f"\\x1b[32mepoch {{epoch}}\\x1b[0m loss \\x1b[1;38;5;196m{{1 / (epoch + 1):.2f}}\\x1b[0m")
    wandb.log({{"loss": 1 / (epoch + 1)}})
    time.sleep(0.5)
print("<b>not markup</b> \\x1b[48;2;0;0;255mon blue\\x1b[0m")
print("warning: disk almost full", file=sys.stderr)
for percent in range(0, 101, 25):
    sys.stdout.write(f"\\rdownloading {{percent}}%")
print()
run.finish()
"""


def run_page(server: Server, project: str) -> str:
    server.log(PRINTER.format(project=project))
    server.wait_for_runs(project, 1)
    with urllib.request.urlopen(f"{server.url}/api/v1/projects/local/{project}/runs") as resp:
        (run,) = json.load(resp)["runs"]
    return f"{server.url}/#/p/local/{project}/runs/{run['id']}"


def test_logs_tab_shows_coloured_lines_and_search_narrows_them(server: Server, page: Page) -> None:
    page.goto(run_page(server, "logs"))
    page.get_by_test_id("tab-logs").click()

    lines = page.get_by_test_id("log-line")
    expect(lines).to_have_count(8)
    expect(lines.first).to_contain_text("epoch 0 loss 1.00")
    expect(lines.first.get_by_text("epoch 0", exact=True)).to_have_css("color", "rgb(13, 188, 121)")
    loss = lines.first.get_by_text("1.00", exact=True)
    expect(loss).to_have_css("color", "rgb(255, 0, 0)")
    expect(loss).to_have_css("font-weight", "700")
    markup = lines.nth(5)
    expect(markup).to_contain_text("<b>not markup</b> on blue")
    expect(markup.locator("b")).to_have_count(0)
    expect(markup.get_by_text("on blue", exact=True)).to_have_css(
        "background-color", "rgb(0, 0, 255)"
    )
    expect(lines.nth(6)).to_have_attribute("data-stream", "stderr")
    expect(lines.nth(7)).to_have_text("8 downloading 100%")
    screenshot(page, "run-logs")

    page.get_by_test_id("log-search").fill("EPOCH 3")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("epoch 3 loss 0.25")
    expect(page.get_by_test_id("log-match")).to_have_text(["epoch 3"])
    expect(page.get_by_test_id("log-count")).to_have_text("1 matching line")

    page.get_by_test_id("log-search").fill("loss 0.")
    expect(lines).to_have_count(4)
    # Each match runs over two styles (plain "loss ", red "0."): two marked parts per line.
    expect(page.get_by_test_id("log-match")).to_have_text(["loss ", "0."] * 4)
    screenshot(page, "run-logs-search")

    page.get_by_test_id("log-search").fill("nothing like this")
    expect(page.get_by_test_id("log-empty")).to_be_visible()


def test_system_section_draws_charts_of_the_system_metrics(server: Server, page: Page) -> None:
    page.goto(run_page(server, "system"))

    section = page.get_by_test_id("system-section")
    expect(section).to_be_visible()
    panels = section.get_by_test_id("panel")
    expect(panels.filter(has_text="system/cpu_percent")).to_have_count(1)
    expect(panels.filter(has_text="system/memory_percent")).to_have_count(1)
    expect(panels.first.locator("canvas").first).to_be_visible()
    # The logged key stays in the run's own panels; system keys are only in System.
    grid = page.locator("[data-testid=section]")
    expect(grid.get_by_test_id("panel").filter(has_text="loss")).to_have_count(1)
    expect(grid.get_by_test_id("panel").filter(has_text="system/")).to_have_count(0)
    screenshot(page, "run-system")


TICKER = """
import time
import trackboard as wandb

run = wandb.init(project="{project}", name="ticker")
for i in range(40):
    print(f"tick {{i}}")
    wandb.log({{"i": i}})
    time.sleep(0.25)
run.finish()
"""


def test_logs_of_a_running_run_follow_new_lines_without_reload(server: Server, page: Page) -> None:
    proc = server.start(TICKER.format(project="live-logs"))
    try:
        url = f"{server.url}/api/v1/projects/local/live-logs/runs"
        deadline = time.monotonic() + 15
        runs: list[dict[str, str]] = []
        while not runs and time.monotonic() < deadline:
            with urllib.request.urlopen(url) as resp:
                runs = json.load(resp)["runs"]
            time.sleep(0.1)
        (run,) = runs
        page.goto(f"{server.url}/#/p/local/live-logs/runs/{run['id']}")
        page.get_by_test_id("tab-logs").click()
        expect(page.get_by_test_id("run-state")).to_have_text("running")
        lines = page.get_by_test_id("log-line")
        expect(lines.first).to_contain_text("tick 0")

        expect(lines.filter(has_text="tick 39")).to_have_count(1, timeout=30_000)
        expect(lines).to_have_count(40)
        expect(page.get_by_test_id("run-state")).to_have_text("finished", timeout=15_000)
    finally:
        proc.wait(timeout=60)
