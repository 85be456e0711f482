"""Custom charts in the dashboard: confusion matrices (side by side for several runs, with a
normalised view), ROC and PR curves with their areas in the legend, line and bar charts, and
the legacy `trackboard.plots` / `trackboard.sklearn` charts."""

from __future__ import annotations

import re

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

CLASSES = ["cat", "dog", "fox"]

PLOTS = """
import numpy as np
import trackboard as wandb

classes = {classes!r}
for i in range(2):
    rng = np.random.default_rng(i)
    run = wandb.init(project="{project}", name=f"sweep-run-{{i}}")
    y = rng.integers(0, 3, 300)
    probs = rng.random((300, 3)) + np.eye(3)[y] * (0.4 + 0.3 * i)
    probs = probs / probs.sum(axis=1, keepdims=True)
    preds = probs.argmax(axis=1)
    points = wandb.Table(data=[[x, x * x * (i + 1)] for x in range(20)], columns=["x", "y"])
    counts = wandb.Table(data=[[c, 10 * (k + 1) + i] for k, c in enumerate(classes)],
                         columns=["label", "n"])
    wandb.log({{
        "cm": wandb.plot.confusion_matrix(y_true=y.tolist(), preds=preds.tolist(),
                                          class_names=classes),
        "roc": wandb.plot.roc_curve(y.tolist(), probs, labels=classes),
        "pr": wandb.plot.pr_curve(y.tolist(), probs, labels=classes),
        "squares": wandb.plot.line(points, "x", "y", title="Squares"),
        "counts": wandb.plot.bar(counts, "label", "n", title="Counts"),
        "spread": wandb.plot.histogram(
            wandb.Table(data=[[v] for v in rng.normal(i, 1, 500)], columns=["v"]), "v",
            title="Spread"),
        "cloud": wandb.plot.scatter(points, "x", "y", title="Cloud"),
    }})
    if i == 0:
        wandb.log({{"legacy_roc": wandb.plots.ROC(y, probs, classes)}})
        wandb.sklearn.plot_confusion_matrix(y, preds, classes)
        wandb.sklearn.plot_class_proportions(y[:200], y[200:], classes)
    run.finish()
"""


@pytest.fixture(scope="module")
def plots_url(server: Server) -> str:
    server.log(PLOTS.format(project="plots", classes=CLASSES), timeout=120)
    server.wait_for_runs("plots", 2)
    return f"{server.url}/#/p/local/plots"


def panel(page: Page, key: str) -> Locator:
    return page.get_by_test_id("panel").and_(page.locator(f'[data-key="{key}"]'))


def test_custom_charts_get_their_own_section_without_their_tables(
    plots_url: str, page: Page
) -> None:
    page.goto(plots_url)
    section = page.locator('[data-section="Custom charts"]')
    expect(section).to_be_visible()
    keys = ("cm", "roc", "pr", "squares", "counts", "spread", "cloud", "legacy_roc")
    for key in (*keys, "confusion_matrix", "class_proportions"):
        expect(section.locator(f'[data-key="{key}"]')).to_have_attribute(
            "data-panel-kind", "custom-chart"
        )
    expect(page.locator('[data-key="cm_table"]')).to_have_count(0)


def test_two_runs_confusion_matrices_are_side_by_side_with_their_names(
    plots_url: str, page: Page
) -> None:
    page.goto(plots_url)
    cm = panel(page, "cm")
    matrices = cm.get_by_test_id("confusion-matrix")
    expect(matrices).to_have_count(2)
    expect(matrices.nth(0)).to_have_attribute("data-run-name", "sweep-run-0")
    expect(matrices.nth(1)).to_have_attribute("data-run-name", "sweep-run-1")
    expect(matrices.nth(0).get_by_text("sweep-run-0")).to_be_visible()
    expect(matrices.nth(1).get_by_text("sweep-run-1")).to_be_visible()
    for m in (matrices.nth(0), matrices.nth(1)):
        expect(m.get_by_test_id("confusion-canvas")).to_have_attribute("data-drawn", "true")
        expect(m.get_by_test_id("confusion-canvas")).to_have_attribute("data-classes", "3")
        expect(m.get_by_test_id("confusion-canvas")).to_have_attribute("data-cell-text", "true")
        expect(m.get_by_text("Predicted", exact=True)).to_be_visible()
        expect(m.get_by_text("Actual", exact=True)).to_be_visible()
        for name in CLASSES:
            expect(m.get_by_test_id("class-label").filter(has_text=name)).to_be_visible()
    boxes = [matrices.nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1
    screenshot(page, "plots-confusion-two-runs")


def test_confusion_matrix_normalises_and_picks_one_run(plots_url: str, page: Page) -> None:
    page.goto(plots_url)
    cm = panel(page, "cm")
    cm.get_by_test_id("normalize-toggle").click()
    canvases = cm.get_by_test_id("confusion-canvas")
    expect(canvases.first).to_have_attribute("data-normalized", "true")
    expect(canvases.first).to_have_attribute("data-drawn", "true")
    cm.get_by_test_id("chart-run-picker").select_option(label="sweep-run-1")
    expect(cm.get_by_test_id("confusion-matrix")).to_have_count(1)
    expect(cm.get_by_test_id("confusion-matrix")).to_have_attribute("data-run-name", "sweep-run-1")


def test_roc_and_pr_legends_carry_each_run_and_class_area(plots_url: str, page: Page) -> None:
    page.goto(plots_url)
    roc = panel(page, "roc")
    expect(roc).to_have_attribute("data-chart-kind", "roc")
    expect(roc.get_by_test_id("curve-canvas")).to_have_attribute("data-drawn", "true")
    entries = roc.get_by_test_id("legend-entry")
    expect(entries).to_have_count(6)
    expect(entries.first).to_have_text(re.compile(r"sweep-run-0 · cat \(AUC [01]\.\d{3}\)"))
    roc.get_by_test_id("chart-class-picker").select_option("dog")
    expect(entries).to_have_count(2)
    expect(entries.nth(1)).to_have_text(re.compile(r"sweep-run-1 · dog \(AUC [01]\.\d{3}\)"))
    pr = panel(page, "pr")
    expect(pr).to_have_attribute("data-chart-kind", "pr")
    expect(pr.get_by_test_id("legend-entry").first).to_have_text(
        re.compile(r"cat \(AP [01]\.\d{3}\)")
    )
    expect(pr.get_by_test_id("curve-canvas")).to_have_attribute("data-drawn", "true")
    roc.scroll_into_view_if_needed()
    screenshot(page, "plots-curves")


def test_line_bar_and_legacy_charts_draw(plots_url: str, page: Page) -> None:
    page.goto(plots_url)
    line = panel(page, "squares")
    expect(line.get_by_text("Squares")).to_be_visible()
    expect(line.get_by_test_id("curve-canvas")).to_have_attribute("data-drawn", "true")
    expect(line.get_by_test_id("curve-canvas")).to_have_attribute("data-series", "2")
    bars = panel(page, "counts").get_by_test_id("chart-bars")
    for name in CLASSES:
        expect(bars.get_by_text(name, exact=True)).to_be_visible()
    legacy = panel(page, "legacy_roc")
    expect(legacy.get_by_test_id("curve-canvas")).to_have_attribute("data-drawn", "true")
    expect(legacy.get_by_test_id("legend-entry")).to_have_count(3)
    expect(legacy.get_by_test_id("legend-entry").first).to_have_text(re.compile(r"cat \(AUC"))
    sk = panel(page, "confusion_matrix")
    expect(sk.get_by_test_id("confusion-canvas")).to_have_attribute("data-drawn", "true")
    for name in CLASSES:
        expect(sk.get_by_test_id("class-label").filter(has_text=name)).to_be_visible()
    line.scroll_into_view_if_needed()
    screenshot(page, "plots-line-bar-legacy")


def test_run_page_shows_one_runs_custom_charts(plots_url: str, page: Page) -> None:
    page.goto(plots_url)
    page.get_by_role("link", name="sweep-run-1").first.click()
    cm = panel(page, "cm")
    expect(cm.get_by_test_id("confusion-matrix")).to_have_count(1)
    expect(cm.get_by_test_id("confusion-matrix")).to_have_attribute("data-run-name", "sweep-run-1")


def test_histogram_scatter_and_other_presets_draw(plots_url: str, page: Page) -> None:
    page.goto(plots_url)
    spread = panel(page, "spread")
    spread.scroll_into_view_if_needed()
    expect(spread).to_have_attribute("data-chart-kind", "histogram")
    expect(spread.get_by_test_id("curve-canvas")).to_have_attribute("data-drawn", "true")
    expect(spread.get_by_test_id("legend-entry")).to_have_text(["sweep-run-0", "sweep-run-1"])
    cloud = panel(page, "cloud")
    expect(cloud).to_have_attribute("data-chart-kind", "scatter")
    expect(cloud.get_by_test_id("curve-canvas")).to_have_attribute("data-points", "40")
    other = panel(page, "class_proportions")
    other.scroll_into_view_if_needed()
    expect(other).to_have_attribute("data-chart-kind", "generic")
    preview = other.get_by_test_id("chart-table-preview")
    for column in ("class", "dataset", "count"):
        expect(preview.get_by_role("columnheader", name=column)).to_be_visible()
    expect(other.get_by_test_id("chart-bars").get_by_text("cat · train")).to_be_visible()
    screenshot(page, "plots-other-presets")
