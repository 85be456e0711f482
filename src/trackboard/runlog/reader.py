"""Reading a run log: every good record from an offset, with corruption and the tail reported.

The reader never raises because of what follows the file header: corrupt frames (bad bytes
followed by a good frame) are skipped and counted, and the tail (bytes after the last good frame
that form no complete good frame yet: a frame being written, or a write torn by a crash) is
reported in :attr:`ReadResult.torn_tail_bytes` and left for the next read. A frame whose checksums
are good but whose payload does not decode (a record type from a newer version, say) counts as
corrupt as well. :class:`~trackboard.errors.RunLogError` is raised only when the file cannot be
opened or does not start with the run log file header.

A file that is empty, or holds only the first bytes of the file header (its writer is starting),
reads as no records with ``end_offset == 0``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from trackboard.errors import RunLogError
from trackboard.records import Record
from trackboard.runlog.codec import decode
from trackboard.runlog.frames import (
    BAD,
    FILE_HEADER,
    HEADER_SIZE,
    MAGIC,
    Frame,
    FrameScanner,
    check_frame,
)

__all__ = ["ReadResult", "iter_frames", "iter_records", "read_records", "truncate_torn_tail"]

_CHUNK = 1 << 20


@dataclass(slots=True)
class ReadResult:
    """What one read of a run log found.

    ``end_offset`` is the offset just after the last good frame (or skipped corruption): pass it
    as ``offset`` to the next read to get only what came after. ``corrupt_frames`` counts the
    stretches of bad bytes that were followed by a good frame, plus good frames whose payload did
    not decode; ``corrupt_bytes`` is their total size. ``torn_tail_bytes`` is how many bytes
    follow ``end_offset`` without forming a complete good frame yet; they are not corruption.
    """

    records: list[Record] = field(default_factory=list)
    end_offset: int = 0
    corrupt_frames: int = 0
    corrupt_bytes: int = 0
    torn_tail_bytes: int = 0


def _open(path: str | os.PathLike[str]) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise RunLogError(f"cannot open run log {os.fspath(path)}: {exc}") from exc


def _check_header(head: bytes, path: str | os.PathLike[str]) -> bool:
    """True when ``head`` is the whole file header; False when it is a prefix of it (a file
    still being created); raises RunLogError when the file is not a run log we can read."""
    if head == FILE_HEADER:
        return True
    if len(head) < len(FILE_HEADER) and FILE_HEADER.startswith(head):
        return False
    if head[:-1] == FILE_HEADER[:-1]:
        raise RunLogError(
            f"{os.fspath(path)} is a run log of format version {head[-1]}, "
            f"this version of trackboard reads version {FILE_HEADER[-1]}"
        )
    raise RunLogError(f"{os.fspath(path)} is not a trackboard run log")


def iter_records(
    path: str | os.PathLike[str], offset: int = 0, into: ReadResult | None = None
) -> Iterator[Record]:
    """Yield the good records of the run log at ``path``, from ``offset`` on, reading in chunks.

    ``offset`` is 0 (the start) or an ``end_offset`` from an earlier read. When ``into`` is given,
    its ``end_offset`` and counters are updated as reading goes (its ``records`` is left alone):
    before each record is yielded, ``into.end_offset`` is the end of that record's frame, and once
    the iterator is exhausted ``into`` describes the whole read. The read stops at the file size
    seen when it began, so a file that keeps growing is read as of that moment.

    Raises RunLogError (on the first ``next``) when the file cannot be opened or is not a run log.
    """
    result = into if into is not None else ReadResult()
    for frame in iter_frames(path, offset, result):
        try:
            record = decode(frame.payload)
        except RunLogError:
            result.corrupt_frames += 1
            result.corrupt_bytes += frame.end - frame.offset
            continue
        yield record


def iter_frames(
    path: str | os.PathLike[str], offset: int = 0, into: ReadResult | None = None
) -> Iterator[Frame]:
    """Yield the good frames of the run log at ``path`` as :func:`iter_records` reads them,
    without decoding their payloads (a payload that does not decode is not noticed here).

    The uploader sends frames byte for byte (``build_frame(frame.payload)`` is the frame as the
    file holds it) and reads only each record's type and ``seq`` (``codec.peek``).
    """
    result = into if into is not None else ReadResult()
    result.end_offset = offset
    with _open(path) as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(len(FILE_HEADER))
        if not _check_header(head, path):
            result.end_offset = 0
            result.torn_tail_bytes = len(head)
            return
        start = max(offset, len(FILE_HEADER))
        result.end_offset = start
        if start >= size:
            return
        f.seek(start)
        remaining = size - start
        scanner = FrameScanner(start)
        while remaining > 0:
            data = f.read(min(remaining, max(_CHUNK, scanner.wanted)))
            if not data:
                break
            remaining -= len(data)
            for event in scanner.feed(data):
                if isinstance(event, Frame):
                    result.end_offset = event.end
                    yield event
                else:
                    result.corrupt_frames += 1
                    result.corrupt_bytes += event.length
                    result.end_offset = event.end
        result.end_offset = scanner.end_offset
        result.torn_tail_bytes = scanner.tail_bytes


def read_records(path: str | os.PathLike[str], offset: int = 0) -> ReadResult:
    """Read every good record of the run log at ``path`` from ``offset`` (see :func:`iter_records`).

    Never raises on a torn or corrupt tail or on corrupt frames; raises RunLogError only when the
    file cannot be opened or is not a run log.
    """
    result = ReadResult()
    result.records = list(iter_records(path, offset, into=result))
    return result


def _last_good_end(f: BinaryIO, size: int) -> int:
    """Offset just after the last complete good frame of ``f`` (or after the file header).

    Searches backwards from the end, so the cost depends on the tail's size, not the file's.
    """
    floor = len(FILE_HEADER)
    block_end = size
    while block_end > floor:
        block_start = max(floor, block_end - _CHUNK)
        f.seek(block_start)
        # Read a few bytes past block_end so a magic straddling two blocks is found.
        block = f.read(block_end - block_start + len(MAGIC) - 1)
        hi = len(block)
        while True:
            found = block.rfind(MAGIC, 0, hi)
            if found < 0:
                break
            candidate = block_start + found
            f.seek(candidate)
            head = f.read(HEADER_SIZE)
            if len(head) == HEADER_SIZE and check_frame(head, 0) != BAD:  # a valid header
                length = int.from_bytes(head[4:8], "little")
                if candidate + HEADER_SIZE + length <= size:
                    frame = head + f.read(length)
                    if check_frame(frame, 0) >= 0:
                        return candidate + HEADER_SIZE + length
            hi = found + len(MAGIC) - 1
        block_end = block_start
    return floor


def truncate_torn_tail(path: str | os.PathLike[str]) -> int:
    """Cut the tail (bytes after the last good frame) off the run log at ``path``.

    Returns how many bytes were removed. A missing or empty file is left alone (0); a file holding
    only part of the file header is emptied. Raises RunLogError when the file is not a run log,
    and OSError when it cannot be opened or truncated. Corruption before the last good frame is
    kept (readers skip it). Only for a file no process is writing.
    """
    try:
        f = open(path, "r+b")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return 0
    with f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(len(FILE_HEADER))
        end = len(FILE_HEADER) if _check_header(head, path) else 0
        if end:
            end = _last_good_end(f, size)
        if end < size:
            f.truncate(end)
        return size - end
