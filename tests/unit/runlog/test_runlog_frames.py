"""Framing: good frames are found, bad bytes are corruption only when a good frame follows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trackboard.runlog.frames import (
    BAD,
    HEADER_SIZE,
    INCOMPLETE,
    MAGIC,
    Corruption,
    Frame,
    FrameScanner,
    build_frame,
    check_frame,
    scan_buffer,
)

payloads = st.lists(st.binary(min_size=0, max_size=40), max_size=6)


def test_build_frame_lays_out_magic_length_crcs_and_payload() -> None:
    frame = build_frame(b"hello")
    assert frame[:4] == MAGIC
    assert int.from_bytes(frame[4:8], "little") == 5
    assert len(frame) == HEADER_SIZE + 5
    assert frame[HEADER_SIZE:] == b"hello"


def test_check_frame_returns_payload_length_for_a_good_frame() -> None:
    assert check_frame(b"xx" + build_frame(b"abc"), 2) == 3


def test_check_frame_says_incomplete_for_every_proper_prefix_of_a_frame() -> None:
    frame = build_frame(b"payload")
    for cut in range(len(frame)):
        assert check_frame(frame[:cut], 0) == INCOMPLETE


@pytest.mark.parametrize("index", range(HEADER_SIZE + 3))
def test_check_frame_says_bad_when_any_byte_is_flipped(index: int) -> None:
    frame = bytearray(build_frame(b"abc"))
    frame[index] ^= 0x01
    assert check_frame(bytes(frame), 0) == BAD


def test_check_frame_says_bad_for_bytes_that_cannot_start_a_frame() -> None:
    assert check_frame(b"\x00", 0) == BAD
    assert check_frame(b"\xf0TBX" + bytes(20), 0) == BAD


@given(payloads)
def test_scan_buffer_finds_every_frame_in_order(items: list[bytes]) -> None:
    buf = b"".join(build_frame(p) for p in items)
    events, end, tail = scan_buffer(buf)
    assert [e.payload for e in events if isinstance(e, Frame)] == items
    assert (end, tail) == (len(buf), 0)


def test_scan_buffer_reports_bad_bytes_between_good_frames_as_corruption() -> None:
    first, second = build_frame(b"one"), build_frame(b"two")
    buf = first + b"garbage\xf0TB" + second
    events, end, tail = scan_buffer(buf)
    assert events == [
        Frame(0, b"one"),
        Corruption(len(first), 10),
        Frame(len(first) + 10, b"two"),
    ]
    assert (end, tail) == (len(buf), 0)


def test_scan_buffer_reports_bad_bytes_at_the_end_as_tail_not_corruption() -> None:
    first = build_frame(b"one")
    buf = first + b"garbage" + build_frame(b"two")[:-1]
    events, end, tail = scan_buffer(buf)
    assert events == [Frame(0, b"one")]
    assert (end, tail) == (len(first), len(buf) - len(first))


def test_scan_buffer_starts_at_the_given_offset() -> None:
    buf = b"HEADER" + build_frame(b"x")
    events, end, _ = scan_buffer(buf, 6)
    assert events == [Frame(6, b"x")]
    assert end == len(buf)


@given(payloads, st.binary(max_size=30), st.lists(st.integers(0, 400), max_size=8))
def test_scanner_fed_in_pieces_finds_what_one_scan_finds(
    items: list[bytes], junk: bytes, cuts: list[int]
) -> None:
    frames = [build_frame(p) for p in items]
    buf = b"".join(frames[:2]) + junk + b"".join(frames[2:]) + junk
    expected = scan_buffer(buf)
    scanner = FrameScanner()
    events: list[Frame | Corruption] = []
    previous = 0
    for cut in [*sorted(c for c in cuts if c <= len(buf)), len(buf)]:
        events += scanner.feed(buf[previous:cut])
        previous = cut
    assert (events, scanner.end_offset, scanner.tail_bytes) == expected


def test_scanner_finds_a_magic_split_between_two_feeds() -> None:
    buf = b"junk" + build_frame(b"abc")
    scanner = FrameScanner()
    assert scanner.feed(buf[:6]) == []
    assert scanner.tail_bytes == 6
    assert scanner.feed(buf[6:]) == [Corruption(0, 4), Frame(4, b"abc")]
    assert (scanner.end_offset, scanner.tail_bytes) == (len(buf), 0)


def test_scanner_says_how_many_bytes_an_incomplete_frame_still_needs() -> None:
    frame = build_frame(b"x" * 100)
    scanner = FrameScanner()
    scanner.feed(frame[:10])
    assert scanner.wanted == HEADER_SIZE - 10
    scanner.feed(frame[10:20])
    assert scanner.wanted == len(frame) - 20
