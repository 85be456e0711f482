"""Workspace tools in a real browser: filter expressions in the runs table."""

from __future__ import annotations

import re

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e


def workspace(server: Server, project: str, query: str = "") -> str:
    return f"{server.url}/#/p/local/{project}" + (f"?{query}" if query else "")


def chart(page: Page, key: str) -> Locator:
    return page.get_by_test_id("panel").and_(page.locator(f'[data-key="{key}"]'))


def test_filter_expression_narrows_the_table_and_the_charts(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    plot = chart(page, "train_loss").get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "3")
    box = page.get_by_test_id("runs-filter")

    box.fill('lr > 0.02 and state == "finished"')
    expect(page.get_by_test_id("run-name")).to_have_text(["run-1", "run-0"])
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(page.get_by_test_id("runs-matching")).to_have_text("· 2 of 3 match")
    expect(page.get_by_test_id("filter-error")).to_have_count(0)

    # Summary keys, regexes, tags, not and parentheses.
    box.fill('val_acc >= 0.85 or (name ~ "^run-[01]$" and not lr == 0.1)')
    expect(page.get_by_test_id("run-name")).to_have_text(["run-2", "run-1"])
    expect(plot).to_have_attribute("data-series-count", "2")
    box.fill('tags contains "seed" and config.lr < 0.02')
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.get_by_test_id("run-name")).to_have_text("run-2")
    expect(plot).to_have_attribute("data-series-count", "1")
    screenshot(page, "filter-expression")

    # An error shows its position and message under the box; the charts show every run meanwhile.
    box.fill("lr > 0.02 and")
    error = page.get_by_test_id("filter-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Column 14")
    expect(error).to_contain_text("expected a field name")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(plot).to_have_attribute("data-series-count", "3")
    screenshot(page, "filter-error")
    box.fill("nope > 1")
    expect(error).to_contain_text("unknown field 'nope'")

    # Text that is not an expression stays a name search over the table.
    box.fill("run-1")
    expect(page.get_by_test_id("filter-error")).to_have_count(0)
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.get_by_test_id("run-name")).to_have_text("run-1")
    box.fill("")
    expect(page.get_by_test_id("run-row")).to_have_count(3)
    expect(plot).to_have_attribute("data-series-count", "3")


def test_filter_text_is_shown_as_text(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    expect(page.get_by_test_id("run-row")).to_have_count(3)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_test_id("runs-filter").fill('name == "<img src=x onerror=alert(1)>" and')
    expect(page.get_by_test_id("filter-error")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(page.locator(".filter-error img")).to_have_count(0)
    assert dialogs == []


GROUPED = """
import trackboard as wandb

for i, (group, opt, steps) in enumerate(
    [("cnn", "adam", 50), ("cnn", "sgd", 50), ("cnn", "adam", 30), ("mlp", "sgd", 50)]
):
    run = wandb.init(project="grouped", name=f"g-{i}", group=group, config={"opt": opt})
    for step in range(steps):
        wandb.log({"loss": (i + 1) * 0.1 + step * 0.01}, step=step)
    run.finish()
"""


def test_group_by_draws_a_mean_and_band_per_group(server: Server, page: Page) -> None:
    server.log(GROUPED)
    server.wait_for_runs("grouped", 4)
    page.goto(workspace(server, "grouped"))
    panel = chart(page, "loss")
    plot = panel.get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "4")
    expect(panel.get_by_test_id("group-legend")).to_have_count(0)

    page.get_by_test_id("group-by").select_option("group")
    expect(panel).to_have_attribute("data-grouped", "true")
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(plot).to_have_attribute("data-band-count", "2")
    items = panel.get_by_test_id("group-legend-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("cnn")
    expect(items.nth(0)).to_contain_text("3 runs")
    expect(items.nth(1)).to_contain_text("mlp")
    expect(items.nth(1)).to_contain_text("1 run")
    assert "g=group" in page.url
    minmax = plot.get_attribute("data-checksum")

    # The tooltip names each group with its run count.
    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tooltip = plot.get_by_test_id("chart-tooltip")
    expect(tooltip).to_contain_text("cnn (3 runs)")
    expect(tooltip).to_contain_text("mlp (1 run)")
    screenshot(page, "group-by")
    page.mouse.move(0, 0)

    page.get_by_test_id("group-band").select_option("std")
    assert "band=std" in page.url
    expect(plot).to_have_attribute("data-checksum", minmax or "")  # the mean line is the same
    expect(plot).to_have_attribute("data-band-count", "2")
    page.get_by_test_id("group-show-runs").check()
    expect(plot).to_have_attribute("data-series-count", "6")
    assert "gruns=1" in page.url
    screenshot(page, "group-by-with-runs")

    # The settings survive a reload; grouping by a config key.
    page.reload()
    expect(page.get_by_test_id("group-by")).to_have_value("group")
    expect(page.get_by_test_id("group-band")).to_have_value("std")
    expect(page.get_by_test_id("group-show-runs")).to_be_checked()
    expect(plot).to_have_attribute("data-series-count", "6")
    page.get_by_test_id("group-show-runs").uncheck()
    page.get_by_test_id("group-by").select_option("config.opt")
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(panel.get_by_test_id("group-legend-item")).to_have_text(
        [re.compile("adam.*2 runs"), re.compile("sgd.*2 runs")]
    )
    # A filter expression narrows the groups too.
    page.get_by_test_id("runs-filter").fill('group == "mlp"')
    expect(panel.get_by_test_id("group-legend-item")).to_have_count(1)
    expect(panel.get_by_test_id("group-legend-item")).to_contain_text("sgd")
    page.get_by_test_id("group-by").select_option("")
    expect(panel).to_have_attribute("data-grouped", "false")
    expect(plot).to_have_attribute("data-series-count", "1")


def test_pinned_runs_stay_on_top_whatever_the_sort_and_survive_reload(
    server: Server, page: Page
) -> None:
    page.goto(workspace(server, "seeded"))
    names = page.get_by_test_id("run-name")
    expect(names).to_have_text(["run-2", "run-1", "run-0"])
    page.get_by_role("button", name="Pin run-0").click()
    expect(names).to_have_text(["run-0", "run-2", "run-1"])
    expect(page.get_by_role("button", name="Unpin run-0")).to_have_attribute("aria-pressed", "true")
    # Sorting by lr, either way, keeps the pinned run first.
    page.get_by_role("button", name="config lr", exact=True).click()
    expect(names).to_have_text(["run-0", "run-2", "run-1"])
    page.get_by_role("button", name="config lr", exact=True).click()
    expect(names).to_have_text(["run-0", "run-1", "run-2"])
    # Pinned runs keep the sort among themselves.
    page.get_by_role("button", name="Pin run-2").click()
    expect(names).to_have_text(["run-0", "run-2", "run-1"])
    screenshot(page, "pinned-runs")
    page.reload()
    expect(names).to_have_text(["run-2", "run-0", "run-1"])
    expect(page.locator('[data-testid="run-row"][data-pinned="true"]')).to_have_count(2)
    page.get_by_role("button", name="Unpin run-2").click()
    page.get_by_role("button", name="Unpin run-0").click()
    expect(names).to_have_text(["run-2", "run-1", "run-0"])


def test_x_axis_can_be_another_logged_key_marked_approximate(server: Server, page: Page) -> None:
    server.log(
        """
        import trackboard as wandb
        for i in range(2):
            run = wandb.init(project="epochs", name=f"e-{i}")
            for step in range(100):
                wandb.log({"loss": 1 / (step + 1) + i, "epoch": step // 10}, step=step)
            run.finish()
        """
    )
    server.wait_for_runs("epochs", 2)
    page.goto(workspace(server, "epochs"))
    panel = chart(page, "loss")
    plot = panel.get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(panel).to_have_attribute("data-x-axis", "_step")
    expect(panel.get_by_test_id("approximate")).to_have_count(0)
    page.get_by_test_id("x-axis").select_option("epoch")
    expect(panel).to_have_attribute("data-x-axis", "epoch")
    expect(panel.get_by_test_id("approximate")).to_have_text("≈")
    expect(plot).to_have_attribute("data-series-count", "2")
    assert "x=epoch" in page.url
    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(plot.get_by_test_id("chart-tooltip")).to_contain_text("epoch")
    screenshot(page, "x-axis-epoch")
    page.reload()
    expect(page.get_by_test_id("x-axis")).to_have_value("epoch")
    expect(panel).to_have_attribute("data-x-axis", "epoch")
    page.get_by_test_id("x-axis").select_option("_step")
    expect(panel.get_by_test_id("approximate")).to_have_count(0)


def test_dragging_a_panel_corner_resizes_its_chart_and_survives_reload(
    server: Server, page: Page
) -> None:
    page.goto(workspace(server, "seeded"))
    panel = chart(page, "train_loss")
    plot = panel.get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "3")
    expect(panel).to_have_attribute("data-chart-height", "210")
    before = panel.bounding_box()
    assert before is not None
    handle = panel.get_by_test_id("resize-handle")
    box = handle.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 60, steps=4)
    page.mouse.move(x, y + 120, steps=4)
    page.mouse.up()
    expect(panel).to_have_attribute("data-chart-height", "330")
    after = panel.bounding_box()
    assert after is not None
    assert after["height"] == pytest.approx(before["height"] + 120, abs=4)
    assert after["width"] == pytest.approx(before["width"], abs=1)  # widths follow the grid
    canvas = plot.locator("canvas").bounding_box()
    assert canvas is not None and canvas["height"] > 300
    # The chart still draws every run after resizing.
    expect(plot).to_have_attribute("data-series-count", "3")
    screenshot(page, "resized-panel")
    page.reload()
    expect(panel).to_have_attribute("data-chart-height", "330")
    expect(chart(page, "train_loss").get_by_test_id("line-chart")).to_have_attribute(
        "data-series-count", "3"
    )
    # The keyboard resizes too; a double-click goes back to the default.
    handle.focus()
    page.keyboard.press("ArrowUp")
    expect(panel).to_have_attribute("data-chart-height", "310")
    handle.dblclick()
    expect(panel).to_have_attribute("data-chart-height", "210")
    page.reload()
    expect(panel).to_have_attribute("data-chart-height", "210")
