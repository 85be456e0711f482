"""``PostgresStore``: the team server's store, PostgreSQL through psycopg 3.

Connections come from a small pool shared by readers and writers; each is in autocommit mode
and the store issues ``BEGIN`` / ``COMMIT`` itself, reads of several statements in a
``REPEATABLE READ, READ ONLY`` snapshot. Results come back in binary format, so chunk and LOD
blobs arrive as bytes without hex decoding.

``synchronous_commit`` is off by default: a commit returns before its WAL reaches the disk, so
an OS crash or power loss may lose the last moments of commits, never corrupt anything. That
is safe here because the run log is the source of truth and each batch commits with its
cursor: what is lost is ingested again. The team server turns it on, since a client may
delete its run log once an upload is acknowledged (``open_store(url, durable=True)``).
``schema`` keeps the tables in their own schema (created when missing), which is how tests and
benchmarks share one server.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from trackboard.errors import InvalidInputError
from trackboard.store.dialect import Connection, Cursor, Dialect, Pool, pyformat
from trackboard.store.sql import SqlStore

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MIGRATION_LOCK = 0x7472_6B62  # an arbitrary constant for pg_advisory_xact_lock


class PostgresDialect(Dialect):
    name = "postgresql"
    begin_write = "BEGIN"
    begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    for_update = " FOR UPDATE OF r"
    driver_errors = (psycopg.Error,)
    value_errors = (psycopg.DataError,)

    def __init__(self, url: str, schema: str | None, synchronous_commit: bool) -> None:
        self.url = url
        self.schema = schema
        self.synchronous_commit = synchronous_commit

    def connect(self) -> Connection:
        conn: psycopg.Connection[Any] = psycopg.connect(self.url, autocommit=True)
        try:
            if self.schema is not None:
                conn.execute(f"SET search_path TO {self.schema}")
            if not self.synchronous_commit:
                conn.execute("SET synchronous_commit TO off")
        except BaseException:
            conn.close()
            raise
        return conn

    def cursor(self, conn: Connection) -> Cursor:
        assert isinstance(conn, psycopg.Connection)
        cur: Cursor = conn.cursor(binary=True)
        return cur

    def sql(self, query: str) -> str:
        return pyformat(query)

    list_limit = 100_000

    def any_of(self, column: str, values: Any) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [list(values)]

    def migration_prologue(self) -> list[str]:
        statements = [f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"]
        if self.schema is not None:
            statements.append(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        return statements


def split_schema(url: str) -> tuple[str, str | None]:
    """``postgresql://...?schema=name`` into the URL without it and the schema."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


class PostgresStore(SqlStore):
    """The store in a PostgreSQL database, in ``schema`` when given (default: search_path)."""

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        pool_size: int = 8,
        synchronous_commit: bool = False,
    ) -> None:
        if schema is not None and not _SCHEMA.match(schema):
            raise InvalidInputError(
                f"schema must be a lowercase SQL identifier (a-z, 0-9, _), got {schema!r}"
            )
        self.schema = schema
        dialect = PostgresDialect(url, schema, synchronous_commit)
        pool = Pool(dialect.connect, limit=pool_size)
        super().__init__(dialect, pool, pool)
