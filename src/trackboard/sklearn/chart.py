"""Logging a ``trackboard.sklearn`` chart: its table, capped, under one key of the current run.

Each helper wraps its table with :func:`trackboard.plot.visualize` (the table is stored under
the key itself and the config gets ``_wandb.viz.<key> = {"id": <preset>,
"historyFieldSettings": {"x-axis": "_step", "key": <key>}}``) and logs it on the current run
(what the global :func:`trackboard.log` does), so, as in wandb, every helper is a step of its
own and needs ``trackboard.init()`` first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from trackboard.errors import Error
from trackboard.launch import current_run
from trackboard.media.table import Table
from trackboard.plot.custom_chart import visualize
from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.sklearn.checks import error, warn

CHART_LIMIT = 1000
"""wandb's ``chart_limit``: most charts keep at most this many rows of data."""


def cap(rows: list[list[Any]], chart: str, limit: int = CHART_LIMIT) -> list[list[Any]]:
    """The first ``limit`` rows, with a warning naming ``chart`` when some are left out."""
    if len(rows) <= limit:
        return rows
    warn(chart, f"using only the first {limit} of {len(rows)} datapoints to create the chart")
    return rows[:limit]


def plain(value: Any) -> Any:
    """A numpy scalar as the Python number or string it holds; anything else as is."""
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "ndim", None) == 0:
        return item()
    return value


def make_table(columns: Sequence[str], rows: list[list[Any]]) -> Table:
    """A :class:`Table` of ``rows`` with plain Python cells."""
    return Table(columns=list(columns), data=[[plain(v) for v in row] for row in rows])


def log_chart(key: str, preset: str, table: Table) -> None:
    """``trackboard.log({key: visualize(preset, table)})`` on the current run."""
    log_value(key, visualize(preset, table))


def log_value(key: str, value: Any) -> None:
    """``trackboard.log({key: value})``: a step of the current run of this process.

    Raises :class:`trackboard.Error` before ``init()`` and after ``finish()``, as ``log`` does.
    """
    current = current_run()
    if current is None:
        raise Error("You must call trackboard.init() before trackboard.sklearn's helpers log")
    current.log({key: value})


def computed(helper: str, compute: Callable[[], Table | None]) -> Table | None:
    """``compute()``, or None after printing the error scikit-learn raised on bad input."""
    try:
        return compute()
    except (ValueError, IndexError) as exc:  # scikit-learn's errors for unusable data
        error(helper, str(exc).strip() or type(exc).__name__)
        return None


def log_computed(helper: str, key: str, preset: str, compute: Callable[[], Table | None]) -> bool:
    """Log the table ``compute()`` makes as chart ``key``; False when there is none."""
    table = computed(helper, compute)
    if table is None:
        return False
    log_chart(key, preset, table)
    return True


def report(logged: bool, what: str) -> None:
    """Print ``Logged <what>.`` (an info line) when a chart was logged."""
    if logged:
        DEFAULT_PRINTER.info(f"Logged {what}.")
