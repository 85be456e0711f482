"""The background thread that appends records to a run log.

The training thread hands records over with :meth:`RunLogWriter.submit`, which only appends to
a ``collections.deque`` (atomic, no lock, no I/O). The writer thread wakes every
``flush_interval`` seconds, or early when 10,000 records are waiting, encodes everything that
is waiting, and appends the frames with as few ``write`` calls as possible; so a record submitted
more than about ``flush_interval`` ago is in the operating system's hands, and a ``kill -9`` loses
at most the last interval. The file is fsynced at most every ``fsync_interval`` seconds, and on
close.

When the disk refuses (``ENOSPC``, ``EACCES``, a missing directory, the file removed under us),
the encoded frames stay in memory, one warning says so, and every wake-up retries; once a write
works, everything kept is written in order and one message says the log recovered. A file
removed while open is recreated with what had already been written to it (copied from the still
open old file). Only when the frames kept in memory exceed ``backlog_bytes`` are the oldest
dropped, counted in :attr:`RunLogWriter.dropped`, with one loud warning. A record that cannot be
encoded (see :func:`trackboard.runlog.codec.encode`) is dropped and counted the same way.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from trackboard.errors import RunLogError
from trackboard.records import Record
from trackboard.runlog.codec import encode
from trackboard.runlog.frames import FILE_HEADER, build_frame
from trackboard.runlog.reader import truncate_torn_tail

__all__ = ["RunLogWriter"]

_WAKE_THRESHOLD = 2_000  # records waiting that wake the writer early: bounds memory and the
# time the writer holds the GIL encoding one batch (a caller of log() waits on it)
_BATCH = 10_000  # records encoded per write
_WRITE_CHUNK = 16 << 20  # bytes per write call at most (when catching up)
_COPY_CHUNK = 1 << 20
_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)


def _print_warning(message: str) -> None:
    print(f"trackboard: {message}", file=sys.stderr, flush=True)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        count = os.write(fd, view)
        if count <= 0:
            raise OSError(f"write returned {count}")
        view = view[count:]


class _FlushMarker:
    """Put in the queue by :meth:`RunLogWriter.flush`; set once everything before it is out."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class RunLogWriter:
    """Appends records to the run log at ``path`` from a daemon thread.

    The constructor starts the writer: it creates the parent directories, truncates a torn tail
    left by an earlier process (keeping every good record; a resume appends to the same file),
    writes the file header if the file is new, and starts the thread. If the file cannot be
    opened, the constructor warns and the thread keeps retrying; it raises
    :class:`~trackboard.errors.RunLogError` only when ``path`` holds something that is not a run
    log (it is never overwritten).

    ``on_tick`` is called on the writer thread once per wake-up (the SDK submits heartbeats from
    it); its exceptions are caught and warned about once. ``warn`` receives each warning's text;
    by default it is printed to stderr after ``"trackboard: "``.

    Attributes, updated by the writer thread: ``path``; ``written``, records written to the file;
    ``dropped``, records lost (backlog overflow or unencodable); :attr:`pending`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        flush_interval: float = 1.0,
        fsync_interval: float = 10.0,
        backlog_bytes: int = 256 * 1024 * 1024,
        on_tick: Callable[[], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        if flush_interval <= 0:
            raise ValueError("flush_interval must be positive")
        self.path = Path(path)
        self.written = 0
        self.dropped = 0
        self._flush_interval = flush_interval
        self._fsync_interval = fsync_interval
        self._backlog_bytes = backlog_bytes
        self._on_tick = on_tick
        self._warn_to = warn if warn is not None else _print_warning
        self._warned: set[str] = set()
        self._queue: deque[Record | _FlushMarker] = deque()
        self._wake = threading.Event()
        self._closed = False
        self._stop = False
        self._exited = False
        self._exit_lock = threading.Lock()
        # Encoded frames not yet in the file; counters of frames that entered and left it.
        self._pending: deque[bytes] = deque()
        self._pending_bytes = 0
        self._accepted = 0
        self._retired = 0
        self._waiters: deque[tuple[int, threading.Event]] = deque()
        # The file: its descriptor and the size of what has been written to it.
        self._fd: int | None = None
        self._orphan_fd: int | None = None  # a removed file's descriptor, to copy from
        self._good_end = 0
        self._dirty_tail = False  # a failed write may have left part of a frame
        self._unsynced = False
        self._last_fsync = time.monotonic()
        self._failing = False
        self._dropping = False
        try:
            self._open()
        except OSError as exc:
            self._fail(exc)
        self._thread = threading.Thread(target=self._run, name="trackboard-runlog", daemon=True)
        self._thread.start()

    # -- the caller's side -------------------------------------------------------------------

    def submit(self, record: Record) -> None:
        """Queue ``record`` for writing. O(1), takes no lock, does no I/O, never raises on disk
        problems. Raises RunLogError once :meth:`close` has been called."""
        if self._closed:
            raise RunLogError("run log is closed")
        queue = self._queue
        queue.append(record)
        if len(queue) % _WAKE_THRESHOLD == 0:
            self._wake.set()

    @property
    def pending(self) -> int:
        """Records submitted but not yet in the file (approximate while the writer runs)."""
        return len(self._queue) + len(self._pending)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def flush(self, timeout: float | None = None) -> bool:
        """Block until every record submitted before this call is written to the file (handed to
        the OS, not fsynced), dropped, or ``timeout`` seconds pass; return whether it completed.
        While the disk fails this waits for it to recover. Returns False at once on the writer
        thread (from ``on_tick``)."""
        if threading.current_thread() is self._thread:
            return False
        marker = _FlushMarker()
        with self._exit_lock:
            if self._exited:
                return not self._queue and not self._pending
            self._queue.append(marker)
        self._wake.set()
        return marker.done.wait(timeout)

    def close(self, timeout: float | None = 30.0) -> bool:
        """Write everything submitted, fsync, close the file and stop the thread.

        Returns whether that finished within ``timeout`` seconds. If not (the disk keeps
        failing), it warns, and the thread goes on retrying in the background until the process
        exits. Idempotent: later calls wait again and report the same way. After the first call,
        :meth:`submit` raises RunLogError.
        """
        self._closed = True
        self._stop = True
        self._wake.set()
        if threading.current_thread() is self._thread:
            return False
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._warn_once(
                "close",
                f"{self.pending} records are not yet written to {self.path}; "
                "still trying in the background",
            )
            return False
        return True

    def __enter__(self) -> RunLogWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait(self._flush_interval)
                self._wake.clear()
                stopping = self._stop
                try:
                    self._cycle(stopping)
                except Exception as exc:  # the thread must outlive any bug
                    self._warn_once("internal", f"run log writer error: {exc!r}")
                idle = not self._queue and not self._pending and self._orphan_fd is None
                if stopping and idle:
                    break
        finally:
            self._finish()

    def _cycle(self, stopping: bool) -> None:
        if not stopping and self._on_tick is not None:
            try:
                self._on_tick()
            except Exception as exc:
                self._warn_once("tick", f"the run log's periodic callback failed: {exc!r}")
        self._check_file()
        remaining = len(self._queue)
        writable = True
        while True:
            count = min(remaining, _BATCH)
            remaining -= count
            self._encode(count)
            if writable:
                writable = self._write_pending()
            self._limit_backlog()
            self._release_waiters()
            if remaining <= 0:
                break
        if self._unsynced and time.monotonic() - self._last_fsync >= self._fsync_interval:
            self._fsync()

    def _encode(self, count: int) -> None:
        popleft = self._queue.popleft
        append = self._pending.append
        accepted = self._accepted
        size = 0
        for _ in range(count):
            item = popleft()
            if isinstance(item, _FlushMarker):
                self._waiters.append((accepted, item.done))
                continue
            try:
                frame = build_frame(encode(item))
            except (TypeError, ValueError) as exc:
                self.dropped += 1
                self._warn_once(
                    "encode",
                    f"a record cannot be written to the run log and is dropped: {exc} "
                    "(any more are counted with the run's dropped records)",
                )
                continue
            append(frame)
            size += len(frame)
            accepted += 1
        self._accepted = accepted
        self._pending_bytes += size

    def _write_pending(self) -> bool:
        """Write the pending frames in order; False (and the frames kept) when the disk fails."""
        if not self._pending and (self._fd is not None or self._orphan_fd is None):
            return True
        pending = self._pending
        try:
            if self._fd is None:
                self._open()
            assert self._fd is not None
            fd = self._fd
            if self._dirty_tail:
                os.ftruncate(fd, self._good_end)
                self._dirty_tail = False
            while pending:
                group: list[bytes] = []
                size = 0
                while pending and (not group or size + len(pending[0]) <= _WRITE_CHUNK):
                    frame = pending.popleft()
                    group.append(frame)
                    size += len(frame)
                try:
                    _write_all(fd, b"".join(group))
                except OSError:
                    pending.extendleft(reversed(group))
                    self._dirty_tail = True
                    raise
                self._good_end += size
                self._pending_bytes -= size
                self._retired += len(group)
                self.written += len(group)
                self._unsynced = True
        except (OSError, RunLogError) as exc:
            self._fail(exc)
            return False
        if self._failing:
            self._failing = False
            self._dropping = False
            lost = f"; {self.dropped} records were dropped in all" if self.dropped else ""
            self._warn(f"the run log {self.path} is writable again; kept records written{lost}")
        return True

    def _limit_backlog(self) -> None:
        if self._pending_bytes <= self._backlog_bytes:
            return
        pending = self._pending
        count = 0
        while pending and self._pending_bytes > self._backlog_bytes:
            self._pending_bytes -= len(pending.popleft())
            count += 1
        self._retired += count
        self.dropped += count
        if not self._dropping:
            self._dropping = True
            self._warn(
                f"DATA LOSS: the run log {self.path} cannot be written and the records waiting "
                f"exceed {self._backlog_bytes / 2**20:g} MiB; dropping the oldest unsaved records "
                f"({self.dropped} so far). The run records how many were dropped."
            )

    def _release_waiters(self) -> None:
        waiters = self._waiters
        while waiters and waiters[0][0] <= self._retired:
            waiters.popleft()[1].set()

    def _open(self) -> None:
        """Open (or create) the file for appending; copy a removed file's content into it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        removed = truncate_torn_tail(self.path)
        fd = os.open(self.path, _OPEN_FLAGS, 0o644)
        orphan = self._orphan_fd
        copying = False
        try:
            size = os.fstat(fd).st_size
            if size == 0 and orphan is not None:
                copying = True
                size = self._copy_from(orphan, fd)
            elif size == 0:
                _write_all(fd, FILE_HEADER)
                size = len(FILE_HEADER)
        except BaseException:
            os.close(fd)
            if copying:  # start the copy afresh next time
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
            raise
        self._fd = fd
        self._good_end = size
        self._dirty_tail = False
        if removed:
            self._warn(
                f"removed {removed} bytes of an unfinished write from the end of {self.path}"
            )
        if orphan is not None:
            self._orphan_fd = None
            os.close(orphan)
            if not copying:
                self._warn(
                    f"the run log {self.path} was removed and another file took its place; "
                    "appending to that file, the records written before are lost"
                )
            elif not self._failing:
                self._warn(f"the run log {self.path} was removed; recreated it")

    def _copy_from(self, source: int, target: int) -> int:
        offset = 0
        while offset < self._good_end:
            os.lseek(source, offset, os.SEEK_SET)
            chunk = os.read(source, min(_COPY_CHUNK, self._good_end - offset))
            if not chunk:
                break
            _write_all(target, chunk)
            offset += len(chunk)
        return offset

    def _check_file(self) -> None:
        """Notice the file being removed while open: writes to it would vanish."""
        if self._fd is None:
            return
        try:
            os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            self._orphan_fd, self._fd = self._fd, None
        except OSError:
            return

    def _fsync(self) -> None:
        if self._fd is None:
            return
        try:
            os.fsync(self._fd)
        except OSError as exc:
            self._warn_once("fsync", f"cannot fsync the run log {self.path}: {exc}")
        else:
            self._unsynced = False
        self._last_fsync = time.monotonic()

    def _fail(self, exc: BaseException) -> None:
        if not self._failing:
            self._failing = True
            self._warn(
                f"cannot write the run log {self.path}: {exc}. Training goes on: records are "
                f"kept in memory (up to {self._backlog_bytes / 2**20:g} MiB) and the write is "
                f"retried every {self._flush_interval:g} s."
            )

    def _finish(self) -> None:
        if self._unsynced:
            self._fsync()
        for fd in (self._fd, self._orphan_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._orphan_fd = None
        with self._exit_lock:
            self._exited = True
            leftovers = [item for item in self._queue if type(item) is _FlushMarker]
        self._release_waiters()
        for marker in leftovers:
            marker.done.set()

    def _warn(self, message: str) -> None:
        with contextlib.suppress(Exception):  # a broken warning sink must not stop the writer
            self._warn_to(message)

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._warn(message)
