"""A run's saved files (``<run folder>/files/``): listing them, and finding one safely.

:func:`resolve_run_file` is the only way the server turns a path from a request into a file:
the path must be relative, made of plain segments (no ``..``, ``.``, empty segment, backslash
or NUL), and must resolve, symbolic links followed, to a regular file inside the run's
``files`` folder; anything else is :class:`NotFoundError`, so a request cannot tell a refused
path from a missing one.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from trackboard.errors import NotFoundError

FILES_DIR = "files"
HASHED_NAME = re.compile(r"_[0-9a-f]{20}(\.[A-Za-z0-9]+)+$")
"""A media file's name ends in ``_<sha256[:20]><ext>``: its content never changes."""

CONTENT_TYPES = {
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".log": "text/plain; charset=utf-8",
    ".py": "text/plain; charset=utf-8",
    ".yaml": "text/plain; charset=utf-8",
    ".yml": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".gifv": "image/gif",
}


@dataclass(frozen=True, slots=True)
class RunFile:
    path: str
    """Relative to the run's files folder, ``/``-separated."""
    size: int
    modified: float


def list_run_files(run_folder: Path | None) -> list[RunFile]:
    """Every regular file under ``<run_folder>/files``, sorted by path; empty when none."""
    if run_folder is None:
        return []
    base = run_folder / FILES_DIR
    if not base.is_dir():
        return []
    out = []
    for path in base.rglob("*"):
        if path.is_file() and not path.is_symlink():
            stat = path.stat()
            out.append(RunFile(path.relative_to(base).as_posix(), stat.st_size, stat.st_mtime))
    return sorted(out, key=lambda f: f.path)


def file_path_parts(relpath: str) -> list[str] | None:
    """The names of a run file path, or None unless it is a relative path of plain
    '/'-separated names (no '..', '.', empty name, backslash or NUL)."""
    parts = relpath.split("/")
    if (
        not relpath
        or relpath.startswith("/")
        or "\\" in relpath
        or "\x00" in relpath
        or any(part in ("", ".", "..") for part in parts)
    ):
        return None
    return parts


def resolve_run_file(run_folder: Path | None, relpath: str) -> Path:
    """The file at ``relpath`` in the run's files folder; :class:`NotFoundError` otherwise."""
    missing = NotFoundError(f"no file {relpath!r} in the run's files")
    parts = file_path_parts(relpath)
    if run_folder is None or parts is None:
        raise missing
    base = (run_folder / FILES_DIR).resolve()
    try:
        target = base.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        raise missing from None
    if not target.is_relative_to(base) or not target.is_file():
        raise missing
    return target


def content_type(path: str) -> str:
    """The Content-Type to serve ``path`` with (``application/octet-stream`` when unknown)."""
    name = path.lower()
    for suffix, kind in CONTENT_TYPES.items():
        if name.endswith(suffix):
            return kind
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def is_content_hashed(path: str) -> bool:
    """Whether ``path`` is a media file named by its content hash (safe to cache for good)."""
    return path.startswith("media/") and HASHED_NAME.search(path) is not None
