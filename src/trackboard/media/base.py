"""What every file-backed media type shares: binding to a run, safe names, content hashes.

A media object is made by the user and *bound* when it is logged (:meth:`Media.bind`): its
file is written to ``<files>/media/<subdir>/<key>_<step>_<sha256[:20]><ext>`` and the row keeps
the JSON reference :meth:`Media.bind` returns. A ``/`` in the key makes subfolders; every
segment is sanitised (no ``..``, ``.``, empty, absolute or drive parts, no backslash, NUL or
control characters, at most :data:`MAX_SEGMENT` characters) and the final path is checked to
lie inside ``files/``, so no key can write outside the run. The name holds the content hash,
so identical content under one key and step is written once.

An object keeps the reference of its first binding (logged again, even under another key, it
points at the same file), as wandb's objects do.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

MAX_SEGMENT = 96
"""The most characters one sanitised path segment keeps (before the step and hash)."""
HASH_CHARS = 20

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\:*?\"<>|]")


@dataclass(frozen=True)
class Target:
    """Where and for which row media are bound: the run's ``files`` folder and the step.

    ``step`` is the step of the row the value joins, or ``"summary"``; ``warn`` prints one
    warning line (lists cut to their maximum length, sizes that differ).
    """

    files_dir: Path
    step: int | str
    warn: Callable[[str], None]
    writer: FileWriter | None = None
    """Writes the files in the background when given (a run's); else they are written at once."""


@dataclass(frozen=True)
class StoredFile:
    """A file written under ``files/``: its path relative to ``files/``, hash and size."""

    path: str
    sha256: str
    size: int

    def reference(self, type_name: str) -> dict[str, Any]:
        """The common part of a JSON reference: ``_type``, ``path``, ``sha256``, ``size``."""
        return {"_type": type_name, "path": self.path, "sha256": self.sha256, "size": self.size}


def safe_segment(segment: str) -> str:
    """One path segment made harmless: unsafe characters become ``_``, dots-only becomes ``_``."""
    cleaned = _UNSAFE.sub("_", segment).strip()
    if not cleaned or set(cleaned) == {"."}:
        cleaned = "_"
    return cleaned[:MAX_SEGMENT]


def media_relpath(subdir: str, key: str, step: int | str, digest: str, ext: str) -> str:
    """``media/<subdir>/<key parts>/<last>_<step>_<digest[:20]><ext>``, every part sanitised."""
    parts = [safe_segment(part) for part in key.split("/")]
    stem = f"{parts[-1]}_{safe_segment(str(step))}_{digest[:HASH_CHARS]}{ext}"
    return "/".join(["media", subdir, *parts[:-1], stem])


def store_bytes(target: Target, subdir: str, key: str, data: bytes, ext: str) -> StoredFile:
    """Write ``data`` under ``target.files_dir`` (once per name) and describe the file.

    Raises :class:`ValueError` if the sanitised path would still lie outside ``files/``.
    """
    digest = hashlib.sha256(data).hexdigest()
    relative = media_relpath(subdir, key, target.step, digest, ext)
    root = os.path.abspath(target.files_dir)
    path = os.path.normpath(os.path.join(root, relative))
    if not path.startswith(root + os.sep):
        raise ValueError(f"media key {key!r} would write outside the run's files folder")
    if target.writer is not None:
        target.writer.submit(path, data, target.warn)
    elif not os.path.isfile(path):
        _write_file(path, data)
    return StoredFile(relative, digest, len(data))


def _write_file(path: str, data: bytes) -> None:
    folder = os.path.dirname(path)
    if folder not in _made:
        os.makedirs(folder, exist_ok=True)
        _made.add(folder)
    try:
        _write_atomically(path, data)
    except FileNotFoundError:  # the folder was removed since this process made it
        os.makedirs(folder, exist_ok=True)
        _write_atomically(path, data)


class FileWriter:
    """Writes a run's media files on one background thread, so ``log()`` returns before the disk.

    Creating files is the slowest part of logging an image (a fraction of a millisecond each on
    a busy disk). :meth:`submit` queues a file and returns; at most :data:`MAX_PENDING_BYTES`
    wait at once (a faster producer blocks until the disk catches up, so memory stays bounded).
    A file already written or queued under the same name (same key, step and content) is
    skipped. :meth:`drain` waits until everything queued is on disk; ``finish`` calls it. A
    failed write is reported once through the ``warn`` given with it and never raises into
    the training loop.
    """

    MAX_PENDING_BYTES = 256 << 20

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[tuple[str, bytes, Callable[[str], None]]] = []
        self._pending_bytes = 0
        self._busy = False
        self._seen: set[str] = set()
        self._warned = False
        self._thread: threading.Thread | None = None

    def submit(self, path: str, data: bytes, warn: Callable[[str], None]) -> None:
        with self._cond:
            if path in self._seen:
                return
            self._seen.add(path)
            while self._pending_bytes > self.MAX_PENDING_BYTES:
                self._cond.wait()
            self._queue.append((path, data, warn))
            self._pending_bytes += len(data)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="trackboard-media", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued file is written; False if ``timeout`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue))
                batch, self._queue = self._queue, []
                self._busy = True
            for path, data, warn in batch:
                try:
                    if not os.path.isfile(path):
                        _write_file(path, data)
                except OSError as exc:
                    if not self._warned:
                        self._warned = True
                        warn(f"could not write media file {path}: {exc}")
                with self._cond:
                    self._pending_bytes -= len(data)
                    self._cond.notify_all()
            with self._cond:
                self._busy = bool(self._queue)
                self._cond.notify_all()


_made: set[str] = set()
"""Folders already created by this process (saves a system call per file)."""


def _write_atomically(path: str, data: bytes) -> None:
    """Write through a temporary name and rename, so no reader sees half a file."""
    tmp = f"{path}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        with open(tmp, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_path(value: str | os.PathLike[str], what: str) -> bytes:
    """The bytes of a file given as a path; :class:`ValueError` naming it when missing."""
    path = Path(value)
    if not path.is_file():
        raise ValueError(f"{what}: file {os.fspath(value)!r} does not exist")
    return path.read_bytes()


def caption_text(caption: Any) -> str | None:
    """A caption as stored: ``None`` or its text, kept verbatim (never interpreted as HTML)."""
    return None if caption is None else str(caption)


class Media:
    """A value stored as a file beside the run; subclasses write it in :meth:`_store`."""

    _log_type: ClassVar[str] = "media"

    _ref: dict[str, Any] | None = None

    def bind(self, target: Target, key: str) -> dict[str, Any]:
        """Write this object's files for ``key`` (once) and return its JSON reference."""
        if self._ref is None:
            self._ref = self._store(target, key)
        return self._ref

    def _store(self, target: Target, key: str) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self, run: Any = None) -> dict[str, Any]:
        """The JSON reference of a logged object; :class:`ValueError` before it is logged."""
        if self._ref is None:
            raise ValueError(f"{type(self).__name__} has no file until it is logged")
        return dict(self._ref)
