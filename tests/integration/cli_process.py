"""A ``trackboard`` command that serves (``ui``, ``server``) run as a real subprocess."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path


def _read_lines(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)


@dataclass
class Served:
    """A serving command: its process, the URL it printed, and its output (stdout and stderr)."""

    proc: subprocess.Popen[str]
    url: str
    lines: queue.Queue[str]
    """Lines printed after the URL, not read yet (see :meth:`output_until`)."""
    output: list[str] = field(default_factory=list)

    def output_until(self, expect: str, timeout: float = 30) -> str:
        """Everything printed so far, read until ``expect`` shows (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while expect not in "".join(self.output) and time.monotonic() < deadline:
            try:
                self.output.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                continue
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)


@contextmanager
def serving(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    stop_gracefully: bool = False,
) -> Iterator[Served]:
    """``python -m trackboard.cli ARGS`` in ``cwd`` until it prints the address it serves at;
    stopped afterwards (killed, or sent SIGTERM first with ``stop_gracefully``)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "trackboard.cli", *args],
        cwd=cwd,
        env=dict(os.environ if env is None else env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    url = None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if "at http://127.0.0.1:" in line:
            url = line.rsplit(" ", 1)[-1].strip()
    try:
        assert url is not None, f"no URL line; output: {''.join(seen)}"
        yield Served(proc, url, lines, seen)
    finally:
        if proc.poll() is None and stop_gracefully:
            proc.terminate()
            with suppress(subprocess.TimeoutExpired):
                proc.wait(15)
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        reader.join(10)
        assert proc.stdout is not None
        proc.stdout.close()
