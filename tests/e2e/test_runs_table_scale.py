"""The runs table at scale in a real browser: 10,000 runs and about 300 config and summary
columns, of which only a window of rows and columns is ever in the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Page, expect

from trackboard.api import local_store
from trackboard.store.base import RunChanges, SeriesColumns

pytestmark = pytest.mark.e2e

RUNS = 10_000
SPREAD = 150
"""Run i has config ``opt_{i % SPREAD}`` and summary ``metric_{i % SPREAD}`` besides the
keys every run has, so the project has 2 * SPREAD + 4 such columns while each run stays small."""
COLUMNS = 5 + 2 * SPREAD + 4
LAST_COLUMN = "summary.val_acc"


def seed_scale_project(root: Path) -> None:
    """Writes the runs straight into the root's store: the SDK would take minutes for 10,000."""
    store = local_store(root)
    steps = np.arange(3, dtype=np.int64)
    try:
        for i in range(RUNS):
            store.append(
                RunChanges(
                    entity="local",
                    project="scale",
                    run_id=f"r{i:05d}",
                    session="seed",
                    first_seq=0,
                    last_seq=0,
                    start={"name": f"run-{i:05d}", "tags": ["scale"], "start_time": 1.7e9 + i},
                    config_set={"lr": 1e-4 * (i + 1), "seed": i, f"opt_{i % SPREAD:03d}": i},
                    summary_set={
                        "val_acc": i / RUNS,
                        "loss": 1 - i / RUNS,
                        f"metric_{i % SPREAD:03d}": float(i),
                    },
                    series={
                        "train_loss": SeriesColumns(
                            steps=steps,
                            values=1.0 / (steps + 1 + i % 7),
                            walls=1.7e9 + i + steps.astype(np.float64),
                        )
                    },
                    state="finished",
                    runtime=float(i % 1000),
                )
            )
    finally:
        store.close()


@pytest.fixture(scope="module")
def scale_server(
    tmp_path_factory: pytest.TempPathFactory, built_dashboard: None
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("trackboard-scale")
    seed_scale_project(root)
    srv = Server(root)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def table(scale_server: Server, page: Page) -> Page:
    # Generous: the server sends 10,000 runs while the machine may be busy with other work.
    page.set_default_timeout(30_000)
    page.goto(f"{scale_server.url}/#/p/local/scale")
    expect(page.get_by_test_id("runs-count")).to_have_text(
        f"{RUNS} of {RUNS} shown", timeout=30_000
    )
    return page


def drawn_columns(page: Page) -> int:
    return page.get_by_test_id("run-col").count()


def test_table_draws_a_window_of_rows_and_columns_and_reaches_the_last_of_each(table: Page) -> None:
    page = table
    # Every run is drawn on the chart, yet nothing in the page grows with the number of runs.
    plot = page.get_by_test_id("panel").and_(page.locator('[data-key="train_loss"]'))
    expect(plot.get_by_test_id("line-chart")).to_have_attribute(
        "data-series-count", str(RUNS), timeout=30_000
    )
    # Past 1,000 lines the chart leaves out the min/max bands, which would take seconds a draw.
    expect(plot.get_by_test_id("line-chart")).to_have_attribute("data-band-count", "0")
    nodes = page.evaluate("document.querySelectorAll('*').length")
    assert nodes < RUNS / 4, nodes
    scroller = page.get_by_test_id("runs-scroll")
    expect(scroller).to_have_attribute("data-columns", str(COLUMNS))
    rows = page.get_by_test_id("run-row")
    assert 10 < rows.count() < 100
    assert 3 < drawn_columns(page) < 30
    cells = rows.first.locator("td").count()
    assert cells < 40

    # Newest first: the last row is the oldest run.
    scroller.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(page.get_by_test_id("run-name").last).to_have_text("run-00000")
    assert rows.count() < 100

    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    last = page.locator(f'[data-testid="run-col"][data-col="{LAST_COLUMN}"]')
    expect(last).to_be_in_viewport()
    expect(rows.last.locator(f'td[data-col="{LAST_COLUMN}"]')).to_have_text("0")
    # The name column stays in view, and the columns drawn are still a window.
    expect(page.get_by_test_id("run-name").last).to_be_in_viewport()
    assert 3 < drawn_columns(page) < 30
    assert rows.last.locator("td").count() < 40
    screenshot(page, "runs-table-scale-corner")


def test_sorting_by_a_summary_column_found_in_the_columns_menu(table: Page) -> None:
    page = table
    page.get_by_test_id("columns-button").click()
    menu = page.get_by_role("dialog", name="Columns")
    menu.get_by_role("searchbox", name="Search columns").fill("metric_007")
    expect(menu.get_by_test_id("column-option")).to_have_count(1)
    screenshot(page, "runs-table-columns-menu")
    menu.get_by_role("button", name="Pin column summary metric_007 to the front").click()
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    headers = page.get_by_test_id("run-col")
    expect(headers.nth(1)).to_have_attribute("data-col", "summary.metric_007")

    sort = page.get_by_role("button", name="summary metric_007", exact=True)
    sort.click()
    names = page.get_by_test_id("run-name")
    expect(names.first).to_have_text("run-00007")
    sort.click()
    largest = (RUNS - 1 - 7) // SPREAD * SPREAD + 7
    expect(names.first).to_have_text(f"run-{largest:05d}")
    expect(page.get_by_role("columnheader", name="summary metric_007")).to_have_attribute(
        "aria-sort", "descending"
    )

    # The column stays at the front after a reload.
    page.reload()
    expect(page.get_by_test_id("run-col").nth(1)).to_have_attribute(
        "data-col", "summary.metric_007", timeout=30_000
    )


def test_columns_menu_hides_and_shows_columns(table: Page) -> None:
    page = table
    page.get_by_test_id("columns-button").click()
    menu = page.get_by_role("dialog", name="Columns")
    menu.get_by_test_id("columns-hide-all").click()
    expect(page.get_by_test_id("run-col")).to_have_count(1)
    expect(page.get_by_test_id("run-name").first).to_be_visible()
    expect(page.get_by_test_id("columns-button")).to_contain_text(f"0/{COLUMNS - 1}")

    menu.get_by_role("searchbox", name="Search columns").fill("config seed")
    menu.get_by_role("checkbox", name="seed").check()
    expect(page.get_by_test_id("run-col")).to_have_count(2)
    expect(page.get_by_test_id("run-col").nth(1)).to_have_attribute("data-col", "config.seed")

    menu.get_by_role("searchbox", name="Search columns").fill("")
    menu.get_by_test_id("columns-show-all").click()
    expect(page.get_by_test_id("columns-button")).to_contain_text(f"{COLUMNS - 1}/{COLUMNS - 1}")
    menu.get_by_role("checkbox", name="State").uncheck()
    expect(page.locator('[data-testid="run-col"][data-col="state"]')).to_have_count(0)
    menu.get_by_role("checkbox", name="State").check()
    expect(page.locator('[data-testid="run-col"][data-col="state"]')).to_have_count(1)


def test_filter_and_hiding_runs_at_scale(table: Page) -> None:
    page = table
    box = page.get_by_test_id("runs-filter")
    box.fill("run-04321")
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.get_by_test_id("run-name")).to_have_text("run-04321")
    box.fill("seed == 1234 or seed == 8765")
    expect(page.get_by_test_id("run-name")).to_have_text(["run-08765", "run-01234"], timeout=20_000)
    expect(page.get_by_test_id("runs-matching")).to_have_text(f"· 2 of {RUNS} match")
    box.fill("")
    expect(page.get_by_test_id("runs-count")).to_have_text(f"{RUNS} of {RUNS} shown")

    first = page.get_by_test_id("run-row").first
    first.get_by_test_id("run-eye").click()
    expect(page.get_by_test_id("runs-count")).to_have_text(f"{RUNS - 1} of {RUNS} shown")
    expect(first.get_by_test_id("run-eye")).to_have_attribute("aria-pressed", "false")
    first.get_by_test_id("run-eye").click()
    expect(page.get_by_test_id("runs-count")).to_have_text(f"{RUNS} of {RUNS} shown")
