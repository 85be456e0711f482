"""Saved workspace views, archived runs, and archiving and deleting projects, in a browser."""

from __future__ import annotations

import json
import urllib.request

import pytest
from e2e_support import SEED, Server, screenshot
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e


def seeded(server: Server, project: str) -> str:
    server.log(SEED.format(project=project))
    server.wait_for_runs(project, 3)
    return f"{server.url}/#/p/local/{project}"


def project_names(server: Server) -> list[str]:
    with urllib.request.urlopen(f"{server.url}/api/v1/projects", timeout=5) as resp:
        return [p["name"] for p in json.load(resp)["projects"]]


def test_saved_view_opens_with_its_settings_and_is_a_fresh_browsers_default(
    server: Server, page: Page, browser: Browser
) -> None:
    url = seeded(server, "views")
    page.goto(url)
    expect(page.get_by_test_id("run-name")).to_have_text(["run-2", "run-1", "run-0"])

    # Change URL settings and the stored layout, then save them as the default view.
    page.get_by_test_id("x-axis").select_option("_runtime")
    page.get_by_test_id("panel-search").fill("loss")
    page.get_by_role("button", name="Hide run-1").click()
    page.get_by_test_id("views-button").click()
    menu = page.get_by_test_id("views-menu")
    menu.get_by_test_id("view-name").fill("runtime <b>view</b>")
    menu.get_by_test_id("view-as-default").check()
    menu.get_by_test_id("view-save").click()
    expect(menu.get_by_test_id("view-open")).to_have_text(["runtime <b>view</b>"])
    expect(menu.get_by_test_id("view-default-badge")).to_have_count(1)
    screenshot(page, "saved-views-menu")

    # Change everything back, then open the view: the settings come back.
    page.get_by_test_id("views-button").click()
    page.get_by_test_id("x-axis").select_option("_step")
    page.get_by_test_id("panel-search").fill("")
    page.get_by_role("button", name="Show run-1").click()
    expect(page.get_by_role("button", name="Hide run-1")).to_be_visible()
    page.get_by_test_id("views-button").click()
    page.get_by_test_id("view-open").click()
    expect(page.get_by_test_id("x-axis")).to_have_value("_runtime")
    expect(page.get_by_test_id("panel-search")).to_have_value("loss")
    expect(page.get_by_role("button", name="Show run-1")).to_be_visible()
    expect(page.get_by_test_id("current-view")).to_have_text("runtime <b>view</b>")

    # A fresh browser (no local storage) opening the bare project URL gets the default view.
    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        other = fresh.new_page()
        other.set_default_timeout(10_000)
        other.goto(url)
        expect(other.get_by_test_id("x-axis")).to_have_value("_runtime")
        expect(other.get_by_test_id("panel-search")).to_have_value("loss")
        expect(other.get_by_role("button", name="Show run-1")).to_be_visible()
        expect(other.get_by_test_id("current-view")).to_have_text("runtime <b>view</b>")
        screenshot(other, "saved-view-fresh-browser")
    finally:
        fresh.close()

    # Rename, then delete the view.
    page.get_by_test_id("views-button").click()
    menu.get_by_test_id("view-rename").click()
    menu.get_by_test_id("view-rename-input").fill("renamed")
    menu.get_by_role("button", name="Rename", exact=True).click()
    expect(menu.get_by_test_id("view-open")).to_have_text(["renamed"])
    menu.get_by_test_id("view-delete").click()
    page.get_by_test_id("confirm").click()
    expect(menu.get_by_test_id("view-item")).to_have_count(0)


def test_archived_run_leaves_the_table_until_shown(server: Server, page: Page) -> None:
    page.goto(seeded(server, "archiving"))
    names = page.get_by_test_id("run-name")
    expect(names).to_have_text(["run-2", "run-1", "run-0"])
    page.get_by_test_id("run-row").filter(has_text="run-1").hover()
    page.get_by_role("button", name="Edit run-1").click()
    page.get_by_test_id("edit-archive").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(names).to_have_text(["run-2", "run-0"])

    page.reload()
    expect(names).to_have_text(["run-2", "run-0"])
    toggle = page.get_by_test_id("show-archived")
    expect(toggle.locator("xpath=..")).to_contain_text("Show archived (1)")
    toggle.check()
    expect(names).to_have_text(["run-2", "run-1", "run-0"])

    # Unarchive from the editor: it stays when the toggle goes off again.
    page.get_by_test_id("run-row").filter(has_text="run-1").hover()
    page.get_by_role("button", name="Edit run-1").click()
    expect(page.get_by_test_id("edit-archive")).to_have_text("Unarchive")
    page.get_by_test_id("edit-archive").click()
    toggle.uncheck()
    expect(names).to_have_text(["run-2", "run-1", "run-0"])


def test_projects_page_archives_and_deletes_a_project(server: Server, page: Page) -> None:
    seeded(server, "doomed")
    folder = server.root / "local" / "doomed"
    assert folder.is_dir()
    page.goto(f"{server.url}/#/")
    row = page.get_by_test_id("project-row").and_(page.locator('[data-project="doomed"]'))
    expect(row).to_have_count(1)

    row.get_by_test_id("project-archive").click()
    expect(row).to_have_count(0)
    page.get_by_test_id("projects-show-archived").check()
    expect(row).to_contain_text("archived")

    row.get_by_test_id("project-delete").click()
    dialog = page.get_by_test_id("confirm-dialog")
    confirm = dialog.get_by_test_id("confirm")
    expect(confirm).to_be_disabled()
    dialog.get_by_test_id("project-delete-name").fill("doome")
    expect(confirm).to_be_disabled()
    dialog.get_by_test_id("project-delete-name").fill("doomed")
    screenshot(page, "project-delete-confirm")
    confirm.click()
    expect(dialog).to_have_count(0)
    expect(row).to_have_count(0)
    assert "doomed" not in project_names(server)
    assert not folder.exists()
    page.reload()
    page.get_by_test_id("projects-show-archived").check()
    expect(page.get_by_test_id("project-row").first).to_be_visible()
    expect(row).to_have_count(0)
