"""An app over a real SQLite store in a temporary folder, driven through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server_helpers import AppClient

from trackboard.server import create_app
from trackboard.settings import Settings
from trackboard.store.base import Store
from trackboard.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "trackboard.db")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The store on both backends, for routes whose work is one store transaction (uploads,
    sweep claims): a test using it runs on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store")
        return
    opened = SqliteStore(tmp_path / "trackboard.db")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    """Where the app looks for the dashboard bundle; empty unless a test writes it."""
    path = tmp_path / "static"
    path.mkdir()
    return path


@pytest.fixture
def client(store: SqliteStore, static_dir: Path, tmp_path: Path) -> AppClient:
    return AppClient(create_app(store, Settings(root=tmp_path / "root"), static_dir=static_dir))
