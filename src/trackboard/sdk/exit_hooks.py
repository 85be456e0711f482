"""How the process is ending, for the runs a script never finished.

wandb finishes open runs at exit with the process's exit code. Python does not hand that code to
``atexit`` handlers, so, as wandb does, the hooks wrap ``sys.exit`` (to see its status) and
``sys.excepthook`` (an uncaught exception means exit code 1). ``sys.last_value`` (set by the
interpreter for an uncaught exception) counts as a failure too.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Callable
from typing import Any


class ExitHooks:
    """Remembers how the process is ending, for the runs the script did not finish."""

    def __init__(self) -> None:
        self.installed = False
        self.exit_code: int | None = None
        self.failed = False

    def install(self, at_exit: Callable[[], None]) -> None:
        """Register ``at_exit`` with atexit and wrap ``sys.exit`` and ``sys.excepthook``, once."""
        if self.installed:
            return
        self.installed = True
        atexit.register(at_exit)
        original_hook = sys.excepthook
        original_exit = sys.exit

        def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
            self.failed = True
            original_hook(kind, value, tb)

        def exit(status: Any = None) -> None:
            self.exit_code = _exit_status(status)
            original_exit(status)

        sys.excepthook = excepthook
        setattr(sys, "exit", exit)  # noqa: B010

    def code(self) -> int:
        """The exit code the process is ending with, as far as it can be told."""
        if self.exit_code is not None:
            return self.exit_code
        if self.failed or getattr(sys, "last_value", None) is not None:
            return 1
        return 0


def _exit_status(status: object) -> int:
    if status is None:
        return 0
    if isinstance(status, int):
        return status
    return 1
