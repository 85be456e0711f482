"""Following a growing run log: new records once, tails waited on, corruption counted once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from runlog_samples import history, log_bytes, write_log

from trackboard.errors import RunLogError
from trackboard.records import HistoryRow
from trackboard.runlog.codec import encode
from trackboard.runlog.follower import RunLogFollower
from trackboard.runlog.frames import FILE_HEADER, build_frame
from trackboard.runlog.writer import RunLogWriter


def _frames(start: int, count: int) -> bytes:
    return log_bytes(history(count, start=start))[len(FILE_HEADER) :]


def test_follower_returns_nothing_while_the_file_does_not_exist(tmp_path: Path) -> None:
    follower = RunLogFollower(tmp_path / "run.log")
    result = follower.poll()
    assert (result.records, result.end_offset, follower.offset) == ([], 0, 0)


def test_follower_returns_nothing_while_the_file_header_is_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    path.write_bytes(FILE_HEADER[:3])
    follower = RunLogFollower(path)
    assert follower.poll().records == []
    write_log(path, history(1))
    assert follower.poll().records == history(1)


def test_follower_returns_only_records_appended_since_the_last_poll(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    write_log(path, history(2))
    follower = RunLogFollower(path)
    assert follower.poll().records == history(2)
    assert follower.poll().records == []
    with path.open("ab") as f:
        f.write(_frames(2, 3))
    assert follower.poll().records == history(3, start=2)
    assert follower.offset == path.stat().st_size


def test_follower_returns_a_frame_written_in_two_halves_once_it_is_complete(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.log"
    write_log(path, history(1))
    follower = RunLogFollower(path)
    follower.poll()
    frame = _frames(1, 1)
    with path.open("ab") as f:
        f.write(frame[:7])
    waiting = follower.poll()
    assert waiting.records == []
    assert (waiting.torn_tail_bytes, waiting.corrupt_frames) == (7, 0)
    with path.open("ab") as f:
        f.write(frame[7:])
    assert follower.poll().records == history(1, start=1)
    assert follower.corrupt_frames == 0


def test_follower_counts_bad_bytes_as_corruption_once_a_good_frame_follows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.log"
    write_log(path, history(1), extra=b"\x00garbage")
    follower = RunLogFollower(path)
    first = follower.poll()
    assert (first.records, first.corrupt_frames, first.torn_tail_bytes) == (history(1), 0, 8)
    with path.open("ab") as f:
        f.write(_frames(1, 1))
    second = follower.poll()
    assert second.records == history(1, start=1)
    assert (second.corrupt_frames, second.corrupt_bytes) == (1, 8)
    follower.poll()
    assert (follower.corrupt_frames, follower.corrupt_bytes) == (1, 8)


def test_follower_starts_over_when_the_file_shrinks_below_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    write_log(path, history(3))
    follower = RunLogFollower(path)
    follower.poll()
    write_log(path, history(1, start=10))
    assert follower.poll().records == history(1, start=10)
    assert follower.restarts == 1


def test_follower_raises_for_a_file_that_is_not_a_run_log(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    path.write_bytes(b"definitely not a run log")
    with pytest.raises(RunLogError):
        RunLogFollower(path).poll()


def test_follower_sees_records_of_a_live_writer_as_they_are_flushed(tmp_path: Path) -> None:
    path = tmp_path / "run" / "run.log"
    follower = RunLogFollower(path)
    seen = []
    warnings: list[str] = []
    with RunLogWriter(path, flush_interval=0.02, warn=warnings.append) as writer:
        for batch in range(3):
            for record in history(10, start=batch * 10):
                writer.submit(record)
            deadline = time.monotonic() + 10
            while len(seen) < (batch + 1) * 10 and time.monotonic() < deadline:
                seen += follower.poll().records
                time.sleep(0.01)
    assert seen == history(30)
    assert follower.corrupt_frames == 0
    assert warnings == []


def test_follower_waits_for_the_last_byte_of_a_large_frame(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    write_log(path, [])
    follower = RunLogFollower(path)
    record = HistoryRow(seq=0, step=0, timestamp=0.0, runtime=0.0, values={"text": "x" * 5000})
    frame = build_frame(encode(record))
    pieces = [frame[:3], frame[3:16], frame[16:17], frame[17:-1], frame[-1:]]
    results = []
    for piece in pieces:
        with path.open("ab") as f:
            f.write(piece)
        results.append(follower.poll())
    assert [r.records for r in results] == [[], [], [], [], [record]]
    assert [r.corrupt_frames for r in results] == [0] * 5
    assert follower.offset == path.stat().st_size
