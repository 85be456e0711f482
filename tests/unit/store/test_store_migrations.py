from __future__ import annotations

from importlib import resources

import pytest
from store_helpers import StoreFactory, changes, cols, db_rows

from trackboard.errors import StoreError
from trackboard.store.migrate import load_migrations, split_statements


def test_migrations_are_recorded_and_not_applied_again_on_reopen(
    store_factory: StoreFactory,
) -> None:
    first = store_factory()
    assert first.applied_migrations == [m.version for m in load_migrations(first.dialect.name)]
    pk = first.append(changes(series={"x": cols([1, 2])})).pk
    first.close()
    again = store_factory()
    assert again.applied_migrations == []
    rows = db_rows(again, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert rows == [(m.version, m.name) for m in load_migrations(again.dialect.name)]
    assert rows[:2] == [(1, "initial"), (2, "views_and_archive")]
    assert again.series(pk, "x").steps.tolist() == [1, 2]


def test_database_from_a_newer_version_is_refused(store_factory: StoreFactory) -> None:
    store = store_factory()
    with store._transaction(write=True) as cur:
        cur.execute(
            store.dialect.sql(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
            ),
            (999, "future", 0.0),
        )
    with pytest.raises(StoreError, match="999"):
        store_factory()


def test_every_dialect_has_the_same_numbered_migrations() -> None:
    names = {
        dialect: [(m.version, m.name) for m in load_migrations(dialect)]
        for dialect in ("sqlite", "postgresql")
    }
    assert names["sqlite"] == names["postgresql"]
    assert names["sqlite"][0] == (1, "initial")
    folder = resources.files("trackboard.store").joinpath("migrations")
    assert sorted(entry.name for entry in folder.iterdir() if entry.is_dir()) == [
        "postgresql",
        "sqlite",
    ]


def test_split_statements_drops_comments_and_blank_parts() -> None:
    script = (
        "-- a comment; with a semicolon\nCREATE TABLE a (x INT);\n\n"
        "  -- more\nCREATE INDEX i ON a (x);\n"
    )
    assert split_statements(script) == ("CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)")
