"""Shared fixtures: a private root per test, scripts run in a real subprocess."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from trackboard.store.base import Store


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh trackboard root, set as TRACKBOARD_DIR so init, Api and the CLI all find it."""
    path = tmp_path / "root"
    for name in list(os.environ):
        if name.startswith(("TRACKBOARD_", "WANDB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRACKBOARD_DIR", str(path))
    monkeypatch.setenv("TRACKBOARD_SILENT", "true")
    # No credentials from the home directory: a `trackboard login` there would make runs online.
    monkeypatch.setenv("TRACKBOARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return path


def run_script(
    source: str, cwd: Path, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a Python script in a fresh interpreter with this test's environment."""
    script = cwd / "script.py"
    script.write_text(textwrap.dedent(source))
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"script failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


_pg_error: list[str] = []


def pg_url() -> str:
    return os.environ.get("TRACKBOARD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def require_postgres() -> None:
    """Skip without a PostgreSQL server, except under CI (``CI`` set), where that fails."""
    import psycopg

    if not _pg_error:
        try:
            with psycopg.connect(pg_url(), connect_timeout=5):
                _pg_error.append("")
        except psycopg.Error as exc:
            _pg_error.append(f"PostgreSQL is not reachable at {pg_url()}: {exc}".strip())
    if _pg_error[0]:
        if os.environ.get("CI"):
            pytest.fail(_pg_error[0])
        pytest.skip(_pg_error[0])


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(pg_url(), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def pg_store() -> Iterator[Store]:
    """A PostgresStore in a schema of its own, dropped afterwards."""
    require_postgres()
    from trackboard.store.postgres import PostgresStore

    schema = f"tb_test_{secrets.token_hex(6)}"
    store = PostgresStore(pg_url(), schema=schema)
    try:
        yield store
    finally:
        store.close()
        drop_schema(schema)
