"""Tell a dead run from a slow one (DECISIONS 7).

No helper process watches a training script, so a run that ends without an ``Exit`` record is
found out afterwards: it is crashed when its process is gone on this host, or when its last sign
of life (a heartbeat, written every 30 s, or any record) is more than five minutes old.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from trackboard.store.base import RunRow

HEARTBEAT_TIMEOUT = 300.0

_HOST = socket.gethostname()


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process on this host (a zombie counts as dead)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] != "Z"


def is_crashed(
    run: RunRow, now: float | None = None, *, timeout: float = HEARTBEAT_TIMEOUT
) -> bool:
    """Whether a run that is still marked running has in fact died."""
    if run.state != "running":
        return False
    if run.host == _HOST and run.pid is not None and not process_alive(run.pid):
        return True
    # A live writer heartbeats from its own thread whatever the training loop does, so silence
    # also catches a reused pid and runs from other hosts.
    last = run.heartbeat_at if run.heartbeat_at is not None else run.created_at
    return (time.time() if now is None else now) - last > timeout
