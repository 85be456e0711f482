"""``SqliteStore``: the embedded store, one SQLite file in WAL mode.

One writer connection per store behind a lock (a pool of one), readers on their own
connections. Writes begin with ``BEGIN IMMEDIATE`` and wait up to the busy timeout (60 s by
default) for another process's write, so several processes may write one file: the dashboard's
follower, ``Api()`` catching up, local sweep agents. WAL needs shared memory between processes,
so the file must not be on a network filesystem.

A reader that polls all the time can keep a checkpoint from ever resetting the WAL, which then
grows without bound; the writer therefore tries a ``wal_checkpoint(TRUNCATE)`` with a short
timeout every few seconds, and :meth:`SqliteStore.checkpoint` does the same on demand.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from functools import partial
from pathlib import Path

from trackboard.store.dialect import Connection, Dialect, Pool
from trackboard.store.sql import SqlStore

BUSY_TIMEOUT_MS = 60_000
CHECKPOINT_INTERVAL_S = 5.0
_CHECKPOINT_WAIT_MS = 100


class SqliteDialect(Dialect):
    name = "sqlite"
    begin_write = "BEGIN IMMEDIATE"
    begin_read = "BEGIN"
    driver_errors = (sqlite3.Error,)

    def __init__(self, path: str, busy_timeout_ms: int, checkpoint_interval_s: float) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.checkpoint_interval_s = checkpoint_interval_s
        self._last_checkpoint = time.monotonic()

    def connect(self, *, reader: bool = False) -> Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=512,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            if not reader:
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -65536")
            if reader:
                conn.execute("PRAGMA query_only = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def concat_blobs(self, left: str, right: str) -> str:
        return f"CAST({left} || {right} AS BLOB)"

    def after_write(self, conn: Connection) -> None:
        now = time.monotonic()
        if now - self._last_checkpoint >= self.checkpoint_interval_s:
            self._last_checkpoint = now
            # Opportunistic: the write has committed, and the next interval tries again.
            with contextlib.suppress(sqlite3.Error):
                self.checkpoint(conn)

    def checkpoint(self, conn: Connection) -> None:
        """Copy the WAL into the database and truncate it, unless readers keep it in use."""
        assert isinstance(conn, sqlite3.Connection)
        conn.execute(f"PRAGMA busy_timeout = {_CHECKPOINT_WAIT_MS}")
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")


class SqliteStore(SqlStore):
    """The store in one SQLite file; ``path`` is created with its folder when missing."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        readers: int = 8,
        checkpoint_interval_s: float = CHECKPOINT_INTERVAL_S,
    ) -> None:
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        self.path = file
        dialect = SqliteDialect(str(file), busy_timeout_ms, checkpoint_interval_s)
        self._sqlite = dialect
        writers = Pool(dialect.connect, limit=1)
        super().__init__(dialect, writers, Pool(partial(dialect.connect, reader=True), readers))

    def checkpoint(self) -> None:
        """Checkpoint and truncate the WAL now (a dashboard may call this when idle)."""
        conn = self._writers.acquire()
        try:
            self._sqlite.checkpoint(conn)
        finally:
            self._writers.release(conn)
