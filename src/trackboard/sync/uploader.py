"""The uploader: a run folder's run log and files, sent to a trackboard server.

The protocol is ``docs/design/0004-team-server.md``. The uploader reads ``run.log`` from where
everything before is confirmed, groups frames by writer session (a ``RunStart`` opens one),
drops those at or below the server's cursor for their session, and posts the rest byte for byte
in batches of at most 4 MiB. The server's answer is the new cursor, committed with the data, so
the cursor is the only acknowledgement: after any failure the uploader asks the server for its
cursors (``GET .../sessions``) and goes on from there, and a replay is a no-op.

Then it puts every file under ``files/`` whose size or modification time it has not seen
confirmed. ``upload.json`` in the run folder remembers the run log offset, the cursors behind it
and the confirmed files, so a restarted process or ``trackboard sync`` does not read the whole
log again; it is checked against the server's cursors before it is trusted.

In the training process the uploader is a daemon thread beside the writer (:meth:`start`,
:meth:`drain` at finish, :meth:`close`); nothing it does can block or fail ``log()``. It
backs off on failures (0.5 s doubling to 30 s, or the server's ``Retry-After``) and stops, with
:attr:`error` saying why, only on what retrying cannot fix (a refused key, a record over the
server's limit). ``trackboard sync`` calls :meth:`run_to_completion` instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackboard.errors import RemoteError, RunLogError, ServerError, TransportError
from trackboard.records import Record, RunStart
from trackboard.runlog import decode, iter_frames, peek
from trackboard.runlog.frames import build_frame
from trackboard.sdk.resume import FILES_DIR_NAME, RUN_LOG_NAME
from trackboard.settings import DEFAULT_ENTITY
from trackboard.sync.http import Backoff, ServerClient

MIB = 1024 * 1024
BATCH_BYTES = 4 * MIB
"""Records bodies are cut at this size; a single larger frame goes alone."""
MAX_FRAME_BYTES = 16 * MIB
"""A frame larger than this (a server's default records limit) is never sent: it stays in
the run log and the upload stops there, saying so."""
FRAMES_MEDIA_TYPE = "application/x-trackboard-frames"
STATE_FILE = "upload.json"
STATE_VERSION = 1
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Answers worth retrying; any other error status is final for what was sent."""
MAX_UNSETTLED_PUTS = 3
"""A file that changed during this many uploads in a row is left for a later uploader
(``trackboard sync``): one rewritten all the time must not keep the upload from finishing."""
FILE_SCAN_INTERVAL = 5.0
"""Seconds between looks for new files under ``files/`` while the run goes on."""


def upload_entity(entity: str, user_entity: str | None) -> str:
    """The entity a run is uploaded under: the user's own when it was logged under the
    default entity and the credentials know the user's."""
    return user_entity if entity == DEFAULT_ENTITY and user_entity else entity


@dataclass
class UploadProgress:
    """What has been confirmed so far (counters only grow)."""

    records: int = 0
    """Records in confirmed batches (applied, or already held by the server)."""
    bytes: int = 0
    """Bytes of records bodies and files confirmed."""
    files: int = 0


@dataclass
class Pending:
    """What is not confirmed yet: records of the run log, and files (``refused`` of them
    were turned down by the server and are kept for ``trackboard sync``)."""

    records: int = 0
    files: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.records == 0 and self.files == 0


@dataclass
class _State:
    """Where the confirmed part of the run folder ends; ``upload.json`` holds it."""

    server: str
    offset: int = 0
    """Run log offset before which every frame is confirmed."""
    session: str | None = None
    """The session of the frames at ``offset`` (None before the first ``RunStart``)."""
    cursors: dict[str, int] = field(default_factory=dict)
    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Confirmed files: relative path -> (size, mtime in ns)."""


@dataclass
class _Batch:
    session: str | None
    frames: list[bytes]
    first_seq: int
    last_seq: int
    size: int
    end: int
    """Offset after the last frame read (sent or skipped)."""
    end_session: str | None


class Uploader:
    """Uploads one run folder to the server behind ``client`` as ``entity/project/run_id``."""

    def __init__(
        self,
        run_folder: str | os.PathLike[str],
        client: ServerClient,
        entity: str,
        project: str,
        run_id: str,
        *,
        poll_interval: float = 1.0,
        batch_bytes: int = BATCH_BYTES,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.run_folder = Path(run_folder)
        self.log_path = self.run_folder / RUN_LOG_NAME
        self.files_dir = self.run_folder / FILES_DIR_NAME
        self.client = client
        self.entity, self.project, self.run_id = entity, project, run_id
        self.poll_interval = poll_interval
        self.progress = UploadProgress()
        self.error: str | None = None
        """Why the uploader stopped for good (None while it runs or after success)."""
        self._batch_bytes = batch_bytes
        self._warn = warn or (lambda message: None)
        self._run_path = "/api/v1/projects/{}/{}/runs/{}".format(
            *(urllib.parse.quote(part, safe="") for part in (entity, project, run_id))
        )
        self._state = load_state(self.run_folder, client.host)
        self._lock = threading.Lock()
        self._resync = True
        self._refused: dict[str, str] = {}
        self._unsettled: dict[str, int] = {}
        """Uploads of a file that changed while it was sent, in a row (see MAX_UNSETTLED_PUTS)."""
        self._file_queue: list[str] = []
        self._next_file_scan = 0.0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._cond = threading.Condition()
        self._drain_gen = 0
        self._idle_gen = 0

    # ------------------------------------------------------------------ the background thread
    def start(self) -> None:
        """Follow the run folder in a daemon thread until :meth:`close`."""
        self._thread = threading.Thread(
            target=self._follow, name=f"trackboard-upload-{self.run_id}", daemon=True
        )
        self._thread.start()

    def drain(self, timeout: float) -> bool:
        """Wait until everything written so far (the run log up to its end, every file) is
        confirmed, at most ``timeout`` seconds; whether it was. Call it after the writer closed,
        so the end of the run log is the ``Exit`` record."""
        thread = self._thread
        if thread is None:
            return False
        with self._cond:
            self._drain_gen += 1
            gen = self._drain_gen
        self._wake.set()
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while self._idle_gen < gen:
                left = deadline - time.monotonic()
                if left <= 0 or self.error is not None or not thread.is_alive():
                    return False
                self._cond.wait(min(left, 0.5))
            return True

    def close(self, timeout: float = 1.0) -> None:
        """Stop the thread (a request in flight is abandoned: the server's cursor decides)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _follow(self) -> None:
        backoff = Backoff()
        failing = False
        while not self._stop.is_set():
            with self._cond:
                gen = self._drain_gen
            try:
                progressed = self._step(draining=gen > 0)
            except RemoteError as exc:
                if _final(exc):
                    self._give_up(str(exc))
                    return
                if not failing:  # once per outage: training goes on regardless
                    self._warn(f"cannot upload run {self.run_id} now, retrying: {exc}")
                failing = True
                self._resync = True
                self._stop.wait(backoff.next_delay(exc))
                continue
            except (RunLogError, OSError) as exc:
                self._give_up(f"cannot read {self.run_folder}: {exc}")
                return
            except Exception as exc:  # a bug here must never reach the training script
                self._give_up(f"{type(exc).__name__}: {exc}")
                return
            backoff.reset()
            failing = False
            if progressed:
                continue
            with self._cond:
                self._idle_gen = max(self._idle_gen, gen)
                self._cond.notify_all()
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _give_up(self, message: str) -> None:
        with self._cond:
            self.error = message
            self._cond.notify_all()
        self._warn(f"upload of run {self.run_id} stopped: {message}")

    # ------------------------------------------------------------------ to completion (sync)
    def run_to_completion(
        self,
        *,
        max_failures: int = 6,
        on_progress: Callable[[UploadProgress], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Upload everything in the run folder now, in this thread.

        Transient failures are retried with backoff, ``max_failures`` in a row at most; then,
        or on a final failure, raises :class:`~trackboard.errors.RemoteError` with the reason.
        Files the server refused (over its size limit) raise too, after everything else went.
        """
        backoff = Backoff()
        failures = 0
        while True:
            try:
                progressed = self._step(draining=True)
            except RemoteError as exc:
                failures += 1
                if _final(exc) or failures >= max_failures:
                    self.error = str(exc)
                    raise
                self._resync = True
                sleep(backoff.next_delay(exc))
                continue
            failures = 0
            backoff.reset()
            if on_progress is not None:
                on_progress(self.progress)
            if not progressed:
                break
        if self._refused:
            path, reason = next(iter(self._refused.items()))
            more = f" (and {len(self._refused) - 1} more)" if len(self._refused) > 1 else ""
            self.error = f"file {path} was refused{more}: {reason}"
            raise RemoteError(self.error)

    # ------------------------------------------------------------------ one step
    def _step(self, *, draining: bool) -> bool:
        """Send one batch or one file; False when there was nothing to send."""
        if self._resync:
            self._load_cursors()
            self._resync = False
        batch = self._next_batch(self._batch_bytes)
        if batch is not None and batch.frames:
            self._send(batch)
            return True
        if batch is not None and batch.end != self._state.offset:
            self._confirm(batch, -1)  # only frames the server already held: move past them
            return True
        return self._send_next_file(draining)

    def _load_cursors(self) -> None:
        reply = self.client.request("GET", self._run_path + "/sessions")
        answer = reply.json()
        sessions = answer.get("sessions") if isinstance(answer, dict) else None
        if not isinstance(sessions, dict):
            raise ServerError(reply.status, "the sessions answer has no 'sessions' object")
        server = {str(s): _int(c, f"cursor of session {s}") for s, c in sessions.items()}
        with self._lock:
            known = self._state.cursors
            if any(server.get(s, -1) < c for s, c in known.items()):
                # The server holds less than we were told (a restored or another database):
                # read the run log from its start; the cursors skip what is there.
                self._state.offset, self._state.session = 0, None
            self._state.cursors = server

    def _next_batch(self, limit: int) -> _Batch | None:
        """The next frames to send, all of one session, at most ``limit`` bytes."""
        try:
            size = self.log_path.stat().st_size
        except FileNotFoundError:
            return None
        state = self._state
        if size < state.offset:  # the run log was replaced
            with self._lock:
                state.offset, state.session = 0, None
        session = state.session
        batch = _Batch(session, [], -1, -1, 0, state.offset, session)
        for frame in iter_frames(self.log_path, state.offset):
            kind, seq, started = _peek(frame.payload)
            if kind is RunStart:
                if batch.frames:
                    break
                session = started
            if session is None or kind is None:
                # Before any RunStart nothing names the session; an undecodable payload is
                # skipped as every reader skips it.
                batch.end = frame.end
                continue
            if seq <= state.cursors.get(session, -1):
                batch.end, batch.end_session = frame.end, session
                continue
            raw = build_frame(frame.payload)
            if batch.frames and batch.size + len(raw) > limit:
                break
            if len(raw) > MAX_FRAME_BYTES:
                raise RemoteError(
                    f"record seq {seq} of session {session} in {self.log_path} is "
                    f"{len(raw)} bytes, over the upload limit of {MAX_FRAME_BYTES} bytes; "
                    "it stays in the run log"
                )
            if not batch.frames:
                batch.session, batch.first_seq = session, seq
            batch.frames.append(raw)
            batch.size += len(raw)
            batch.last_seq = seq
            batch.end, batch.end_session = frame.end, session
        return batch

    def _send(self, batch: _Batch) -> None:
        assert batch.session is not None
        session = batch.session
        known = self._state.cursors.get(session, -1)
        try:
            reply = self.client.request(
                "POST",
                self._run_path + "/records",
                body=b"".join(batch.frames),
                content_type=FRAMES_MEDIA_TYPE,
                params={"session": session},
            )
        except ServerError as exc:
            if exc.status == 409:
                self._on_gap(batch, exc, known)
                return
            if exc.status == 413 and len(batch.frames) > 1:
                self._batch_bytes = max(batch.size // 2, len(batch.frames[0]))
                return
            if exc.status == 413:
                raise RemoteError(
                    f"record seq {batch.first_seq} of session {session} ({batch.size} bytes) "
                    f"is over the server's limit: {exc.message}; it stays in the run log"
                ) from None
            raise
        answer = reply.json()
        cursor = _int(answer.get("cursor") if isinstance(answer, dict) else None, "cursor")
        if cursor < batch.last_seq:
            raise RemoteError(
                f"the server confirmed session {session} up to seq {cursor}, "
                f"not the {batch.last_seq} it was sent"
            )
        self.progress.records += len(batch.frames)
        self.progress.bytes += batch.size
        self._confirm(batch, cursor)

    def _on_gap(self, batch: _Batch, exc: ServerError, known: int) -> None:
        """409: the batch starts after the server's cursor; go on from the cursor, unless the
        run log has nothing between them (frames lost to corruption)."""
        payload = exc.payload if isinstance(exc.payload, dict) else {}
        cursor = _int(payload.get("cursor"), "cursor")
        assert batch.session is not None
        if cursor == known:
            raise RemoteError(
                f"the run log {self.log_path} has no records {cursor + 1} to "
                f"{batch.first_seq - 1} of session {batch.session} (lost to corrupt frames), "
                "so the server cannot take the later ones"
            )
        with self._lock:
            if cursor < known:
                self._state.offset, self._state.session = 0, None
            self._state.cursors[batch.session] = cursor

    def _confirm(self, batch: _Batch, cursor: int) -> None:
        with self._lock:
            state = self._state
            if batch.frames and batch.session is not None:
                state.cursors[batch.session] = cursor
            state.offset, state.session = batch.end, batch.end_session
        self._save()

    # ------------------------------------------------------------------ files
    def _send_next_file(self, draining: bool) -> bool:
        now = time.monotonic()
        if not self._file_queue and (draining or now >= self._next_file_scan):
            self._next_file_scan = now + FILE_SCAN_INTERVAL
            self._file_queue = self._changed_files()
        while self._file_queue:
            rel = self._file_queue.pop(0)
            if self._put_file(rel):
                return True
        return False

    def _changed_files(self) -> list[str]:
        """Files under ``files/`` not confirmed as they are now (and not refused)."""
        return [
            rel
            for rel, key in _files(self.files_dir).items()
            if self._state.files.get(rel) != key
            and rel not in self._refused
            and self._unsettled.get(rel, 0) < MAX_UNSETTLED_PUTS
        ]

    def _put_file(self, rel: str) -> bool:
        """Upload one file; False when it vanished or changed under us (a later scan sees it)."""
        path = self.files_dir / rel
        try:
            before = _stat_key(path)
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            return False
        quoted = "/".join(urllib.parse.quote(part, safe="") for part in rel.split("/"))
        with handle:
            try:
                self.client.request(
                    "PUT",
                    f"{self._run_path}/files/{quoted}",
                    body=handle,
                    content_type="application/octet-stream",
                )
            except ServerError as exc:
                if exc.status in RETRY_STATUSES or exc.status in (401, 403):
                    raise
                with self._lock:  # pending() reads it from another thread
                    self._refused[rel] = exc.message
                self._warn(f"file {rel} of run {self.run_id} was not uploaded: {exc.message}")
                return True
        try:
            after = _stat_key(path)
        except OSError:
            return True
        if after != before:
            self._unsettled[rel] = self._unsettled.get(rel, 0) + 1
            return True
        self._unsettled.pop(rel, None)
        with self._lock:
            self._state.files[rel] = after
        self.progress.files += 1
        self.progress.bytes += after[0]
        self._save()
        return True

    # ------------------------------------------------------------------ what is left
    def pending(self) -> Pending:
        """Records and files not confirmed yet (reads the unconfirmed part of the run log)."""
        with self._lock:
            offset, session = self._state.offset, self._state.session
            cursors = dict(self._state.cursors)
            confirmed = dict(self._state.files)
            left = Pending(refused=sorted(self._refused))
        with contextlib.suppress(RunLogError, OSError):
            for frame in iter_frames(self.log_path, offset):
                kind, seq, started = _peek(frame.payload)
                if kind is RunStart:
                    session = started
                if session is not None and kind is not None and seq > cursors.get(session, -1):
                    left.records += 1
        left.files = sum(
            1 for rel, key in _files(self.files_dir).items() if confirmed.get(rel) != key
        )
        return left

    def _save(self) -> None:
        with self._lock:
            state = self._state
            data = {
                "version": STATE_VERSION,
                "server": state.server,
                "entity": self.entity,
                "project": self.project,
                "run_id": self.run_id,
                "offset": state.offset,
                "session": state.session,
                "cursors": dict(state.cursors),
                "files": {rel: list(key) for rel, key in state.files.items()},
            }
        save_state(self.run_folder, data)


# ---------------------------------------------------------------------------- upload.json
def load_state(run_folder: Path, server: str) -> _State:
    """The run folder's upload state for ``server`` (``host:port``); a fresh one when there is
    none, it is for another server, or it cannot be read."""
    try:
        data = json.loads((run_folder / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION or data.get("server") != server:
            return _State(server)
        session = data.get("session")
        return _State(
            server=server,
            offset=int(data["offset"]),
            session=str(session) if session is not None else None,
            cursors={str(s): int(c) for s, c in data["cursors"].items()},
            files={str(r): (int(k[0]), int(k[1])) for r, k in data["files"].items()},
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return _State(server)


def save_state(run_folder: Path, data: dict[str, Any]) -> None:
    """Write ``upload.json`` through a temporary name, so a crash never leaves half of it."""
    path = run_folder / STATE_FILE
    tmp = run_folder / f".{STATE_FILE}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def is_uploaded(run_folder: Path, server: str) -> bool:
    """Whether ``upload.json`` says the whole run folder is confirmed by ``server``: the run
    log to its end and every file as it is now. Says nothing about what the server holds."""
    state = load_state(run_folder, server)
    try:
        size = (run_folder / RUN_LOG_NAME).stat().st_size
    except OSError:
        return False
    if state.offset != size:
        return False
    files = _files(run_folder / FILES_DIR_NAME)
    return all(state.files.get(rel) == key for rel, key in files.items())


# ---------------------------------------------------------------------------- helpers
def _final(exc: RemoteError) -> bool:
    """Whether retrying cannot help: any error but a dropped connection or a retry status."""
    if isinstance(exc, TransportError):
        return False
    return not (isinstance(exc, ServerError) and exc.status in RETRY_STATUSES)


def _peek(payload: bytes) -> tuple[type[Record] | None, int, str | None]:
    """A frame's record type and seq, and for a RunStart its session; ``(None, -1, None)``
    for a payload that does not decode. Only RunStarts are decoded whole."""
    try:
        kind, seq = peek(payload)
        if kind is not RunStart:
            return kind, seq, None
        start = decode(payload)
    except RunLogError:
        return None, -1, None
    assert isinstance(start, RunStart)
    return RunStart, start.seq, start.session


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServerError(200, f"the answer's {what} is not an integer: {value!r}")
    return value


def _stat_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _files(files_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``files_dir`` (relative POSIX path -> size, mtime), leaving out the
    temporary files media writers rename into place."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, _dirs, names in os.walk(files_dir):
        for name in names:
            if name.endswith(".tmp"):
                continue
            path = Path(dirpath) / name
            try:
                key = _stat_key(path)
            except OSError:
                continue
            out[path.relative_to(files_dir).as_posix()] = key
    return out
