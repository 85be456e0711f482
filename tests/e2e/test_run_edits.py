"""Editing runs from the dashboard: name, tags and notes, on the run page and from the table."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from e2e_support import SEED, Server, screenshot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def seeded(server: Server, project: str) -> str:
    server.log(SEED.format(project=project))
    server.wait_for_runs(project, 3)
    return f"{server.url}/#/p/local/{project}"


def test_editing_a_run_from_the_table_and_the_run_page_survives_reload(
    server: Server, page: Page
) -> None:
    page.goto(seeded(server, "edits"))
    names = page.get_by_test_id("run-name")
    expect(names).to_have_text(["run-2", "run-1", "run-0"])

    # From the runs table: rename and add tags; the table and the legend follow at once.
    page.get_by_test_id("run-row").filter(has_text="run-1").hover()
    page.get_by_role("button", name="Edit run-1").click()
    editor = page.get_by_role("dialog")
    expect(editor).to_be_visible()
    editor.get_by_test_id("edit-name").fill("<b>x</b>")
    editor.get_by_role("button", name="Remove tag seed").click()
    editor.get_by_label("New tag").fill("best")
    editor.get_by_label("New tag").press("Enter")
    editor.get_by_label("New tag").fill("<i>t</i>")
    editor.get_by_role("button", name="Add", exact=True).click()
    expect(editor.get_by_test_id("edit-tag")).to_have_text(["best×", "<i>t</i>×"])
    editor.get_by_test_id("edit-notes").fill("first line\n<script>alert(1)</script>")
    screenshot(page, "run-editor")
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(names).to_have_text(["run-2", "<b>x</b>", "run-0"])
    row = page.get_by_test_id("run-row").filter(has_text="<b>x</b>")
    expect(row.get_by_test_id("run-tag")).to_have_text(["best", "<i>t</i>"])
    expect(page.locator("b", has_text="x")).to_have_count(0)
    screenshot(page, "run-edited-table")

    page.reload()
    expect(names).to_have_text(["run-2", "<b>x</b>", "run-0"])
    expect(row.get_by_test_id("run-tag")).to_have_text(["best", "<i>t</i>"])

    # On the run page: the edit made from the table is there; edit again.
    row.get_by_test_id("run-name").click()
    expect(page.get_by_test_id("run-title")).to_have_text("<b>x</b>")
    expect(page.get_by_test_id("run-notes")).to_have_text("first line\n<script>alert(1)</script>")
    page.get_by_role("button", name="Edit", exact=True).click()
    editor = page.get_by_role("dialog")
    editor.get_by_test_id("edit-name").fill("renamed")
    editor.get_by_role("button", name="Remove tag best").click()
    editor.get_by_test_id("edit-notes").fill("second notes")
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("run-title")).to_have_text("renamed")
    expect(page.get_by_test_id("run-tags")).to_have_text("<i>t</i>")
    expect(page.get_by_test_id("run-notes")).to_have_text("second notes")
    screenshot(page, "run-edited-page")

    page.reload()
    expect(page.get_by_test_id("run-title")).to_have_text("renamed")
    expect(page.get_by_test_id("run-tags")).to_have_text("<i>t</i>")
    expect(page.get_by_test_id("run-notes")).to_have_text("second notes")
    expect(page.locator("script", has_text="alert")).to_have_count(0)

    # Escape closes the editor without saving.
    page.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_role("dialog").get_by_test_id("edit-name").fill("not saved")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("run-title")).to_have_text("renamed")


def run_ids(server: Server, project: str) -> dict[str, str]:
    url = f"{server.url}/api/v1/projects/local/{project}/runs"
    with urllib.request.urlopen(url, timeout=5) as resp:
        return {r["name"]: r["id"] for r in json.load(resp)["runs"]}


def test_deleting_runs_from_the_table_the_run_page_and_elsewhere(
    server: Server, page: Page
) -> None:
    page.goto(seeded(server, "deletes"))
    ids = run_ids(server, "deletes")
    folder = server.root / "local" / "deletes"
    assert all((folder / run_id).is_dir() for run_id in ids.values())
    names = page.get_by_test_id("run-name")
    plot = page.locator('[data-testid="panel"][data-key="train_loss"]').get_by_test_id("line-chart")
    expect(names).to_have_text(["run-2", "run-1", "run-0"])
    expect(plot).to_have_attribute("data-series-count", "3")

    # From the table, through the editor, after a confirmation; cancelling keeps the run.
    page.get_by_test_id("run-row").filter(has_text="run-1").hover()
    page.get_by_role("button", name="Edit run-1").click()
    page.get_by_role("button", name="Delete run…").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("run-1")
    confirm.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_role("button", name="Delete run…").click()
    screenshot(page, "delete-confirm")
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(names).to_have_text(["run-2", "run-0"])
    expect(plot).to_have_attribute("data-series-count", "2")
    assert not (folder / ids["run-1"]).exists()
    assert set(run_ids(server, "deletes")) == {"run-0", "run-2"}
    time.sleep(2.5)  # a few follower polls: the run does not come back
    page.reload()
    expect(names).to_have_text(["run-2", "run-0"])

    # From the run page: back to the workspace without it.
    names.filter(has_text="run-0").click()
    expect(page.get_by_test_id("run-title")).to_have_text("run-0")
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("runs-table")).to_be_visible()
    expect(names).to_have_text(["run-2"])
    assert not (folder / ids["run-0"]).exists()

    # Deleted elsewhere (another tab, the API): the polling drops it from the open page.
    request = urllib.request.Request(
        f"{server.url}/api/v1/projects/local/deletes/runs/{ids['run-2']}", method="DELETE"
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 204
    expect(names).to_have_count(0, timeout=15_000)
    expect(plot).to_have_count(0)
    screenshot(page, "deleted-elsewhere")
