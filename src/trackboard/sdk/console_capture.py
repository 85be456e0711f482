"""``ConsoleCapture``: what the script prints, kept with the run as console lines.

wandb's ``console="wrap"`` (``research/wandb-api.md`` 9.3): ``sys.stdout`` and ``sys.stderr``
are replaced by tees that write to the original stream first (the terminal sees everything as
before) and then hand the text to every capture that is running. Only Python-level writes are
seen; output of C extensions and subprocesses writing to the file descriptors is not.

A capture cuts the text into lines. A carriage return starts its line over, so a progress
bar redrawn with ``\\r`` is kept as its last state, and a line still unfinished at
:meth:`ConsoleCapture.stop` is kept as it stands. A line longer than :data:`MAX_LINE_CHARS`
comes out as several. A background thread hands the lines to ``emit`` every
:data:`DRAIN_INTERVAL` seconds: the write itself only appends to a list, so ``print()`` never
waits for the run, and a failure in the capture never reaches the caller of ``print()``.

The tees are installed by the first running capture and removed when the last one stops (if
nobody replaced ``sys.stdout`` in between; a tee left behind only passes text through). Several
runs of one process (``reinit="create_new"``) each get every line written while they run.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

MAX_LINE_CHARS = 4096
"""The longest text of one console record; a longer line is split."""
MAX_PENDING_LINES = 100_000
"""Lines held between two drains; beyond it lines are counted as dropped, never buffered."""
DRAIN_INTERVAL = 0.5
STREAMS = ("stdout", "stderr")

Line = tuple[float, str, str]
"""``(time, stream, text)`` of one captured line."""
Emit = Callable[[Iterable[Line]], bool]
"""``emit(lines)``: record lines in order; False when the run no longer takes any."""


class _Tee:
    """Stands in for ``sys.stdout`` or ``sys.stderr``: the original stream, plus capture."""

    def __init__(self, stream: str, inner: TextIO) -> None:
        self._stream = stream
        self._inner = inner

    def write(self, text: str) -> int:
        written = self._inner.write(text)
        _dispatch(self._stream, text)
        return written

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


_lock = threading.RLock()
_captures: list[ConsoleCapture] = []
_tees: dict[str, _Tee] = {}
_owner = os.getpid()
"""The process whose captures run; a forked child (a data loader worker) inherits the tees but
no drain thread, so its writes only pass through."""


def _dispatch(stream: str, text: Any) -> None:
    """Give ``text`` to every running capture; swallows every error (print must work)."""
    try:
        if not _captures or type(text) is not str or not text or os.getpid() != _owner:
            return
        when = time.time()
        for capture in list(_captures):
            capture.feed(stream, text, when)
    except Exception:
        return


def _install(capture: ConsoleCapture) -> None:
    global _owner
    with _lock:
        _owner = os.getpid()
        _captures.append(capture)
        for stream in STREAMS:
            current = getattr(sys, stream)
            if current is None or isinstance(current, _Tee):
                continue
            tee = _Tee(stream, current)
            _tees[stream] = tee
            setattr(sys, stream, tee)


def _uninstall(capture: ConsoleCapture) -> None:
    with _lock:
        if capture in _captures:
            _captures.remove(capture)
        if _captures:
            return
        for stream, tee in list(_tees.items()):
            if getattr(sys, stream) is tee:
                setattr(sys, stream, tee._inner)
            del _tees[stream]


class ConsoleCapture:
    """Captures stdout and stderr between :meth:`start` and :meth:`stop` into ``emit``."""

    def __init__(self, emit: Emit, *, drain_interval: float = DRAIN_INTERVAL) -> None:
        self._emit = emit
        self._drain_interval = drain_interval
        self._lock = threading.RLock()
        self._partial: dict[str, str] = {}
        self._lines: list[Line] = []
        self._dropped = 0
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False

    # ------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._loop, name="trackboard-console-capture", daemon=True
        )
        self._thread.start()
        _install(self)

    def stop(self) -> None:
        """Stop capturing, keep the unfinished lines, record what is left. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        _uninstall(self)
        thread, self._thread = self._thread, None
        self._wake.set()
        if thread is not None:
            thread.join(timeout=10.0)
        with self._lock:
            now = time.time()
            for stream, text in self._partial.items():
                if text:
                    self._add(stream, _last_state(text), now)
            self._partial.clear()
            if self._dropped:
                self._lines.append(
                    (now, "stderr", f"trackboard: {self._dropped} console lines were dropped")
                )
                self._dropped = 0
        self._drain()

    def _loop(self) -> None:
        while not self._wake.wait(self._drain_interval):  # set by stop()
            if not self._drain():
                _uninstall(self)
                return

    def _drain(self) -> bool:
        with self._lock:
            lines, self._lines = self._lines, []
        if not lines:
            return True
        try:
            return bool(self._emit(lines))
        except Exception:
            return True

    # -------------------------------------------------------------------------- lines
    def feed(self, stream: str, text: str, when: float) -> None:
        """Add text written to ``stream`` at ``when``; complete lines are queued."""
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: the run log takes UTF-8 only
            text = text.encode("utf-8", "replace").decode("utf-8")
        with self._lock:
            text = self._partial.pop(stream, "") + text
            *complete, rest = text.split("\n")
            for line in complete:
                self._add(stream, _last_state(line), when)
            rest = _collapse(rest)
            while len(rest) > MAX_LINE_CHARS:
                self._add(stream, rest[:MAX_LINE_CHARS], when)
                rest = rest[MAX_LINE_CHARS:]
            if rest:
                self._partial[stream] = rest

    def _add(self, stream: str, line: str, when: float) -> None:
        for start in range(0, max(len(line), 1), MAX_LINE_CHARS):
            if len(self._lines) >= MAX_PENDING_LINES:
                self._dropped += 1
                continue
            self._lines.append((when, stream, line[start : start + MAX_LINE_CHARS]))


def _last_state(line: str) -> str:
    """A finished line as a terminal leaves it: the text after its last carriage return."""
    line = line.rstrip("\r")
    return line.rsplit("\r", 1)[-1]


def _collapse(partial: str) -> str:
    """An unfinished line without what a carriage return already wrote over (a trailing
    ``\\r`` stays: it may be the first half of ``\\r\\n``)."""
    cut = partial.rfind("\r", 0, len(partial) - 1)
    return partial[cut + 1 :] if cut >= 0 else partial
