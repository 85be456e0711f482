"""Sharing a project from the projects page of `trackboard server`, and making it private again:
what a second signed-in user sees of it in the meantime."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import SEED, Server, cli, root_env, screenshot
from playwright.sync_api import Browser, Page, Response, expect

pytestmark = pytest.mark.e2e

LOG = """
import trackboard
# Two projects each: with a single one, the projects page opens its workspace straight away.
PROJECTS = (("alice", "vision"), ("alice", "audio"), ("bob", "notes"), ("bob", "draft"))
for entity, project in PROJECTS:
    run = trackboard.init(entity=entity, project=project, name=f"{project}-run")
    trackboard.log({"loss": 1.0})
    run.finish()
"""


class TeamServer(Server):
    """`trackboard server` with the users alice and bob, each with a key and two projects."""

    def __init__(self, folder: Path) -> None:
        root, db = folder / "root", str(folder / "team.db")
        env = root_env(root)
        subprocess.run(
            [sys.executable, "-c", textwrap.dedent(LOG)], env=env, cwd=folder, check=True
        )
        self.keys: dict[str, str] = {}
        for user in ("alice", "bob"):
            cli(env, "users", "add", user, "--db", db)
            self.keys[user] = cli(env, "keys", "create", user, "--db", db)
        super().__init__(root, ["server", "--db", db, "--root", str(root), "--port", "0"])

    def projects(self, user: str) -> list[tuple[str, str, str]]:
        """``(entity, name, visibility)`` of every project the user's key may read."""
        request = urllib.request.Request(
            f"{self.url}/api/v1/projects", headers={"Authorization": f"Bearer {self.keys[user]}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:
                rows = json.load(resp)["projects"]
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{exc.code} for {user}'s projects") from exc
        return [(p["entity"], p["name"], p["visibility"]) for p in rows]

    def rename_runs(self, user: str, entity: str, project: str, name: str) -> list[int]:
        """Try to rename every run of the project with the user's key; the answers' statuses."""
        headers = {"Authorization": f"Bearer {self.keys[user]}"}
        base = f"{self.url}/api/v1/projects/{entity}/{project}/runs"
        with urllib.request.urlopen(urllib.request.Request(base, headers=headers)) as resp:
            run_ids = [r["id"] for r in json.load(resp)["runs"]]
        statuses = []
        for run_id in run_ids:
            request = urllib.request.Request(
                f"{base}/{run_id}",
                data=json.dumps({"name": name}).encode(),
                headers={**headers, "Content-Type": "application/json"},
                method="PATCH",
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as resp:
                    statuses.append(resp.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
        return statuses


@pytest.fixture
def team_server(tmp_path: Path, built_dashboard: None) -> Iterator[TeamServer]:
    srv = TeamServer(tmp_path)
    try:
        deadline = time.monotonic() + 15
        while not (len(srv.projects("alice")) == len(srv.projects("bob")) == 2):
            assert time.monotonic() < deadline, "the server did not ingest the logged projects"
            time.sleep(0.1)
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def bob_page(browser: Browser) -> Iterator[Page]:
    """A second browser context: bob's cookies and storage, apart from alice's."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()


def sign_in(page: Page, server: TeamServer, user: str) -> None:
    page.goto(server.url)
    page.get_by_test_id("sign-in-key").fill(server.keys[user])
    page.get_by_test_id("sign-in-submit").click()
    expect(page.get_by_test_id("signed-in-user")).to_have_text(user)


def test_a_shared_project_is_read_only_to_others_until_made_private(
    team_server: TeamServer, page: Page, bob_page: Page
) -> None:
    sign_in(page, team_server, "alice")
    rows = page.get_by_test_id("project-row")
    expect(rows).to_have_count(2)
    vision = rows.filter(has_text="vision")
    expect(vision.get_by_test_id("project-shared")).to_have_count(0)
    share = vision.get_by_test_id("project-share")
    expect(share).to_have_text("Share")
    assert ("alice", "vision", "shared") not in team_server.projects("bob")

    share.click()
    expect(vision.get_by_test_id("project-shared")).to_have_text("shared")
    expect(share).to_have_text("Make private")
    assert ("alice", "vision", "shared") in team_server.projects("bob")
    screenshot(page, "project_shared")

    # Bob sees alice's project, marked shared, with no control to change it; his own has one.
    sign_in(bob_page, team_server, "bob")
    bob_rows = bob_page.get_by_test_id("project-row")
    expect(bob_rows).to_have_count(3)
    theirs = bob_rows.filter(has_text="vision")
    expect(theirs).to_contain_text("alice")
    expect(theirs.get_by_test_id("project-shared")).to_be_visible()
    for control in ("project-share", "project-archive", "project-delete"):
        expect(theirs.get_by_test_id(control)).to_have_count(0)
    expect(bob_rows.filter(has_text="notes").get_by_test_id("project-share")).to_have_text("Share")

    # It opens without edit controls (workspace and run page); the server refuses bob's
    # rename anyway, and the run keeps its name.
    theirs.get_by_role("link", name="vision").click()
    names = bob_page.get_by_test_id("run-name")
    expect(names).to_have_text(["vision-run"])
    bob_page.get_by_test_id("run-row").hover()
    expect(bob_page.get_by_test_id("run-edit")).to_have_count(0)
    names.first.click()
    expect(bob_page.get_by_test_id("run-title")).to_have_text("vision-run")
    for control in ("run-page-edit", "run-page-delete"):
        expect(bob_page.get_by_test_id(control)).to_have_count(0)
    assert team_server.rename_runs("bob", "alice", "vision", "taken") == [403]
    bob_page.reload()
    expect(bob_page.get_by_test_id("run-title")).to_have_text("vision-run")
    # alice, a member, keeps her controls
    page.goto(f"{team_server.url}/#/p/alice/vision")
    page.get_by_test_id("run-row").hover()
    expect(page.get_by_test_id("run-edit")).to_have_count(1)
    page.goto(team_server.url)

    # Alice makes it private again: gone from bob's list after a reload.
    share.click()
    expect(vision.get_by_test_id("project-shared")).to_have_count(0)
    expect(share).to_have_text("Share")
    bob_page.goto(team_server.url)
    bob_page.reload()
    expect(bob_rows).to_have_count(2)
    expect(bob_rows.filter(has_text="vision")).to_have_count(0)
    assert sorted(p[1] for p in team_server.projects("bob")) == ["draft", "notes"]


def test_trackboard_ui_has_no_share_control(server: Server, page: Page) -> None:
    """Without sign-in everything is local: nobody to share with, every project editable."""
    server.log(SEED.format(project="unshared"))
    server.wait_for_runs("unshared", 3)
    me_answers: list[Response] = []

    def projects_page_asked_me(response: Response) -> bool:
        """The app asks `/me` first, then the projects page does."""
        if response.url.endswith("/api/v1/me"):
            me_answers.append(response)
        return len(me_answers) == 2

    with page.expect_response(projects_page_asked_me) as answer:
        page.goto(server.url)
    assert answer.value.json()["auth"] is False
    answer.value.finished()
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done(null)))")
    row = page.get_by_test_id("project-row").filter(has_text="unshared")
    expect(row.get_by_test_id("project-archive")).to_be_visible()
    expect(row.get_by_test_id("project-delete")).to_be_visible()
    expect(page.get_by_test_id("project-share")).to_have_count(0)
    expect(page.get_by_test_id("project-shared")).to_have_count(0)
