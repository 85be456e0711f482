"""Reading run log files: corruption skipped and counted, torn tails reported, never raising."""

from __future__ import annotations

import tempfile
from pathlib import Path

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runlog_samples import SAMPLES, canon, frame_spans, history, log_bytes, record_lists, write_log

from trackboard.errors import RunLogError
from trackboard.records import Record
from trackboard.runlog import reader
from trackboard.runlog.frames import FILE_HEADER, build_frame
from trackboard.runlog.reader import iter_records, read_records, truncate_torn_tail


def _read_bytes(data: bytes, offset: int = 0) -> reader.ReadResult:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.log"
        path.write_bytes(data)
        return read_records(path, offset)


def test_reader_reads_every_record_in_order(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    write_log(path, SAMPLES)
    result = read_records(path)
    assert canon(result.records) == canon(SAMPLES)
    assert result.end_offset == path.stat().st_size
    assert (result.corrupt_frames, result.corrupt_bytes, result.torn_tail_bytes) == (0, 0, 0)


def test_reader_skips_corrupt_frame_and_reads_the_rest(tmp_path: Path) -> None:
    records = history(5)
    data = bytearray(log_bytes(records))
    start, end = frame_spans(records)[2]
    data[start + 20] ^= 0xFF
    path = tmp_path / "run.log"
    path.write_bytes(data)
    result = read_records(path)
    assert result.records == records[:2] + records[3:]
    assert (result.corrupt_frames, result.corrupt_bytes) == (1, end - start)
    assert result.torn_tail_bytes == 0


def test_reader_reports_torn_tail_without_counting_it_as_corruption(tmp_path: Path) -> None:
    records = history(3)
    half = build_frame(b"\x93\x06\x01\x02")[:9]
    path = tmp_path / "run.log"
    write_log(path, records, extra=half)
    result = read_records(path)
    assert result.records == records
    assert result.torn_tail_bytes == len(half)
    assert result.end_offset == path.stat().st_size - len(half)
    assert result.corrupt_frames == 0


def test_reader_counts_good_frame_with_undecodable_payload_as_corrupt(tmp_path: Path) -> None:
    records = history(2)
    unknown = build_frame(msgpack.packb([99, 0]))
    path = tmp_path / "run.log"
    path.write_bytes(log_bytes(records[:1]) + unknown + log_bytes(records[1:])[len(FILE_HEADER) :])
    result = read_records(path)
    assert result.records == records
    assert (result.corrupt_frames, result.corrupt_bytes) == (1, len(unknown))


def test_reader_returns_only_records_after_the_given_offset(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    write_log(path, history(3))
    first = read_records(path)
    write_log(path, history(5))
    second = read_records(path, first.end_offset)
    assert second.records == history(2, start=3)


def test_reader_reads_nothing_from_an_offset_at_or_past_the_end(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    write_log(path, history(2))
    size = path.stat().st_size
    assert read_records(path, size).records == []
    assert read_records(path, size + 100).records == []


@pytest.mark.parametrize("cut", range(len(FILE_HEADER)))
def test_reader_reads_empty_or_partial_header_file_as_no_records(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "run.log"
    path.write_bytes(FILE_HEADER[:cut])
    result = read_records(path)
    assert (result.records, result.end_offset, result.torn_tail_bytes) == ([], 0, cut)


def test_reader_rejects_a_file_that_is_not_a_run_log(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world, not a run log")
    with pytest.raises(RunLogError, match="not a trackboard run log"):
        read_records(path)


def test_reader_rejects_a_run_log_of_another_format_version(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    path.write_bytes(FILE_HEADER[:-1] + b"\x63")
    with pytest.raises(RunLogError, match="format version 99"):
        read_records(path)


def test_reader_raises_run_log_error_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RunLogError, match="cannot open"):
        read_records(tmp_path / "missing.log")


def test_iter_records_updates_end_offset_before_each_record(tmp_path: Path) -> None:
    records = history(3)
    path = tmp_path / "run.log"
    write_log(path, records)
    result = reader.ReadResult()
    ends = [result.end_offset for _ in iter_records(path, into=result)]
    assert ends == [end for _, end in frame_spans(records)]


@settings(deadline=None)
@given(record_lists)
def test_any_records_written_are_read_back_the_same(records: list[Record]) -> None:
    result = _read_bytes(log_bytes(records))
    assert canon(result.records) == canon(records)
    assert (result.corrupt_frames, result.torn_tail_bytes) == (0, 0)


@settings(deadline=None)
@given(record_lists, st.data())
def test_any_truncation_reads_a_prefix_of_the_records_and_never_raises(
    records: list[Record], data: st.DataObject
) -> None:
    full = log_bytes(records)
    cut = data.draw(st.integers(0, len(full)))
    result = _read_bytes(full[:cut])
    complete = [r for r, (_, end) in zip(records, frame_spans(records), strict=True) if end <= cut]
    assert canon(result.records) == canon(complete)
    assert result.corrupt_frames == 0
    assert result.end_offset + result.torn_tail_bytes == cut


@settings(deadline=None)
@given(st.lists(st.sampled_from(SAMPLES), min_size=1, max_size=6), st.data())
def test_flipping_any_byte_loses_only_the_frame_it_touches_and_reports_it(
    records: list[Record], data: st.DataObject
) -> None:
    full = bytearray(log_bytes(records))
    spans = frame_spans(records)
    position = data.draw(st.integers(len(FILE_HEADER), len(full) - 1))
    full[position] ^= data.draw(st.integers(1, 255))
    result = _read_bytes(bytes(full))
    hit = next(i for i, (start, end) in enumerate(spans) if start <= position < end)
    assert canon(result.records) == canon(records[:hit] + records[hit + 1 :])
    start, end = spans[hit]
    if hit == len(records) - 1:  # the last frame: a tail, not corruption
        assert (result.corrupt_frames, result.torn_tail_bytes) == (0, end - start)
    else:
        assert (result.corrupt_frames, result.corrupt_bytes) == (1, end - start)
        assert result.torn_tail_bytes == 0


@settings(deadline=None)
@given(record_lists, st.binary(max_size=50), st.data())
def test_reading_in_small_chunks_finds_what_one_read_finds(
    records: list[Record], junk: bytes, data: st.DataObject
) -> None:
    full = log_bytes(records[:2]) + junk + log_bytes(records[2:])[len(FILE_HEADER) :] + junk
    expected = _read_bytes(full)
    chunk = data.draw(st.integers(1, 64))
    original = reader._CHUNK
    reader._CHUNK = chunk
    try:
        result = _read_bytes(full)
    finally:
        reader._CHUNK = original
    assert canon(result) == canon(expected)


def test_truncate_torn_tail_removes_the_tail_and_keeps_every_good_record(tmp_path: Path) -> None:
    records = history(4)
    path = tmp_path / "run.log"
    write_log(path, records, extra=b"\xf0TBL\x05\x00" + bytes(100))
    assert truncate_torn_tail(path) == 106
    result = read_records(path)
    assert result.records == records
    assert result.torn_tail_bytes == 0


def test_truncate_torn_tail_keeps_corruption_before_the_last_good_frame(tmp_path: Path) -> None:
    records = history(3)
    data = bytearray(log_bytes(records))
    data[frame_spans(records)[1][0] + 18] ^= 0x01
    path = tmp_path / "run.log"
    path.write_bytes(data)
    assert truncate_torn_tail(path) == 0
    assert path.read_bytes() == data


def test_truncate_torn_tail_leaves_a_missing_or_clean_file_alone(tmp_path: Path) -> None:
    assert truncate_torn_tail(tmp_path / "missing.log") == 0
    path = tmp_path / "run.log"
    write_log(path, history(2))
    assert truncate_torn_tail(path) == 0


def test_truncate_torn_tail_empties_a_file_with_a_partial_header(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    path.write_bytes(FILE_HEADER[:4])
    assert truncate_torn_tail(path) == 4
    assert path.read_bytes() == b""


def test_truncate_torn_tail_refuses_a_file_that_is_not_a_run_log(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"something else entirely")
    with pytest.raises(RunLogError):
        truncate_torn_tail(path)
    assert path.read_bytes() == b"something else entirely"


@settings(deadline=None)
@given(record_lists, st.binary(max_size=40), st.data())
def test_truncate_torn_tail_cuts_exactly_where_a_reader_stops(
    records: list[Record], junk: bytes, data: st.DataObject
) -> None:
    full = log_bytes(records)
    cut = data.draw(st.integers(len(FILE_HEADER), len(full)))
    chunk = data.draw(st.integers(1, 64))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.log"
        path.write_bytes(full[:cut] + junk)
        before = read_records(path)
        original = reader._CHUNK
        reader._CHUNK = chunk
        try:
            removed = truncate_torn_tail(path)
        finally:
            reader._CHUNK = original
        after = read_records(path)
        assert path.stat().st_size == before.end_offset
        assert removed == before.torn_tail_bytes
        assert canon(after.records) == canon(before.records)
        assert after.torn_tail_bytes == 0
