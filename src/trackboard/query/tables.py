"""Pages of a logged table (``.table.json`` = ``{"columns": [...], "data": [[...], ...]}``).

:class:`TableCache` parses each file once (keyed by path, size and modification time, so a
rewritten file is read again) and remembers the row order of recent sort and filter requests,
so paging through a 200,000-row table reads and sorts it once.

:func:`table_page` filters, sorts and slices: the filter keeps rows where any plain cell (text,
number, bool) contains the filter text, case-insensitively; sorting orders numbers before text
before everything else (None, media cells), stable, so equal cells keep the logged order.
Cells are returned as logged: a media cell stays its reference dict (``{"_type":
"image-file", "path", ...}``).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trackboard.errors import InvalidInputError

DEFAULT_PAGE_ROWS = 50
MAX_PAGE_ROWS = 1000
CACHED_TABLES = 8
CACHED_ORDERS = 32


@dataclass(frozen=True, slots=True)
class StoredTable:
    """A table file that is not on this machine's disk (an object store): a cache key that
    changes when the file does, and how to read it."""

    name: str
    ident: tuple[str, int, int]
    read: Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class LoadedTable:
    columns: list[str]
    data: list[list[Any]]


def parse_table(text: str | bytes, where: str) -> LoadedTable:
    """A table file's content, checked; :class:`InvalidInputError` naming ``where`` if bad."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, nesting too deep
        raise InvalidInputError(f"{where} is not a table file: {exc}") from None
    if not isinstance(body, dict):
        raise InvalidInputError(f"{where} is not a table file: not a JSON object")
    columns, data = body.get("columns"), body.get("data")
    if not isinstance(columns, list) or not isinstance(data, list):
        raise InvalidInputError(f"{where} is not a table file: needs 'columns' and 'data' lists")
    rows = [row if isinstance(row, list) else [row] for row in data]
    return LoadedTable([str(c) for c in columns], rows)


def _sort_key(cell: Any) -> tuple[int, Any]:
    if isinstance(cell, bool):
        return (0, int(cell))
    if isinstance(cell, int | float):
        return (0, cell) if cell == cell else (3, 0)  # NaN after everything
    if isinstance(cell, str):
        return (1, cell.lower())
    return (2, 0)


def _cell_text(cell: Any) -> str | None:
    if isinstance(cell, str):
        return cell.lower()
    if isinstance(cell, bool | int | float):
        return str(cell).lower()
    return None


def _texts(row: list[Any]) -> list[str]:
    return [t for t in map(_cell_text, row) if t is not None]


def row_order(
    table: LoadedTable, sort: str | None, descending: bool, text_filter: str
) -> list[int]:
    """Row indices after filtering on ``text_filter`` and sorting on column ``sort``."""
    needle = text_filter.strip().lower()
    order = list(range(len(table.data)))
    if needle:
        order = [i for i in order if any(needle in t for t in _texts(table.data[i]))]
    if sort is not None:
        if sort not in table.columns:
            raise InvalidInputError(
                f"sort names no column: {sort!r} (columns: {', '.join(table.columns)})"
            )
        col = table.columns.index(sort)
        keys = [_sort_key(table.data[i][col] if col < len(table.data[i]) else None) for i in order]
        # reverse=True keeps equal cells in logged order too
        ranked = sorted(range(len(order)), key=keys.__getitem__, reverse=descending)
        order = [order[j] for j in ranked]
    return order


class TableCache:
    """Parsed tables and row orders, least recently used dropped first; thread-safe."""

    def __init__(self, tables: int = CACHED_TABLES, orders: int = CACHED_ORDERS) -> None:
        self._tables: OrderedDict[tuple[str, int, int], LoadedTable] = OrderedDict()
        self._orders: OrderedDict[tuple[Any, ...], list[int]] = OrderedDict()
        self._max_tables = tables
        self._max_orders = orders
        self._lock = threading.Lock()

    def table(self, path: Path | StoredTable) -> tuple[tuple[str, int, int], LoadedTable]:
        if isinstance(path, Path):
            stat = path.stat()
            path = StoredTable(
                path.name, (str(path), stat.st_size, stat.st_mtime_ns), path.read_bytes
            )
        ident = path.ident
        with self._lock:
            if ident in self._tables:
                self._tables.move_to_end(ident)
                return ident, self._tables[ident]
        loaded = parse_table(path.read(), path.name)
        with self._lock:
            self._tables[ident] = loaded
            while len(self._tables) > self._max_tables:
                self._tables.popitem(last=False)
        return ident, loaded

    def order(
        self,
        ident: tuple[str, int, int],
        table: LoadedTable,
        sort: str | None,
        desc: bool,
        flt: str,
    ) -> list[int]:
        key = (ident, sort, desc, flt)
        with self._lock:
            if key in self._orders:
                self._orders.move_to_end(key)
                return self._orders[key]
        order = row_order(table, sort, desc, flt)
        with self._lock:
            self._orders[key] = order
            while len(self._orders) > self._max_orders:
                self._orders.popitem(last=False)
        return order


def table_page(
    cache: TableCache,
    path: Path | StoredTable,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_ROWS,
    sort: str | None = None,
    descending: bool = False,
    text_filter: str = "",
) -> dict[str, Any]:
    """``{"columns", "nrows", "total", "offset", "rows": [{"index", "cells"}]}``: ``total``
    rows match the filter, ``nrows`` are in the table, ``index`` is a row's logged position."""
    if offset < 0:
        raise InvalidInputError(f"offset must be >= 0, got {offset}")
    if not 1 <= limit <= MAX_PAGE_ROWS:
        raise InvalidInputError(f"limit must be in 1..{MAX_PAGE_ROWS}, got {limit}")
    ident, table = cache.table(path)
    order = cache.order(ident, table, sort, descending, text_filter)
    page = order[offset : offset + limit]
    return {
        "columns": table.columns,
        "nrows": len(table.data),
        "total": len(order),
        "offset": offset,
        "rows": [{"index": i, "cells": table.data[i]} for i in page],
    }
