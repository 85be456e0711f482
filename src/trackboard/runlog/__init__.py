"""The run log: one append-only file of framed, checksummed records per run.

:class:`RunLogWriter` appends records from a background thread; :func:`read_records` and
:func:`iter_records` read them back, skipping and counting corruption and reporting a torn tail;
:class:`RunLogFollower` reads a file that is still growing. :func:`encode` and :func:`decode`
turn one record into its payload and back. The byte layout is described in
:mod:`trackboard.runlog.frames`.

Importing this package loads only the standard library and msgpack.
"""

from __future__ import annotations

from trackboard.runlog.codec import decode, encode, encode_frames, peek
from trackboard.runlog.follower import RunLogFollower
from trackboard.runlog.reader import (
    ReadResult,
    iter_frames,
    iter_records,
    read_records,
    truncate_torn_tail,
)
from trackboard.runlog.writer import RunLogWriter

__all__ = [
    "ReadResult",
    "RunLogFollower",
    "RunLogWriter",
    "decode",
    "encode",
    "encode_frames",
    "iter_frames",
    "iter_records",
    "peek",
    "read_records",
    "truncate_torn_tail",
]
