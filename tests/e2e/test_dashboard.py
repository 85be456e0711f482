"""The dashboard in a real browser against `trackboard ui`."""

from __future__ import annotations

import re
import time

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"


def workspace(server: Server, project: str, query: str = "") -> str:
    return f"{server.url}/#/p/local/{project}" + (f"?{query}" if query else "")


def chart(page: Page, key: str) -> Locator:
    return page.get_by_test_id("panel").and_(page.locator(f'[data-key="{key}"]'))


def test_workspace_shows_a_chart_per_key_with_a_series_per_run(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    loss = chart(page, "train_loss")
    expect(loss.get_by_test_id("line-chart")).to_have_attribute("data-series-count", "3")
    expect(page.get_by_test_id("run-row")).to_have_count(3)
    expect(page.get_by_test_id("run-swatch")).to_have_count(3)
    colours = page.get_by_test_id("run-swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    assert len(set(colours)) == 3
    screenshot(page, "workspace")


def test_single_value_keys_are_bar_charts(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    bars = chart(page, "val_acc").get_by_test_id("bar-chart")
    expect(bars).to_have_attribute("data-bar-count", "3")
    expect(chart(page, "val_acc")).to_have_attribute("data-panel-kind", "bar")


def test_hover_shows_the_values_of_nearest_runs(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    plot = chart(page, "train_loss").get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "3")
    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tooltip = plot.get_by_test_id("chart-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("run-0")
    expect(tooltip).to_contain_text("Step")
    # The float32 bucket values are replaced by exact float64 values fetched for the tooltip.
    expect(tooltip.locator('[data-exact="true"]')).to_have_count(3)
    screenshot(page, "hover")


def test_smoothing_changes_the_drawn_line_and_survives_reload(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    plot = chart(page, "train_loss").get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "3")
    expect(plot).to_have_attribute("data-raw-count", "0")
    raw = plot.get_attribute("data-checksum")
    page.get_by_test_id("smoothing-kind").select_option("ema")
    slider = page.get_by_test_id("smoothing-weight")
    slider.evaluate(
        "el => { el.value = '0.9'; el.dispatchEvent(new Event('input', { bubbles: true })); }"
    )
    expect(plot).not_to_have_attribute("data-checksum", raw or "")
    # The raw line stays, faint, behind each smoothed line; the min/max band stays too.
    expect(plot).to_have_attribute("data-raw-count", "3")
    expect(plot).to_have_attribute("data-band-count", "3")
    smoothed = plot.get_attribute("data-checksum")
    assert "smooth=ema" in page.url
    page.reload()
    expect(plot).to_have_attribute("data-checksum", smoothed or "")
    expect(page.get_by_test_id("smoothing-value")).to_have_text("0.9")
    for kind in ("twema", "average", "gaussian"):
        page.get_by_test_id("smoothing-kind").select_option(kind)
        expect(plot).not_to_have_attribute("data-checksum", raw or "")
    screenshot(page, "smoothing")


def test_drag_zoom_refetches_finer_buckets_and_dblclick_resets(server: Server, page: Page) -> None:
    server.log(
        """
        import math
        import trackboard as wandb
        wandb.init(project="zoom", name="long")
        for step in range(6000):
            wandb.log({"loss": math.sin(step / 300) + (5 if step == 3001 else 0)}, step=step)
        wandb.finish()
        """
    )
    server.wait_for_runs("zoom", 1)
    page.goto(workspace(server, "zoom"))
    panel = chart(page, "loss")
    expect(panel.get_by_test_id("line-chart")).to_have_attribute("data-series-count", "1")
    expect(panel).to_have_attribute("data-loading", "false")
    wide = float(panel.get_attribute("data-width") or "0")
    assert wide > 1
    requests = int(panel.get_attribute("data-requests") or "0")
    over = panel.get_by_test_id("line-chart")
    box = over.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.4
    page.mouse.move(box["x"] + box["width"] * 0.45, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=5)
    page.mouse.up()
    expect(panel).to_have_attribute("data-zoomed", "true")
    expect(panel).to_have_attribute("data-loading", "false")
    assert int(panel.get_attribute("data-requests") or "0") > requests
    assert float(panel.get_attribute("data-width") or "0") < wide
    screenshot(page, "zoomed")
    page.mouse.dblclick(box["x"] + box["width"] * 0.5, y)
    expect(panel).to_have_attribute("data-zoomed", "false")
    expect(panel).to_have_attribute("data-width", f"{wide:g}")


def test_log_scale_and_collapsed_sections_survive_reload(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    panel = chart(page, "train_loss")
    panel.get_by_test_id("log-toggle").click()
    expect(panel.get_by_test_id("line-chart")).to_have_attribute("data-log-y", "true")
    section = page.get_by_test_id("section").first
    section.get_by_test_id("section-toggle").click()
    expect(section.get_by_test_id("section-toggle")).to_have_attribute("aria-expanded", "false")
    page.reload()
    expect(page.get_by_test_id("section").first.get_by_test_id("section-toggle")).to_have_attribute(
        "aria-expanded", "false"
    )
    page.get_by_test_id("section").first.get_by_test_id("section-toggle").click()
    expect(chart(page, "train_loss").get_by_test_id("line-chart")).to_have_attribute(
        "data-log-y", "true"
    )
    chart(page, "train_loss").get_by_test_id("log-toggle").click()


def test_panel_search_filters_keys(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    expect(page.get_by_test_id("panel")).to_have_count(3)
    page.get_by_test_id("panel-search").fill("val_")
    expect(page.get_by_test_id("panel")).to_have_count(2)
    assert "q=val_" in page.url


def test_eye_toggle_hides_a_run_from_every_chart(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    plot = chart(page, "train_loss").get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "3")
    row = page.get_by_test_id("run-row").filter(has_text="run-1")
    row.get_by_test_id("run-eye").click()
    expect(plot).to_have_attribute("data-series-count", "2")
    expect(chart(page, "val_acc").get_by_test_id("bar-chart")).to_have_attribute(
        "data-bar-count", "2"
    )
    row.get_by_test_id("run-eye").click()
    expect(plot).to_have_attribute("data-series-count", "3")
    row.hover()
    run_id = row.get_attribute("data-run-id") or ""
    expect(plot).to_have_attribute("data-highlight", run_id)
    screenshot(page, "highlight")


def test_runs_table_sorts_by_a_config_column(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    page.get_by_role("button", name="config lr", exact=True).click()
    names = page.get_by_test_id("run-name")
    expect(names).to_have_text(["run-2", "run-1", "run-0"])
    page.get_by_role("button", name="config lr", exact=True).click()
    expect(names).to_have_text(["run-0", "run-1", "run-2"])


def test_run_logged_while_page_is_open_appears_without_reload(server: Server, page: Page) -> None:
    server.log(
        """
        import trackboard as wandb
        wandb.init(project="live", name="first")
        for step in range(5):
            wandb.log({"loss": 1.0 / (step + 1)}, step=step)
        wandb.finish()
        """
    )
    server.wait_for_runs("live", 1)
    page.goto(workspace(server, "live"))
    plot = chart(page, "loss").get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "1")
    server.log(
        """
        import trackboard as wandb
        wandb.init(project="live", name="second")
        for step in range(5):
            wandb.log({"loss": 2.0 / (step + 1)}, step=step)
        wandb.finish()
        """
    )
    logged = time.monotonic()
    expect(page.get_by_test_id("run-row")).to_have_count(2, timeout=3000)
    expect(plot).to_have_attribute("data-series-count", "2", timeout=3000)
    assert time.monotonic() - logged < 3.5


def test_run_page_shows_overview_config_summary_and_charts(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    page.get_by_test_id("run-name").filter(has_text="run-0").click()
    expect(page.get_by_test_id("run-page")).to_be_visible()
    expect(page.get_by_test_id("run-title")).to_have_text("run-0")
    expect(page.get_by_test_id("run-state")).to_have_text("finished")
    expect(page.get_by_test_id("run-config")).to_contain_text("lr")
    expect(page.get_by_test_id("run-summary")).to_contain_text("train_loss")
    expect(chart(page, "train_loss").get_by_test_id("line-chart")).to_have_attribute(
        "data-series-count", "1"
    )
    screenshot(page, "run-page")


def test_chart_exports_png_and_csv(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    panel = chart(page, "train_loss")
    expect(panel.get_by_test_id("line-chart")).to_have_attribute("data-series-count", "3")
    with page.expect_download() as png:
        panel.get_by_test_id("export-png").click()
    path = png.value.path()
    assert png.value.suggested_filename == "train_loss.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as csv:
        panel.get_by_test_id("export-csv").click()
    text = csv.value.path().read_text()
    lines = text.strip().splitlines()
    assert lines[0] == "run_id,run_name,_step,value,min,max,mean"
    assert len(lines) == 1 + 3 * 60


def test_user_text_is_shown_as_text_and_never_run(server: Server, page: Page) -> None:
    server.log(
        f"""
        import trackboard as wandb
        wandb.init(project="xss", name={XSS!r}, tags=[{XSS!r}], config={{{XSS!r}: {XSS!r}}})
        for step in range(3):
            wandb.log({{{XSS!r}: float(step)}}, step=step)
        wandb.finish()
        """
    )
    server.wait_for_runs("xss", 1)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(workspace(server, "xss"))
    expect(page.get_by_test_id("run-name")).to_have_text(XSS)
    expect(page.get_by_test_id("run-tag")).to_have_text(XSS)
    expect(page.get_by_role("heading", name=XSS)).to_be_visible()
    expect(page.locator("img[src=x]")).to_have_count(0)
    plot = chart(page, XSS).get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "1")
    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
    expect(plot.get_by_test_id("chart-tooltip")).to_contain_text(XSS)
    page.get_by_test_id("run-name").click()
    expect(page.get_by_test_id("run-title")).to_have_text(XSS)
    expect(page.get_by_test_id("run-config")).to_contain_text(XSS)
    expect(page.locator("img[src=x]")).to_have_count(0)
    page.wait_for_timeout(300)
    screenshot(page, "xss")
    assert dialogs == []


def test_nan_and_infinite_values_are_marked_on_the_chart(server: Server, page: Page) -> None:
    server.log(
        """
        import trackboard as wandb
        wandb.init(project="nan", name="diverged")
        for step in range(20):
            value = float("nan") if step == 8 else (float("inf") if step == 12 else step * 0.5)
            wandb.log({"loss": value}, step=step)
        wandb.finish()
        """
    )
    server.wait_for_runs("nan", 1)
    page.goto(workspace(server, "nan"))
    plot = chart(page, "loss").get_by_test_id("line-chart")
    expect(plot).to_have_attribute("data-series-count", "1")
    expect(plot).to_have_attribute("data-flagged", "1")
    expect(plot).to_have_attribute("data-points", "18")


def test_x_axis_can_be_relative_or_wall_time(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    panel = chart(page, "train_loss")
    expect(panel).to_have_attribute("data-x-axis", "_step")
    page.get_by_test_id("x-axis").select_option("_runtime")
    expect(panel).to_have_attribute("data-x-axis", "_runtime")
    expect(panel.get_by_test_id("line-chart")).to_have_attribute("data-series-count", "3")
    assert "x=_runtime" in page.url
    page.get_by_test_id("x-axis").select_option("_timestamp")
    expect(panel).to_have_attribute("data-x-axis", "_timestamp")
    expect(panel.get_by_test_id("line-chart")).to_have_attribute("data-series-count", "3")
    screenshot(page, "wall-time")


def test_a_panel_expands_to_full_width(server: Server, page: Page) -> None:
    page.goto(workspace(server, "seeded"))
    panel = chart(page, "train_loss")
    expect(panel.get_by_test_id("line-chart")).to_have_attribute("data-series-count", "3")
    before = panel.bounding_box()
    panel.get_by_test_id("expand").click()
    expect(panel.get_by_test_id("expand")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(200)
    after = panel.bounding_box()
    assert before is not None and after is not None
    assert after["width"] > before["width"] * 1.5
    assert after["height"] > before["height"] * 1.5
    screenshot(page, "expanded")


def test_projects_page_lists_projects_and_opens_a_workspace(server: Server, page: Page) -> None:
    server.log(
        """
        import trackboard as wandb
        wandb.init(project="second")
        wandb.log({"x": 1.0})
        wandb.finish()
        """
    )
    server.wait_for_runs("second", 1)
    page.goto(f"{server.url}/")
    table = page.get_by_test_id("projects")
    expect(table.get_by_role("link", name="seeded")).to_be_visible()
    expect(table.get_by_role("link", name="second")).to_be_visible()
    screenshot(page, "projects")
    table.get_by_role("link", name="seeded").click()
    expect(page).to_have_title("seeded · trackboard")
    expect(page.get_by_test_id("run-row")).to_have_count(3)


def test_points_of_a_running_run_appear_without_reload(server: Server, page: Page) -> None:
    proc = server.start(
        """
        import time
        import trackboard as wandb
        wandb.init(project="growing", name="training")
        for step in range(40):
            wandb.log({"loss": 1.0 / (step + 1)}, step=step)
            time.sleep(0.15)
        wandb.finish()
        """
    )
    try:
        page.goto(workspace(server, "growing"))
        plot = chart(page, "loss").get_by_test_id("line-chart")
        expect(plot).to_have_attribute("data-series-count", "1", timeout=5000)
        first = int(plot.get_attribute("data-points") or "0")
        expect(plot).not_to_have_attribute("data-points", str(first), timeout=5000)
        expect(page.get_by_test_id("run-row")).to_contain_text("running")
        expect(plot).to_have_attribute("data-points", "40", timeout=10000)
        expect(page.get_by_test_id("run-row")).to_contain_text("finished", timeout=5000)
    finally:
        proc.wait(timeout=30)


def test_runs_table_renders_only_rows_in_view(server: Server, page: Page) -> None:
    server.log(
        """
        import trackboard as wandb
        for i in range(300):
            wandb.init(project="wide", name=f"r{i:03d}", config={"i": i})
            wandb.log({"loss": float(i)}, step=0)
            wandb.log({"loss": float(i) / 2}, step=1)
            wandb.finish()
        """
    )
    server.wait_for_runs("wide", 300)
    page.goto(workspace(server, "wide"))
    expect(page.get_by_test_id("runs-count")).to_have_text("300 of 300 shown")
    expect(chart(page, "loss").get_by_test_id("line-chart")).to_have_attribute(
        "data-series-count", "300"
    )
    rows = page.get_by_test_id("run-row")
    assert 10 < rows.count() < 100
    page.get_by_role("button", name="config i", exact=True).click()
    expect(rows.first).to_have_attribute("data-run-id", re.compile(".+"))
    expect(page.get_by_test_id("run-name").first).to_have_text("r000")
    scroller = page.get_by_test_id("runs-scroll")
    scroller.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(page.get_by_test_id("run-name").last).to_have_text("r299")
    assert rows.count() < 100
    screenshot(page, "many-runs")
