"""Where ingested runs live: the :class:`~trackboard.store.base.Store` contract and its two
implementations. ``open_store(url)`` picks one from a URL."""

from __future__ import annotations

import os

from trackboard.errors import InvalidInputError
from trackboard.store.base import Store

__all__ = ["Store", "open_store"]


def open_store(url: str | os.PathLike[str], *, durable: bool = False) -> Store:
    """``sqlite:///abs/path.db`` or a plain path: SQLite; ``postgresql://...``: PostgreSQL.

    A PostgreSQL URL may carry ``?schema=name`` to keep the tables in that schema. ``durable``
    makes every PostgreSQL commit wait for its WAL to reach the disk (``synchronous_commit``):
    the team server acknowledges uploads with the stored cursor, and a client may delete its
    run folder once acknowledged, so there the store, not the client's run log, is the last copy.
    """
    text = os.fspath(url)
    if text.startswith(("postgresql://", "postgres://")):
        from trackboard.store.postgres import PostgresStore, split_schema

        dsn, schema = split_schema(text)
        return PostgresStore(dsn, schema=schema, synchronous_commit=durable)
    if text.startswith("sqlite://"):
        path = text[len("sqlite://") :]
        if not path.startswith("/"):
            raise InvalidInputError(f"expected sqlite:///absolute/path.db, got {text!r}")
        text = path
    elif "://" in text:
        raise InvalidInputError(f"unknown store URL {text!r}: use sqlite:/// or postgresql://")
    if not text or text == ":memory:":
        raise InvalidInputError("the SQLite store needs a file path (several connections share it)")
    from trackboard.store.sqlite import SqliteStore

    return SqliteStore(text)
