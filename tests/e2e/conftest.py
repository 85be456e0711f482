"""Fixtures for the dashboard's browser tests: a real server, runs logged with the real SDK,
and headless Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import CHROMIUM, CHROMIUM_ARGS, SEED, STATIC_INDEX, Server
from playwright.sync_api import Browser, Page, sync_playwright


@pytest.fixture(scope="session")
def built_dashboard() -> None:
    if not STATIC_INDEX.is_file():
        pytest.fail(
            "the dashboard is not built: run `npm --prefix web ci && npm --prefix web run build`"
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, built_dashboard: None) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("trackboard-root"))
    try:
        srv.log(SEED.format(project="seeded"))
        srv.wait_for_runs("seeded", 3)
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API runs an event loop until it stops, and tests after
    the browser tests (``asyncio.run`` in the server tests) need it gone."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()
