"""The run log's byte layout: a file header, then frames.

A run log file starts with :data:`FILE_HEADER` (``b"TBRUNLOG"`` and a format version byte), so a
reader can tell a run log from any other file. Then come frames, back to back::

    magic    4 bytes   b"\\xf0TBL" (never valid UTF-8, so text in a record cannot contain it)
    length   u32 LE    payload length in bytes
    pcrc     u32 LE    CRC32 of the payload
    hcrc     u32 LE    CRC32 of magic + length + pcrc
    payload  length bytes

A frame is *good* when the magic matches, both CRCs match and the whole payload is present. The
header CRC means a damaged length is never trusted, so after a bad frame a scanner resynchronises
by searching for the next magic whose header checks out.

Bad bytes are classified by what follows them:

* bytes followed by a good frame are *corruption*: skipped, counted and reported, and reading
  goes on with that good frame;
* bytes after the last good frame are the *tail*: a frame still being written, or a write torn by
  a crash. A follower waits for the tail to complete; a resuming writer truncates it.

So nothing in the tail is ever counted as corruption until a good frame appears after it.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

__all__ = [
    "BAD",
    "FILE_HEADER",
    "FORMAT_VERSION",
    "HEADER_SIZE",
    "INCOMPLETE",
    "MAGIC",
    "MAX_PAYLOAD",
    "Corruption",
    "Frame",
    "FrameScanner",
    "build_frame",
    "check_frame",
    "scan_buffer",
]

FORMAT_VERSION = 1
FILE_HEADER = b"TBRUNLOG" + bytes([FORMAT_VERSION])
MAGIC = b"\xf0TBL"
HEADER_SIZE = 16
MAX_PAYLOAD = 2**32 - 1

INCOMPLETE = -1
""":func:`check_frame`: the bytes may start a good frame, but the buffer ends first."""
BAD = -2
""":func:`check_frame`: no good frame starts here."""

_HEADER = struct.Struct("<4sIII")
_LENGTH_CRC = struct.Struct("<II")
_CRC = struct.Struct("<I")
_crc32 = zlib.crc32


def build_frame(payload: bytes) -> bytes:
    """The frame holding ``payload``. Raises :class:`ValueError` for payloads of 4 GiB or more."""
    length = len(payload)
    if length > MAX_PAYLOAD:
        raise ValueError(f"run log frame payload too large: {length} bytes")
    head = MAGIC + _LENGTH_CRC.pack(length, _crc32(payload))
    return head + _CRC.pack(_crc32(head)) + payload


def check_frame(buf: bytes, pos: int) -> int:
    """Classify the bytes of ``buf`` at ``pos``.

    Returns the payload length (``>= 0``) when a complete good frame starts at ``pos``,
    :data:`INCOMPLETE` when the bytes there are a valid beginning of a frame but ``buf`` ends
    before the frame does, and :data:`BAD` otherwise.
    """
    available = len(buf) - pos
    if available < HEADER_SIZE:
        have = min(available, len(MAGIC))
        return INCOMPLETE if buf[pos : pos + have] == MAGIC[:have] else BAD
    magic, length, payload_crc, header_crc = _HEADER.unpack_from(buf, pos)
    if magic != MAGIC or _crc32(buf[pos : pos + 12]) != header_crc:
        return BAD
    if available < HEADER_SIZE + length:
        return INCOMPLETE
    start = pos + HEADER_SIZE
    if _crc32(memoryview(buf)[start : start + length]) != payload_crc:
        return BAD
    return int(length)


@dataclass(frozen=True, slots=True)
class Frame:
    """A good frame found at ``offset`` (of its magic)."""

    offset: int
    payload: bytes

    @property
    def end(self) -> int:
        """Offset just after the frame."""
        return self.offset + HEADER_SIZE + len(self.payload)


@dataclass(frozen=True, slots=True)
class Corruption:
    """``length`` bad bytes at ``offset``, followed by a good frame."""

    offset: int
    length: int

    @property
    def end(self) -> int:
        """Offset just after the bad bytes (where the next good frame starts)."""
        return self.offset + self.length


class FrameScanner:
    """Finds frames in a byte stream that arrives in pieces (a file read in chunks).

    Feed consecutive bytes with :meth:`feed`; each call returns the good frames and the confirmed
    corruption in order. Bytes that cannot be classified yet (an incomplete frame, or bad bytes
    with no good frame after them so far) are held back and make up :attr:`tail_bytes`; the next
    :meth:`feed` resolves them. Memory is bounded by one chunk plus the largest incomplete frame:
    bad bytes are counted, not kept.
    """

    def __init__(self, offset: int = 0) -> None:
        """Start scanning a stream whose first fed byte sits at ``offset`` (a frame boundary)."""
        self._buf = b""
        self._base = offset  # stream offset of self._buf[0]
        self._pos = offset  # next offset to examine
        self._bad_start: int | None = None  # start of unresolved bad bytes, if resyncing
        self._wanted = 0

    @property
    def end_offset(self) -> int:
        """Offset just after the last good frame or confirmed corruption; where a reader resumes."""
        return self._pos if self._bad_start is None else self._bad_start

    @property
    def tail_bytes(self) -> int:
        """Bytes fed after :attr:`end_offset` that do not (yet) form a good frame."""
        return self._base + len(self._buf) - self.end_offset

    @property
    def wanted(self) -> int:
        """At least this many more bytes are needed before the held-back frame completes."""
        return self._wanted

    def feed(self, data: bytes) -> list[Frame | Corruption]:
        """Scan ``data`` (the bytes following everything fed so far); return what it resolves."""
        keep = self._pos - self._base
        buf = self._buf[keep:] + data if keep < len(self._buf) else bytes(data)
        base = self._pos
        pos = 0  # relative to buf
        bad_start = self._bad_start
        events: list[Frame | Corruption] = []
        self._wanted = 0
        size = len(buf)
        while True:
            if bad_start is None:
                length = check_frame(buf, pos)
                if length >= 0:
                    end = pos + HEADER_SIZE + length
                    events.append(Frame(base + pos, buf[pos + HEADER_SIZE : end]))
                    pos = end
                    continue
                if length == INCOMPLETE:
                    self._wanted = self._missing(buf, pos)
                    break
                bad_start = base + pos
                pos += 1
            candidate = buf.find(MAGIC, pos)
            if candidate < 0:
                # A magic split across this chunk and the next starts in the last 3 bytes.
                pos = max(pos, size - (len(MAGIC) - 1))
                break
            length = check_frame(buf, candidate)
            if length >= 0:
                events.append(Corruption(bad_start, base + candidate - bad_start))
                bad_start = None
                pos = candidate
            elif length == INCOMPLETE:
                pos = candidate
                self._wanted = self._missing(buf, pos)
                break
            else:
                pos = candidate + 1
        self._buf = buf
        self._base = base
        self._pos = base + pos
        self._bad_start = bad_start
        return events

    @staticmethod
    def _missing(buf: bytes, pos: int) -> int:
        """How many bytes the incomplete frame at ``pos`` still lacks (a lower bound)."""
        available = len(buf) - pos
        if available < HEADER_SIZE:
            return HEADER_SIZE - available
        length: int = _HEADER.unpack_from(buf, pos)[1]
        return HEADER_SIZE + length - available


def scan_buffer(buf: bytes, offset: int = 0) -> tuple[list[Frame | Corruption], int, int]:
    """Scan ``buf`` from ``offset`` (a frame boundary; the file header is not expected).

    Returns ``(events, end_offset, tail_bytes)``: the good frames and confirmed corruption in
    order, the offset just after the last of them, and how many bytes after that form no good
    frame. Offsets are positions in ``buf``. Never raises on bad bytes.
    """
    scanner = FrameScanner(offset)
    events = scanner.feed(buf[offset:])
    return events, scanner.end_offset, scanner.tail_bytes
