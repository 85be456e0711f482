"""``Table``: rows of values (numbers, text, media) stored as ``.table.json``.

The file is wandb's (``research/wandb-api.md`` 4.4):
``media/table/<key>_<step>_<hash>.table.json`` = ``{"columns": [...], "data": [[...], ...]}``,
and the row keeps ``{"_type": "table-file", "ncols", "nrows", "log_mode", "path", "sha256",
"size"}``. Unlike wandb, every row is kept: there is no 10,000-row cap. Media in cells are bound
when the table is logged (their files under the same key and step) and the cell holds their
reference; numpy values become plain numbers or lists. A cell that cannot be stored raises
:class:`TypeError` naming its column.

As in wandb, each column keeps one kind of value (number, str, bool, list, dict, or one media
type), taken from its first non-None value; a row that breaks this raises :class:`TypeError`
unless ``allow_mixed_types=True``. ``None`` is allowed where ``optional`` is true (the default;
a bool for every column or a list with one per column). ``dtype`` is accepted and ignored.

A table changed after it was logged (``add_data``, ``add_column``) is written again when it is
logged again, whatever its ``log_mode``.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from trackboard.media.base import Media, Target, store_bytes
from trackboard.media.histogram import Histogram

DEFAULT_COLUMNS = ("Input", "Output", "Expected")
LOG_MODES = ("IMMUTABLE", "MUTABLE", "INCREMENTAL")
_PLAIN = frozenset({int, float, str, bool, type(None)})


class Table(Media):
    """A table of ``columns`` and rows (``data``, a 2-D array, or a pandas ``dataframe``)."""

    _log_type: ClassVar[str] = "table-file"

    def __init__(
        self,
        columns: Sequence[Any] | None = None,
        data: Any = None,
        rows: Any = None,
        dataframe: Any = None,
        dtype: Any = None,
        optional: Any = True,
        allow_mixed_types: bool = False,
        log_mode: str | None = "IMMUTABLE",
    ) -> None:
        mode = "IMMUTABLE" if log_mode is None else str(log_mode).upper()
        if mode not in LOG_MODES:
            raise ValueError(
                f"Table: log_mode must be one of {', '.join(LOG_MODES)}, got {log_mode!r}"
            )
        self.log_mode = mode
        if dataframe is not None:
            columns, body = _from_dataframe(dataframe)
        else:
            body = _rows(data if data is not None else rows)
        self.columns: list[str] = [
            str(c) for c in (columns if columns is not None else DEFAULT_COLUMNS)
        ]
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"Table: column names must be unique, got {self.columns}")
        self.allow_mixed_types = allow_mixed_types
        self._optional = _per_column(optional, len(self.columns))
        self._kinds: list[str | None] = [None] * len(self.columns)
        self.data: list[list[Any]] = []
        for row in body:
            self.add_data(*row)

    # ------------------------------------------------------------------------ editing
    def add_data(self, *values: Any) -> None:
        """Append one row; :class:`ValueError` unless it has one value per column."""
        if len(values) != len(self.columns):
            raise ValueError(
                f"Table: a row needs {len(self.columns)} values (columns {self.columns}), "
                f"got {len(values)}"
            )
        row = list(values)
        self._check_kinds(row)
        self.data.append(row)
        self._ref = None

    def _check_kinds(self, row: list[Any]) -> None:
        kinds = self._kinds
        for index, value in enumerate(row):
            kind = _KINDS[type(value)] if type(value) in _KINDS else _kind(value)
            expected = kinds[index]
            if kind is None:
                if not self._optional[index]:
                    raise TypeError(
                        f"Table: column {self.columns[index]!r} is not optional; got None"
                    )
            elif kind == expected:
                continue
            elif expected is None:
                kinds[index] = kind
            elif not self.allow_mixed_types:
                raise TypeError(
                    f"Table: column {self.columns[index]!r} holds {expected} values; got "
                    f"{kind} {value!r} (use allow_mixed_types=True to mix them)"
                )

    add_row = add_data

    def add_column(self, name: str, data: Sequence[Any], optional: bool = False) -> None:
        """Append a column; :class:`ValueError` for a taken name or a wrong length."""
        name = str(name)
        if name in self.columns:
            raise ValueError(f"Table: there is already a column {name!r}")
        values = list(data)
        if self.data and len(values) != len(self.data):
            raise ValueError(
                f"Table: column {name!r} has {len(values)} values but the table has "
                f"{len(self.data)} rows"
            )
        if not self.data:
            self.data = [[] for _ in values]
        for row, value in zip(self.data, values, strict=True):
            row.append(value)
        self.columns.append(name)
        self._optional.append(optional)
        self._kinds.append(None)
        self._ref = None

    # ------------------------------------------------------------------------ reading
    def get_column(self, name: str, convert_to: str | None = None) -> Any:
        """The values of column ``name`` (a numpy array with ``convert_to="numpy"``)."""
        if name not in self.columns:
            raise KeyError(f"Table has no column {name!r}; columns: {self.columns}")
        index = self.columns.index(name)
        values = [row[index] for row in self.data]
        if convert_to == "numpy":
            import numpy as np

            return np.array(values)
        return values

    def get_index(self) -> list[int]:
        """Row numbers, 0 to ``len(data) - 1``."""
        return list(range(len(self.data)))

    def get_dataframe(self) -> Any:
        """The table as a pandas DataFrame (pandas must be installed)."""
        import pandas

        return pandas.DataFrame(self.data, columns=self.columns)

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        """``(index, row)`` for every row."""
        yield from enumerate(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"<Table {len(self.data)} rows x {len(self.columns)} columns>"

    # ------------------------------------------------------------------------ binding
    def _store(self, target: Target, key: str) -> dict[str, Any]:
        body = {"columns": self.columns, "data": [self._cells(target, key, r) for r in self.data]}
        data = json.dumps(body, separators=(",", ":")).encode()
        stored = store_bytes(target, "table", key, data, ".table.json")
        ref = {
            "_type": "table-file",
            "ncols": len(self.columns),
            "nrows": len(self.data),
            "log_mode": self.log_mode,
        }
        ref.update(stored.reference("table-file"))
        return ref

    def _cells(self, target: Target, key: str, row: list[Any]) -> list[Any]:
        if all(type(cell) in _PLAIN for cell in row):
            return row
        return [_cell(target, key, cell, self.columns[i]) for i, cell in enumerate(row)]


_KINDS: dict[type, str | None] = {
    int: "number",
    float: "number",
    str: "str",
    bool: "bool",
    type(None): None,
}


def _kind(value: Any) -> str:
    """The kind of a cell for the one-kind-per-column rule (plain types are looked up)."""
    if isinstance(value, Media | Histogram):
        return type(value).__name__
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.generic):
        return "bool" if isinstance(value, np.bool_) else "number" if value.ndim == 0 else "list"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list | tuple) or (np is not None and isinstance(value, np.ndarray)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def _per_column(optional: Any, count: int) -> list[bool]:
    if isinstance(optional, list | tuple):
        if len(optional) != count:
            raise ValueError(
                f"Table: optional needs one bool per column ({count}), got {len(optional)}"
            )
        return [bool(o) for o in optional]
    return [bool(optional)] * count


def _rows(data: Any) -> list[Any]:
    if data is None:
        return []
    if hasattr(data, "tolist") and getattr(data, "ndim", 2) == 2:
        return list(data.tolist())
    if hasattr(data, "ndim"):
        raise ValueError(f"Table: data must be 2-D, got {data.ndim} dimensions")
    return [list(row) if isinstance(row, list | tuple) else [row] for row in data]


def _from_dataframe(frame: Any) -> tuple[list[str], list[Any]]:
    columns = [str(c) for c in frame.columns]
    series = [frame[c].tolist() for c in frame.columns]
    return columns, [list(row) for row in zip(*series, strict=True)]


def _cell(target: Target, key: str, cell: Any, column: str) -> Any:
    kind = type(cell)
    if kind in _PLAIN:
        return cell
    if isinstance(cell, Histogram):
        return cell.to_json()
    if isinstance(cell, Media):
        return cell.bind(target, key)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(cell, np.generic | np.ndarray):
        return cell.tolist()
    if hasattr(cell, "detach") and hasattr(cell, "tolist"):  # a torch tensor
        return cell.detach().cpu().tolist()
    if isinstance(cell, bool | int | float | str):
        return cell
    if isinstance(cell, list | tuple):
        return [_cell(target, key, v, column) for v in cell]
    if isinstance(cell, dict):
        return {str(k): _cell(target, key, v, column) for k, v in cell.items()}
    if isinstance(cell, _dt.datetime | _dt.date | _dt.time):
        return cell.isoformat()
    raise TypeError(
        f"Table: a cell of column {column!r} has type {kind.__module__}.{kind.__qualname__}, "
        "which a table cannot hold"
    )
