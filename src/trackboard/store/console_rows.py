"""The ``console_lines`` table: what a run printed, one row per line (see ``store/base.py``).

Each function works inside the caller's transaction; :class:`~trackboard.store.sql.SqlStore`
opens it. A row keeps the line as printed (``text``, ANSI escape sequences and all, for the
dashboard to colour) and as read (``plain``, the sequences removed), which is what a search
looks in: a word split by a colour change is still found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from trackboard.errors import InvalidInputError
from trackboard.store.base import MAX_CONSOLE_PAGE, ConsoleLine
from trackboard.store.dialect import Cursor, Dialect

STREAMS = ("stdout", "stderr")
MAX_QUERY_LENGTH = 1000

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
"""CSI sequences (colours, cursor moves), OSC sequences (titles, links) and two-byte escapes."""


def plain_text(text: str) -> str:
    """``text`` without its ANSI escape sequences."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def like_pattern(query: str) -> str:
    """A LIKE pattern matching ``query`` anywhere, its ``%``, ``_`` and ``\\`` taken literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def check_page(offset: Any, limit: Any, query: Any) -> str | None:
    """Validated paging arguments; the query (None when empty), else InvalidInputError."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidInputError(f"offset must be an integer >= 0, got {offset!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CONSOLE_PAGE:
        raise InvalidInputError(
            f"limit must be an integer from 1 to {MAX_CONSOLE_PAGE}, got {limit!r}"
        )
    if query is None or query == "":
        return None
    if not isinstance(query, str):
        raise InvalidInputError(f"a console search must be a string, got {query!r}")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInputError(
            f"a console search is at most {MAX_QUERY_LENGTH} characters, got {len(query)}"
        )
    return query


def _clean(text: str) -> str:
    """Text a database column takes: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


class ConsoleTables:
    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        sql = dialect.sql
        self._next = sql("SELECT max(n) FROM console_lines WHERE run_pk = ?")
        self._insert = sql(
            "INSERT INTO console_lines (run_pk, n, logged_at, stream, text, plain) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        # LIKE is case-insensitive for ASCII in SQLite; PostgreSQL needs ILIKE.
        self._like = "ILIKE" if dialect.name == "postgresql" else "LIKE"

    def append(self, cur: Cursor, run_pk: int, lines: Sequence[tuple[float, str, str]]) -> None:
        """Number ``(time, stream, text)`` lines after the run's last and insert them."""
        rows: list[tuple[int, int, float, str, str, str]] = []
        cur.execute(self._next, (run_pk,))
        found = cur.fetchone()
        n = 0 if found is None or found[0] is None else int(found[0])
        for when, stream, text in lines:
            if stream not in STREAMS:
                raise InvalidInputError(
                    f"a console line's stream must be stdout or stderr, got {stream!r}"
                )
            if not isinstance(text, str):
                raise InvalidInputError(f"a console line must be text, got {type(text).__name__}")
            n += 1
            clean = _clean(text)
            rows.append((run_pk, n, float(when), stream, clean, plain_text(clean)))
        if rows:
            cur.executemany(self._insert, rows)

    def page(
        self, cur: Cursor, run_pk: int, offset: int, limit: int, query: str | None
    ) -> tuple[list[ConsoleLine], int]:
        where = "run_pk = ?"
        params: list[Any] = [run_pk]
        if query is not None:
            where += f" AND plain {self._like} ? ESCAPE '\\'"
            params.append(like_pattern(query))
        sql = self._dialect.sql
        cur.execute(sql(f"SELECT count(*) FROM console_lines WHERE {where}"), params)
        total = int(cur.fetchone()[0])
        cur.execute(
            sql(
                f"SELECT n, logged_at, stream, text FROM console_lines WHERE {where} "
                "ORDER BY n LIMIT ? OFFSET ?"
            ),
            [*params, limit, offset],
        )
        lines = [
            ConsoleLine(int(n), float(at), str(stream), str(text))
            for n, at, stream, text in cur.fetchall()
        ]
        return lines, total
