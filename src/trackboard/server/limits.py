"""What the upload routes accept: body sizes and how many uploads run at once.

A server on PostgreSQL serves many training processes; without limits one client's huge
batch, or a crowd of them reconnecting at once, would hold the whole server's memory and
database connections. Over a size limit the answer is ``413`` with the limit in the message;
over the in-flight limit it is ``429`` with ``Retry-After``, and the client waits and resends
(docs/design/0004-team-server.md, "Limits and back-pressure").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerLimits:
    max_records_bytes: int = 16 * MIB
    """The largest records body (the client splits its batches at 4 MiB)."""
    max_file_bytes: int = 1024 * MIB
    """The largest run file one ``PUT`` may carry."""
    max_ingest_inflight: int = 8
    """Upload requests served at once; 0 refuses every upload."""
    retry_after_s: int = 1
    """What ``Retry-After`` tells a client refused for the in-flight limit."""

    def __post_init__(self) -> None:
        for name in ("max_records_bytes", "max_file_bytes", "max_ingest_inflight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


class InflightGate:
    """Counts the uploads being served; :meth:`enter` says no when ``limit`` already are.

    A counter rather than a queue: a refused client backs off on its own, so the server never
    holds bodies it cannot start on. Thread-safe (several event loops may share one app)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._count = 0
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        return self._count

    def enter(self) -> bool:
        with self._lock:
            if self._count >= self.limit:
                return False
            self._count += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._count -= 1
