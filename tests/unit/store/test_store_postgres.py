from __future__ import annotations

import secrets

import pytest
from store_helpers import changes, drop_schema, pg_url, require_postgres

from trackboard.errors import InvalidInputError
from trackboard.store import open_store
from trackboard.store.postgres import PostgresStore, split_schema

pytestmark = pytest.mark.postgres


def test_open_store_reads_postgresql_url_with_schema() -> None:
    require_postgres()
    schema = f"tb_test_{secrets.token_hex(6)}"
    try:
        store = open_store(f"{pg_url()}?schema={schema}")
        try:
            assert isinstance(store, PostgresStore)
            assert store.schema == schema
            store.append(changes())
            assert [r.run_id for r in store.runs("e", "p")] == ["r1"]
        finally:
            store.close()
    finally:
        drop_schema(schema)


def test_split_schema_keeps_other_parameters() -> None:
    assert split_schema("postgresql://u@h:5/db?schema=s1&sslmode=disable") == (
        "postgresql://u@h:5/db?sslmode=disable",
        "s1",
    )
    assert split_schema("postgresql://u@h/db") == ("postgresql://u@h/db", None)


@pytest.mark.parametrize("schema", ["Upper", "semi;colon", "1abc", "a-b"])
def test_schema_must_be_a_plain_identifier(schema: str) -> None:
    with pytest.raises(InvalidInputError, match="schema"):
        PostgresStore(pg_url(), schema=schema)
