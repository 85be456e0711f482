"""The simple presets over a table: ``line``, ``scatter``, ``bar``, ``histogram``, and
``line_series``, which builds its own table (``research/wandb-api.md`` 5.5).

The helpers over a table check that the named columns exist (:class:`ValueError` naming the
missing one); histogram binning is left to the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trackboard.errors import Error
from trackboard.media.table import Table
from trackboard.plot.custom_chart import CustomChart
from trackboard.plot.inputs import as_array

SERIES_COLUMNS = ["step", "lineKey", "lineVal"]


def _columns(helper: str, table: Any, *names: str | None) -> Table:
    if not isinstance(table, Table):
        raise Error(f"{helper}: table must be a trackboard.Table, got {type(table).__name__}")
    for name in names:
        if name is not None and name not in table.columns:
            raise ValueError(
                f"{helper}: the table has no column {name!r}; columns: {table.columns}"
            )
    return table


def line(
    table: Table,
    x: str,
    y: str,
    stroke: str | None = None,
    title: str = "",
    split_table: bool = False,
) -> CustomChart:
    """A line chart of column ``y`` against ``x``, one line per value of ``stroke``."""
    _columns("line", table, x, y, stroke)
    fields = {"x": x, "y": y, "stroke": stroke}
    return CustomChart(table, "wandb/line/v0", fields, {"title": title}, split_table)


def scatter(
    table: Table, x: str, y: str, title: str = "", split_table: bool = False
) -> CustomChart:
    """A scatter plot of column ``y`` against ``x``."""
    _columns("scatter", table, x, y)
    return CustomChart(table, "wandb/scatter/v0", {"x": x, "y": y}, {"title": title}, split_table)


def bar(
    table: Table, label: str, value: str, title: str = "", split_table: bool = False
) -> CustomChart:
    """A bar chart: one bar per row, named by column ``label``, as long as column ``value``."""
    _columns("bar", table, label, value)
    fields = {"label": label, "value": value}
    return CustomChart(table, "wandb/bar/v0", fields, {"title": title}, split_table)


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """A histogram of column ``value`` (binned when drawn)."""
    _columns("histogram", table, value)
    return CustomChart(table, "wandb/histogram/v0", {"value": value}, {"title": title}, split_table)


def line_series(
    xs: Any,
    ys: Any,
    keys: Sequence[Any] | None = None,
    title: str = "",
    xname: str = "x",
    split_table: bool = False,
) -> CustomChart:
    """Several lines in one chart: ``ys[i]`` against ``xs[i]`` (or the one flat ``xs``).

    The table has columns ``step``, ``lineKey``, ``lineVal``. Each line's points are paired
    with its x values and the shorter wins. Keys default to ``line_0, line_1, ...``.
    :class:`ValueError` when the numbers of x lists, y lists and keys differ.
    """
    series = [_values(y, f"line_series: ys[{i}]") for i, y in enumerate(_outer(ys, "ys"))]
    if not series:
        raise ValueError("line_series: ys is empty; give at least one line")
    x_lists = _x_lists(xs, len(series))
    names = [f"line_{i}" for i in range(len(series))] if keys is None else list(keys)
    if len(names) != len(series):
        raise ValueError(
            f"line_series: keys has {len(names)} names but ys has {len(series)} lines; "
            "they must match"
        )
    rows = [
        [x, str(name), y]
        for name, x_values, y_values in zip(names, x_lists, series, strict=True)
        for x, y in zip(x_values, y_values, strict=False)
    ]
    table = Table(columns=SERIES_COLUMNS, data=rows)
    fields = {column: column for column in SERIES_COLUMNS}
    strings = {"title": title, "xname": xname}
    return CustomChart(table, "wandb/lineseries/v0", fields, strings, split_table)


def _outer(value: Any, name: str) -> list[Any]:
    if value is None:
        raise ValueError(f"line_series: {name} is required, got None")
    if hasattr(value, "detach") or hasattr(value, "ndim"):
        return list(as_array(value, f"line_series: {name}"))
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise TypeError(f"line_series: {name} must be a list, got {type(value).__name__}")
    return list(value)


def _values(value: Any, name: str) -> list[Any]:
    array = as_array(value, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat list of numbers, got shape {array.shape}")
    return list(array.tolist())


def _x_lists(xs: Any, count: int) -> list[list[Any]]:
    """One list of x values per line: a flat ``xs`` is shared by every line."""
    outer = _outer(xs, "xs")
    if not outer:
        raise ValueError("line_series: xs is empty")
    first = outer[0]
    nested = isinstance(first, list | tuple) or getattr(first, "ndim", 0) >= 1
    if not nested:
        shared = _values(outer, "line_series: xs")
        return [shared] * count
    if len(outer) != count:
        raise ValueError(
            f"line_series: xs has {len(outer)} lists but ys has {count} lines; give one x list "
            "per line or one flat list shared by all"
        )
    return [_values(x, f"line_series: xs[{i}]") for i, x in enumerate(outer)]
