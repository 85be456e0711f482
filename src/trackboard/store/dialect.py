"""The thin layer between the shared SQL and the two DB-API drivers (sqlite3, psycopg 3).

SQL is written once, with ``?`` placeholders and the ``INSERT ... ON CONFLICT ... DO UPDATE``
upsert that both databases accept; a :class:`Dialect` converts the placeholders, opens
connections, begins write and read transactions and spells the few things that differ (row locks,
blob concatenation, a list parameter). Connections come from a :class:`Pool`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol

from trackboard.errors import StoreError


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses (sqlite3 and psycopg both have it)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, query: Any, params: Any = ..., /) -> Any: ...

    def executemany(self, query: Any, params_seq: Any, /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def close(self) -> Any: ...


class Connection(Protocol):
    def cursor(self) -> Any: ...

    def close(self) -> Any: ...


class Dialect:
    """What differs between the databases; one instance per store."""

    name = ""
    begin_write = "BEGIN"
    begin_read = "BEGIN"
    for_update = ""
    """Appended to a SELECT that must lock the rows it reads until the transaction ends."""
    driver_errors: tuple[type[BaseException], ...] = ()
    value_errors: tuple[type[BaseException], ...] = ()
    """Driver errors a value from the caller causes (PostgreSQL refuses NUL in text, numbers
    out of a column's range): raised as InvalidInputError, a 400 and not a 500."""

    def connect(self) -> Connection:
        raise NotImplementedError

    def cursor(self, conn: Connection) -> Cursor:
        """A cursor (on PostgreSQL one that fetches results in binary format)."""
        cur: Cursor = conn.cursor()
        return cur

    def sql(self, query: str) -> str:
        """``query`` with its ``?`` placeholders in the driver's style."""
        return query

    def concat_blobs(self, left: str, right: str) -> str:
        return f"{left} || {right}"

    list_limit = 500
    """Values per list condition (SQLite limits the parameters of one statement)."""

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """A condition ``column`` in ``values`` and its parameters."""
        marks = ",".join("?" * len(values))
        return f"{column} IN ({marks})", list(values)

    def any_of_batches(self, column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        """:meth:`any_of` for ``values`` in batches of at most :attr:`list_limit`."""
        for start in range(0, len(values), self.list_limit):
            yield self.any_of(column, values[start : start + self.list_limit])

    def migration_prologue(self) -> list[str]:
        """Statements run first in the migration transaction (locks, the schema itself)."""
        return []

    def after_write(self, conn: Connection) -> None:
        """Called after each committed write transaction (SQLite checkpoints from here)."""


@lru_cache(maxsize=1024)
def pyformat(query: str) -> str:
    """``?`` placeholders to ``%s`` (the SQL in this package has no literal ``?`` or ``%``)."""
    return query.replace("?", "%s")


class Pool:
    """A small, thread-safe pool of connections made by ``factory``.

    ``limit`` bounds the connections open at once: a caller waits for one to come back. Idle
    connections are kept for reuse; :meth:`close` closes them, and a connection returned after
    ``close`` is closed on return.
    """

    def __init__(self, factory: Callable[[], Connection], limit: int) -> None:
        self._factory = factory
        self._idle: list[Connection] = []
        self._open = 0
        self._limit = limit
        self._closed = False
        self._cond = threading.Condition()

    def acquire(self) -> Connection:
        with self._cond:
            while True:
                if self._closed:
                    raise StoreError("the store is closed")
                if self._idle:
                    return self._idle.pop()
                if self._open < self._limit:
                    self._open += 1
                    break
                self._cond.wait()
        try:
            return self._factory()
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def release(self, conn: Connection, *, broken: bool = False) -> None:
        with self._cond:
            if self._closed or broken:
                self._open -= 1
                self._cond.notify()
                conn.close()
                return
            self._idle.append(conn)
            self._cond.notify()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        conn = self.acquire()
        try:
            yield conn
        finally:
            self.release(conn)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._cond.notify_all()
        for conn in idle:
            conn.close()
