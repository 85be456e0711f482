"""Numbered schema migrations, applied in order and recorded in ``schema_migrations``.

Each dialect has its folder, ``migrations/<dialect>/NNNN_name.sql``, with the same numbers and
names in both. Opening a store applies the missing ones in one write transaction (SQLite's
``BEGIN IMMEDIATE``, PostgreSQL's advisory lock), so processes opening a new database at once
apply each migration exactly once. A database migrated by a newer trackboard is refused.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from importlib import resources

from trackboard.errors import StoreError
from trackboard.store.dialect import Cursor, Dialect

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at DOUBLE PRECISION NOT NULL)"
)
"""The ledger is the one table created 'if not exists': it is how the rest is found."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> tuple[str, ...]:
    """The statements of a migration file (``--`` comments dropped, split on ``;``)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    parts = (part.strip() for part in "\n".join(lines).split(";"))
    return tuple(part for part in parts if part)


def load_migrations(dialect_name: str) -> list[Migration]:
    folder = resources.files("trackboard.store").joinpath("migrations", dialect_name)
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            continue
        statements = split_statements(entry.read_text(encoding="utf-8"))
        found.append(Migration(int(match.group(1)), match.group(2), statements))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations for {dialect_name} are not numbered 1..n: {versions}")
    return found


def applied_versions(cur: Cursor) -> dict[int, str]:
    cur.execute("SELECT version, name FROM schema_migrations ORDER BY version")
    return {int(version): str(name) for version, name in cur.fetchall()}


def migrate(cur: Cursor, dialect: Dialect, migrations: list[Migration]) -> list[int]:
    """Apply what is missing, inside the caller's write transaction; return what was applied."""
    for statement in dialect.migration_prologue():
        cur.execute(statement)
    cur.execute(LEDGER)
    done = applied_versions(cur)
    known = {m.version for m in migrations}
    newer = sorted(set(done) - known)
    if newer:
        raise StoreError(
            f"the database has schema version {newer[-1]}, newer than this trackboard knows "
            f"({max(known, default=0)}); upgrade trackboard to open it"
        )
    applied: list[int] = []
    for migration in migrations:
        if migration.version in done:
            continue
        for statement in migration.statements:
            cur.execute(statement)
        cur.execute(
            dialect.sql(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
            ),
            (migration.version, migration.name, time.time()),
        )
        applied.append(migration.version)
    return applied
