"""What the SDK tells the user: ``trackboard: ...`` lines on stderr.

Warnings are printed, not raised through :mod:`warnings`: a training script must never stop
because a test runner or a ``-W error`` flag turns a warning into an exception. The printer is
passed into the run, so tests can capture or silence it.
"""

from __future__ import annotations

import sys
import threading

PREFIX = "trackboard: "
WARNING_PREFIX = "trackboard: WARNING "


class Printer:
    """Prints ``trackboard:`` lines to ``sys.stderr`` (looked up at each call)."""

    def __init__(self, *, silent: bool = False) -> None:
        self.silent = silent
        """Info lines are left out; warnings are always printed."""
        self._once: set[str] = set()
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        stream = sys.stderr
        if stream is None:  # pythonw and some embedded interpreters
            return
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must never break the training script

    def info(self, message: str) -> None:
        if not self.silent:
            self.write(PREFIX + message)

    def warn(self, message: str) -> None:
        self.write(WARNING_PREFIX + message)

    def warn_once(self, message: str, key: str | None = None) -> None:
        """Print ``message`` the first time ``key`` (default: the message) is seen."""
        key = message if key is None else key
        with self._lock:
            if key in self._once:
                return
            self._once.add(key)
        self.warn(message)


DEFAULT_PRINTER = Printer()
"""The process-wide printer; its once-only memory spans runs, as wandb's does."""
