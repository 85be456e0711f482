"""The ``store`` fixture: every store test runs on SQLite and on PostgreSQL.

PostgreSQL tests use ``TRACKBOARD_TEST_PG_URL`` (default: the local server) and a schema of
their own, dropped afterwards. Without a server they skip, except under CI, where they fail.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import StoreFactory, drop_schema, pg_url, require_postgres

from trackboard.store.sql import SqlStore
from trackboard.store.sqlite import SqliteStore


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens stores on one database (a SQLite file, or one PostgreSQL schema)."""
    opened: list[SqlStore] = []
    schema = f"tb_test_{secrets.token_hex(6)}"
    if request.param == "postgres":
        require_postgres()
        from trackboard.store.postgres import PostgresStore

        def make() -> SqlStore:
            opened.append(PostgresStore(pg_url(), schema=schema))
            return opened[-1]
    else:

        def make() -> SqlStore:
            opened.append(SqliteStore(tmp_path / "store.db"))
            return opened[-1]

    try:
        yield make
    finally:
        for store in opened:
            store.close()
        if request.param == "postgres":
            drop_schema(schema)


@pytest.fixture
def store(store_factory: StoreFactory) -> SqlStore:
    return store_factory()
