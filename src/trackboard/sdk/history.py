"""The step and commit rules of ``log()``: wandb's state machine (``research/wandb-api.md`` 2.1).

One *pending row* and a *current step* ``S`` (0 at start, or the resumed step). Per call:

1. ``step`` given and ``step > S``: the pending row, if any, is emitted with ``_step = S``, then
   ``S := step``. ``step == S``: nothing. ``step < S``: the call's data is dropped (the caller
   prints the warning) and counted in :attr:`History.dropped_steps`.
2. The call's values are merged into the pending row (later values win).
3. The row is committed when ``commit`` says so, or, with ``commit=None``, when no ``step`` was
   given. Committing emits the row (an empty row is never emitted) and advances ``S`` by one.

The class only keeps the state; what emitting a row means (summary, record, writer) is the
``emit`` callback's business. It is not thread-safe: the run calls it under its lock.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

Paths = dict[str, tuple[str, ...]]
"""Dotted history key -> its nesting path, for keys that came from nested dicts."""

EmitRow = Callable[[int, float, dict[str, Any], Paths | None], None]
"""``emit(step, timestamp, values, paths)``; ``values`` is handed over and never touched again."""


class History:
    """The pending row and the current step of one run."""

    __slots__ = ("_emit", "_paths", "_row", "_time", "dropped_steps", "step")

    def __init__(self, emit: EmitRow, step: int = 0) -> None:
        self._emit = emit
        self.step = step
        """``S``: the step the pending row will get (wandb's ``run.step``)."""
        self.dropped_steps = 0
        """Calls whose data was dropped because their step was below ``S``."""
        self._row: dict[str, Any] = {}
        self._paths: Paths | None = None
        self._time = 0.0

    @property
    def pending(self) -> dict[str, Any]:
        """A copy of the row not emitted yet."""
        return dict(self._row)

    def add(
        self,
        values: dict[str, Any],
        paths: Paths | None,
        step: int | None,
        commit: bool | None,
        now: float,
    ) -> bool:
        """Apply one ``log()`` call; False when its data was dropped for a lower step.

        ``values`` is only read (merged into the pending row), never kept.
        """
        if step is not None and step != self.step:
            if step < self.step:
                self.dropped_steps += 1
                return False
            if self._row:
                self._flush()
            self.step = step
        self._row.update(values)
        self._time = now
        if paths is not None:
            if self._paths is None:
                self._paths = dict(paths)
            else:
                self._paths.update(paths)
        elif self._paths is not None:
            for key in values:
                self._paths.pop(key, None)
        if commit if commit is not None else step is None:
            if self._row:
                self._flush()
            self.step += 1
        return True

    def flush(self) -> None:
        """Emit the pending row now, if there is one (``finish()``), and advance the step."""
        if self._row:
            self._flush()
            self.step += 1

    def _flush(self) -> None:
        row = self._row
        paths = self._paths
        self._row = {}
        self._paths = None
        self._emit(self.step, self._time, row, paths)


def as_step(step: Any) -> int:
    """A ``step=`` argument as an int (numpy ints and integral floats accepted)."""
    if isinstance(step, bool):
        raise TypeError(f"trackboard.log: step must be an int, got {step!r}")
    if isinstance(step, float) and step.is_integer():
        return int(step)
    try:
        return operator.index(step)
    except TypeError:
        raise TypeError(f"trackboard.log: step must be an int, got {step!r}") from None
