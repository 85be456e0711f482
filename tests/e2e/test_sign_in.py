"""Signing in to `trackboard server` with an API key in Chromium, and signing out."""

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
from e2e_support import Server, cli, root_env, screenshot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

LOG = """
import trackboard
for project in ("alpha", "beta"):
    run = trackboard.init(project=project, name=f"{project}-run")
    trackboard.log({"loss": 1.0})
    run.finish()
"""


class AuthServer(Server):
    """`trackboard server` with keys over a store that follows a root of two logged projects."""

    def __init__(self, folder: Path) -> None:
        root, db = folder / "root", str(folder / "team.db")
        env = root_env(root)
        subprocess.run(
            [sys.executable, "-c", textwrap.dedent(LOG)], env=env, cwd=folder, check=True
        )
        cli(env, "users", "add", "local", "--db", db)
        self.key = cli(env, "keys", "create", "local", "--db", db)
        super().__init__(root, ["server", "--db", db, "--root", str(root), "--port", "0"])

    def projects(self, key: str | None) -> tuple[int, list[str]]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        request = urllib.request.Request(f"{self.url}/api/v1/projects", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:
                return resp.status, [p["name"] for p in json.load(resp)["projects"]]
        except urllib.error.HTTPError as exc:
            return exc.code, []


@pytest.fixture
def auth_server(tmp_path: Path, built_dashboard: None) -> Iterator[AuthServer]:
    srv = AuthServer(tmp_path)
    try:
        deadline = time.monotonic() + 15
        while srv.projects(srv.key) != (200, ["alpha", "beta"]):
            assert time.monotonic() < deadline, srv.projects(srv.key)
            time.sleep(0.1)
        yield srv
    finally:
        srv.stop()


def test_sign_in_with_a_key_shows_the_projects_and_sign_out_ends_it(
    auth_server: AuthServer, page: Page
) -> None:
    assert auth_server.projects(None)[0] == 401
    page.goto(auth_server.url)
    form = page.get_by_test_id("sign-in")
    expect(form).to_be_visible()
    key_field = page.get_by_test_id("sign-in-key")
    assert key_field.get_attribute("type") == "password"

    key_field.fill(auth_server.key[:-2] + "zz")
    page.get_by_test_id("sign-in-submit").click()
    expect(form.get_by_role("alert")).to_contain_text("not valid")

    key_field.fill(auth_server.key)
    page.get_by_test_id("sign-in-submit").click()
    rows = page.get_by_test_id("project-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("alpha")
    expect(page.get_by_test_id("signed-in-user")).to_have_text("local")
    screenshot(page, "sign_in_projects")

    # The key is nowhere in the page's reach: only the HttpOnly cookie signs it in.
    stored = page.evaluate(
        "() => JSON.stringify([document.cookie, {...localStorage}, {...sessionStorage}])"
    )
    assert auth_server.key not in stored and "trackboard_session" not in stored
    page.reload()
    expect(rows).to_have_count(2)

    # A write from the page carries the CSRF token: archiving works.
    rows.filter(has_text="beta").get_by_test_id("project-archive").click()
    expect(rows).to_have_count(1)

    page.get_by_test_id("sign-out").click()
    expect(form).to_be_visible()
    expect(page.get_by_test_id("signed-in-user")).to_have_count(0)
    page.reload()
    expect(form).to_be_visible()
    assert auth_server.key not in "".join(auth_server.output)
