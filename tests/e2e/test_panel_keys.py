"""Line panels: more than one key on a chart, log x axes, and keys hidden by define_metric."""

from __future__ import annotations

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

LOSSES = """
import math
import trackboard as wandb

for i in range(2):
    run = wandb.init(project="{project}", name=f"run-{{i}}")
    run.define_metric("secret", hidden=True)
    for step in range(1, 101):
        wandb.log({{"train_loss": math.exp(-step / (20 + 10 * i)),
                   "val_loss": 1.2 * math.exp(-step / (25 + 10 * i)),
                   "secret": step * 2.0}}, step=step)
    run.finish()
"""


def losses(server: Server, project: str) -> str:
    server.log(LOSSES.format(project=project))
    server.wait_for_runs(project, 2)
    return f"{server.url}/#/p/local/{project}"


def chart(page: Page, key: str) -> Locator:
    return page.get_by_test_id("panel").and_(page.locator(f'[data-key="{key}"]'))


def test_a_line_panel_shows_more_keys_and_keeps_them_across_reloads(
    server: Server, page: Page
) -> None:
    page.goto(losses(server, "multikey"))
    panel = chart(page, "train_loss")
    plot = panel.get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(panel.get_by_test_id("key-legend")).to_have_count(0)

    add = panel.get_by_role("combobox", name="Add a key to train_loss")
    expect(add.locator("option")).to_have_text(["+ key", "val_loss"])
    add.select_option("val_loss")
    expect(plot).to_have_attribute("data-series-count", "4")
    expect(plot).to_have_attribute("data-dashed-count", "2")
    legend = panel.get_by_test_id("key-legend-item")
    expect(legend).to_have_text([" train_loss", " val_loss ×"])
    expect(add).to_have_count(0)  # no other key left to add

    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    tooltip = plot.get_by_test_id("chart-tooltip")
    expect(tooltip).to_contain_text("· val_loss")
    expect(tooltip).to_contain_text("· train_loss")
    screenshot(page, "two-keys")

    # The other panels are unchanged, and the choice survives a reload.
    expect(chart(page, "val_loss").get_by_test_id("line-chart")).to_have_attribute(
        "data-series-count", "2"
    )
    page.reload()
    expect(plot).to_have_attribute("data-series-count", "4")
    expect(legend).to_have_count(2)

    panel.get_by_role("button", name="Remove val_loss from train_loss").click()
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(plot).to_have_attribute("data-dashed-count", "0")
    page.reload()
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(panel.get_by_test_id("key-legend")).to_have_count(0)


def test_log_x_axis_is_toggled_per_panel_and_survives_reload(server: Server, page: Page) -> None:
    page.goto(losses(server, "logx"))
    panel = chart(page, "train_loss")
    plot = panel.get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(plot).to_have_attribute("data-log-x", "false")
    points = plot.get_attribute("data-points")
    toggle = panel.get_by_role("button", name="Logarithmic x axis")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(plot).to_have_attribute("data-log-x", "true")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(plot).to_have_attribute("data-log-y", "false")
    expect(plot).to_have_attribute("data-points", points or "")  # steps start at 1: all drawn
    # Only this panel.
    expect(chart(page, "val_loss").get_by_test_id("line-chart")).to_have_attribute(
        "data-log-x", "false"
    )
    screenshot(page, "log-x")
    page.reload()
    expect(plot).to_have_attribute("data-log-x", "true")
    # Both axes logarithmic at once.
    panel.get_by_test_id("log-toggle").click()
    expect(plot).to_have_attribute("data-log-y", "true")
    expect(plot).to_have_attribute("data-log-x", "true")
    panel.get_by_role("button", name="Logarithmic x axis").click()
    expect(plot).to_have_attribute("data-log-x", "false")
    page.reload()
    expect(plot).to_have_attribute("data-log-x", "false")
    expect(plot).to_have_attribute("data-log-y", "true")


def test_keys_hidden_by_define_metric_get_no_panel(server: Server, page: Page) -> None:
    page.goto(losses(server, "hiddenkeys"))
    expect(chart(page, "train_loss").get_by_test_id("line-chart")).to_have_attribute(
        "data-series-count", "2"
    )
    expect(page.get_by_test_id("panel")).to_have_count(2)
    expect(chart(page, "val_loss")).to_have_count(1)
    expect(chart(page, "secret")).to_have_count(0)
    # Not offered as a key to add to another chart either, nor found by the panel search.
    add = chart(page, "train_loss").get_by_role("combobox", name="Add a key to train_loss")
    expect(add.locator("option")).to_have_text(["+ key", "val_loss"])
    page.get_by_test_id("panel-search").fill("secret")
    expect(page.get_by_test_id("no-panels")).to_be_visible()
    # Its summary is still a column of the runs table.
    expect(page.get_by_role("button", name="summary secret", exact=True)).to_be_visible()
    screenshot(page, "hidden-key")
