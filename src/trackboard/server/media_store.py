"""Where the server keeps run files: a local folder, or an object store through fsspec.

Both use the run folder layout ``<entity>/<project>/<run_id>/files/<path>``, so a local media
folder may be the root ``trackboard ui`` follows, and ``trackboard sync`` and the dashboard
see the same paths. A file is written whole or not at all: a local file goes to a temporary
file renamed into place; an object store gets one upload of the spooled body, which becomes
visible only once complete. A repeated upload of the same path rewrites it (media names carry
a content hash, so the bytes are the same).

Paths from requests go through :func:`check_file_path`: relative, plain ``/``-separated
segments, no ``..``, ``.``, empty segment, backslash or NUL. Reads of a refused or missing path
raise :class:`NotFoundError` (a request cannot tell them apart); writes of a refused path raise
:class:`InvalidInputError` naming it. fsspec is imported only for a URL (the ``s3`` extra).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from trackboard.errors import InvalidInputError, NotFoundError, UsageError
from trackboard.ingest.follow import run_folder
from trackboard.query.run_files import (
    FILES_DIR,
    RunFile,
    file_path_parts,
    list_run_files,
    resolve_run_file,
)

PARTIAL_DIR = ".partial"
"""Inside a local run folder, beside ``files/``: uploads still being written."""
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024
"""An object store upload up to this size is spooled in memory, above it in a temporary file."""


def check_file_path(path: str) -> list[str]:
    """The segments of a run file path from a request; InvalidInputError naming a bad one."""
    parts = file_path_parts(path)
    if parts is None:
        raise InvalidInputError(
            f"bad file path {path!r}: give a relative path of plain '/'-separated names "
            "(no '..', '.', empty name, backslash or NUL)"
        )
    return parts


def _check_names(entity: str, project: str, run_id: str) -> None:
    for what, name in (("entity", entity), ("project", project), ("run id", run_id)):
        if name in ("", ".", "..") or "/" in name or "\\" in name or "\x00" in name:
            raise InvalidInputError(f"bad {what} {name!r} for a run file")


class MediaStore(ABC):
    """Run files by ``(entity, project, run_id, path)``, ``path`` relative to ``files/``."""

    @abstractmethod
    def list_files(self, entity: str, project: str, run_id: str) -> list[RunFile]:
        """Every file of the run, sorted by path; empty when it has none."""

    @abstractmethod
    def stat(self, entity: str, project: str, run_id: str, path: str) -> RunFile:
        """The file's size and time; NotFoundError when absent or refused."""

    @abstractmethod
    def read(self, entity: str, project: str, run_id: str, path: str) -> bytes:
        """The file's bytes; NotFoundError when absent or refused."""

    def local_path(self, entity: str, project: str, run_id: str, path: str) -> Path | None:
        """The file on this machine's disk when it has one (served without a copy), else None.

        NotFoundError when absent or refused."""
        return None

    def thumbnail_dir(self, entity: str, project: str, run_id: str) -> Path | None:
        """Where thumbnails of the run's images may be cached; None for no cache."""
        return None

    @abstractmethod
    def writer(
        self, entity: str, project: str, run_id: str, path: str
    ) -> contextlib.AbstractContextManager[IO[bytes]]:
        """A file to write the new content to; it replaces the stored file when the ``with``
        block ends without an exception, and is discarded otherwise."""

    def write(self, entity: str, project: str, run_id: str, path: str, data: bytes) -> None:
        with self.writer(entity, project, run_id, path) as out:
            out.write(data)

    def exists(self, entity: str, project: str, run_id: str, path: str) -> bool:
        try:
            self.stat(entity, project, run_id, path)
        except NotFoundError:
            return False
        return True


class LocalMediaStore(MediaStore):
    """Run files in the run folders under ``root`` (the followed root, or ``--media PATH``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalMediaStore({str(self.root)!r})"

    def _folder(self, entity: str, project: str, run_id: str) -> Path | None:
        return run_folder(self.root, entity, project, run_id)

    def list_files(self, entity: str, project: str, run_id: str) -> list[RunFile]:
        return list_run_files(self._folder(entity, project, run_id))

    def stat(self, entity: str, project: str, run_id: str, path: str) -> RunFile:
        target = resolve_run_file(self._folder(entity, project, run_id), path)
        info = target.stat()
        return RunFile(path, info.st_size, info.st_mtime)

    def read(self, entity: str, project: str, run_id: str, path: str) -> bytes:
        return resolve_run_file(self._folder(entity, project, run_id), path).read_bytes()

    def local_path(self, entity: str, project: str, run_id: str, path: str) -> Path | None:
        return resolve_run_file(self._folder(entity, project, run_id), path)

    def thumbnail_dir(self, entity: str, project: str, run_id: str) -> Path | None:
        folder = self._folder(entity, project, run_id)
        return None if folder is None else folder / ".thumbnails"

    @contextlib.contextmanager
    def writer(self, entity: str, project: str, run_id: str, path: str) -> Iterator[IO[bytes]]:
        parts = check_file_path(path)
        _check_names(entity, project, run_id)
        folder = self.root.joinpath(entity, project, run_id)
        base = folder / FILES_DIR
        target = base.joinpath(*parts)
        partial = folder / PARTIAL_DIR
        # Nor may it make folders outside the media root before that check refuses it.
        existing = _existing_ancestor(target.parent)
        if not self.root.is_relative_to(existing) and not existing.resolve().is_relative_to(
            self.root.resolve()
        ):
            raise InvalidInputError(f"cannot write {path!r}: it leads outside the run's files")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise InvalidInputError(f"cannot write {path!r}: a part of it is a file") from None
        # A link inside the run folder must not carry the write outside it.
        if not target.parent.resolve().is_relative_to(base.resolve()):
            raise InvalidInputError(f"cannot write {path!r}: it leads outside the run's files")
        if target.is_symlink() or target.is_dir():
            raise InvalidInputError(f"cannot write {path!r}: a folder or link is there")
        fd, tmp = tempfile.mkstemp(dir=partial, suffix=".tmp")
        try:
            # mkstemp makes the file its owner's only; a file written in place would get the
            # process's umask, and so should this one (replicas may run as other users).
            os.fchmod(fd, FILE_MODE & ~_UMASK)
            with os.fdopen(fd, "wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


FILE_MODE = 0o666


def _umask() -> int:
    """The process's umask (reading it means setting it: set it straight back). Read once, at
    import, before the server's threads start writing files."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


class FsspecMediaStore(MediaStore):
    """Run files under a URL fsspec opens (``s3://bucket/prefix``, ``memory://name``...)."""

    def __init__(self, url: str) -> None:
        try:
            import fsspec  # type: ignore[import-untyped]
        except ImportError:
            raise UsageError(
                f"the media store {url!r} needs fsspec: pip install trackboard[s3]"
            ) from None
        try:
            self.fs, base = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise UsageError(
                f"cannot open the media store {url!r}: {exc} (pip install trackboard[s3])"
            ) from None
        self.url = url
        self.base = base.rstrip("/")

    def __repr__(self) -> str:
        return f"FsspecMediaStore({self.url!r})"

    def _files_key(self, entity: str, project: str, run_id: str) -> str:
        _check_names(entity, project, run_id)
        return f"{self.base}/{entity}/{project}/{run_id}/{FILES_DIR}"

    def _key(self, entity: str, project: str, run_id: str, path: str) -> str:
        return f"{self._files_key(entity, project, run_id)}/{'/'.join(check_file_path(path))}"

    def _read_key(self, entity: str, project: str, run_id: str, path: str) -> str:
        try:
            return self._key(entity, project, run_id, path)
        except InvalidInputError:
            raise NotFoundError(f"no file {path!r} in the run's files") from None

    def list_files(self, entity: str, project: str, run_id: str) -> list[RunFile]:
        try:
            base = self._files_key(entity, project, run_id)
        except InvalidInputError:
            return []
        try:
            found: dict[str, dict[str, Any]] = self.fs.find(base, detail=True)
        except FileNotFoundError:
            return []
        out = []
        for name, info in found.items():
            if info.get("type", "file") != "file":
                continue
            if not name.startswith(base + "/"):
                continue
            rel = name[len(base) + 1 :]
            out.append(RunFile(rel, int(info.get("size") or 0), _modified(info)))
        return sorted(out, key=lambda f: f.path)

    def stat(self, entity: str, project: str, run_id: str, path: str) -> RunFile:
        key = self._read_key(entity, project, run_id, path)
        try:
            info: dict[str, Any] = self.fs.info(key)
        except FileNotFoundError:
            info = {}
        if info.get("type") != "file":
            raise NotFoundError(f"no file {path!r} in the run's files")
        return RunFile(path, int(info.get("size") or 0), _modified(info))

    def read(self, entity: str, project: str, run_id: str, path: str) -> bytes:
        key = self._read_key(entity, project, run_id, path)
        try:
            data: bytes = self.fs.cat_file(key)
        except (FileNotFoundError, IsADirectoryError):
            raise NotFoundError(f"no file {path!r} in the run's files") from None
        return data

    @contextlib.contextmanager
    def writer(self, entity: str, project: str, run_id: str, path: str) -> Iterator[IO[bytes]]:
        key = self._key(entity, project, run_id, path)
        with tempfile.SpooledTemporaryFile(SPOOL_MEMORY_BYTES) as spool:
            yield spool
            spool.seek(0)
            parent = key.rsplit("/", 1)[0]
            with contextlib.suppress(OSError):
                self.fs.makedirs(parent, exist_ok=True)
            with self.fs.open(key, "wb") as out:
                while chunk := spool.read(1024 * 1024):
                    out.write(chunk)


def _existing_ancestor(path: Path) -> Path:
    """``path`` or its nearest parent that exists (a link counts, even a dangling one)."""
    while not os.path.lexists(path) and path.parent != path:
        path = path.parent
    return path


def _modified(info: dict[str, Any]) -> float:
    """The modification time in an fsspec info dict, whatever the backend calls it."""
    for name in ("mtime", "LastModified", "last_modified", "created"):
        value = info.get(name)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, int | float):
            return float(value)
    return 0.0


def open_media_store(where: str | Path) -> MediaStore:
    """A URL (``scheme://...``) through fsspec, anything else a local folder."""
    text = str(where)
    if "://" in text and not isinstance(where, Path):
        if text.startswith("file://"):
            return LocalMediaStore(Path(text[len("file://") :]))
        return FsspecMediaStore(text)
    return LocalMediaStore(Path(text).expanduser().absolute())
