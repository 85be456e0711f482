"""Following a run log that another process is still writing."""

from __future__ import annotations

import os
from pathlib import Path

from trackboard.errors import RunLogError
from trackboard.runlog.reader import ReadResult, read_records

__all__ = ["RunLogFollower"]


class RunLogFollower:
    """Reads the records appended to one run log since the previous :meth:`poll`.

    The follower keeps :attr:`offset` at the end of the last good frame it has read. Bytes after
    it that form no complete good frame (the tail: a frame its writer has not finished) are
    reported as ``torn_tail_bytes`` and read again on the next poll, so a frame written in pieces
    is returned once it is whole. Tail bytes count as corruption only once a good frame appears
    after them.

    A file that does not exist yet, is empty, or holds only part of its file header polls as no
    records. If the file becomes shorter than :attr:`offset` (it was replaced), the follower
    starts again from its beginning and counts it in :attr:`restarts`; records it returns again
    carry the same ``(session, seq)`` keys, which ingest treats as no-ops.

    Not thread-safe: one follower per consumer.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Follow the run log at ``path`` from its beginning."""
        self.path = Path(path)
        self.offset = 0
        self.corrupt_frames = 0
        self.corrupt_bytes = 0
        self.restarts = 0

    def poll(self) -> ReadResult:
        """The good records appended since the last poll, with this poll's counters.

        The result's ``end_offset`` is the new :attr:`offset`; ``corrupt_frames`` and
        ``corrupt_bytes`` count only what this poll skipped (they are also added to the
        follower's cumulative attributes of the same names). Raises
        :class:`~trackboard.errors.RunLogError` when the file is not a run log or cannot be
        read for another reason than not existing.
        """
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return ReadResult(end_offset=self.offset)
        if size < self.offset:
            self.offset = 0
            self.restarts += 1
        if size == self.offset:
            return ReadResult(end_offset=self.offset)
        try:
            result = read_records(self.path, self.offset)
        except RunLogError as exc:
            if isinstance(exc.__cause__, FileNotFoundError):  # removed since the stat
                return ReadResult(end_offset=self.offset)
            raise
        self.offset = result.end_offset
        self.corrupt_frames += result.corrupt_frames
        self.corrupt_bytes += result.corrupt_bytes
        return result
