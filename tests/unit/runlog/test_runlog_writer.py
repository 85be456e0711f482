"""The background writer: timely, non-blocking, and loud but lossless when the disk fails."""

from __future__ import annotations

import errno
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from runlog_samples import history, log_bytes, write_log

from trackboard.errors import RunLogError
from trackboard.records import Heartbeat, HistoryRow
from trackboard.runlog import writer as writer_module
from trackboard.runlog.frames import FILE_HEADER, build_frame
from trackboard.runlog.reader import read_records
from trackboard.runlog.writer import RunLogWriter

MakeWriter = Callable[..., RunLogWriter]


@pytest.fixture
def make_writer() -> Iterator[MakeWriter]:
    """Builds writers that are closed when the test ends, whatever happened."""
    created: list[RunLogWriter] = []

    def make(path: Path, **kwargs: Any) -> RunLogWriter:
        writer = RunLogWriter(path, **kwargs)
        created.append(writer)
        return writer

    yield make
    for writer in created:
        writer.close(timeout=10)


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def blocked_path(tmp_path: Path) -> tuple[Path, Path]:
    """A log path that cannot be created because a regular file sits where its directory goes
    (chmod does not stop root); remove the returned blocker to make it writable."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory")
    return blocker / "run" / "run.log", blocker


def test_writer_creates_directories_and_a_log_with_the_file_header(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "me" / "proj" / "abc" / "run.log"
    warnings: list[str] = []
    make_writer(path, warn=warnings.append)
    assert path.read_bytes() == FILE_HEADER
    assert warnings == []


def test_writer_writes_records_within_flush_interval_without_flush(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "run.log"
    writer = make_writer(path, flush_interval=0.05)
    for record in history(20):
        writer.submit(record)
    assert eventually(lambda: read_records(path).records == history(20))
    assert (writer.written, writer.pending) == (20, 0)


def test_writer_flush_returns_after_every_submitted_record_is_written(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "run.log"
    writer = make_writer(path, flush_interval=3600)
    for record in history(1000):
        writer.submit(record)
    assert writer.flush(timeout=10)
    assert read_records(path).records == history(1000)


def test_writer_wakes_before_its_interval_when_many_records_wait(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    writer = make_writer(tmp_path / "run.log", flush_interval=3600)
    for record in history(10_000):
        writer.submit(record)
    assert eventually(lambda: writer.written == 10_000)


def test_writer_close_is_idempotent_and_submit_after_close_raises(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "run.log"
    writer = make_writer(path, flush_interval=3600)
    writer.submit(history(1)[0])
    assert writer.close()
    assert writer.close()
    assert writer.closed
    assert writer.flush(timeout=1)
    with pytest.raises(RunLogError, match="closed"):
        writer.submit(history(1)[0])
    assert read_records(path).records == history(1)


def test_writer_thread_is_a_daemon(tmp_path: Path, make_writer: MakeWriter) -> None:
    writer = make_writer(tmp_path / "run.log")
    assert writer._thread.daemon


def test_writer_calls_on_tick_on_each_wake_and_writes_what_it_submits(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "run.log"
    ticks: list[int] = []

    def tick() -> None:
        writer.submit(Heartbeat(seq=len(ticks) + 1, time=0.0, runtime=0.0))
        ticks.append(len(ticks))

    writer = make_writer(path, flush_interval=0.01, on_tick=tick)
    assert eventually(lambda: len(ticks) >= 3)
    writer.close()
    assert [r.seq for r in read_records(path).records] == list(range(1, len(ticks) + 1))


def test_writer_warns_once_when_on_tick_raises(tmp_path: Path, make_writer: MakeWriter) -> None:
    warnings: list[str] = []
    calls: list[None] = []

    def tick() -> None:
        calls.append(None)
        raise ValueError("boom")

    make_writer(tmp_path / "run.log", flush_interval=0.01, on_tick=tick, warn=warnings.append)
    assert eventually(lambda: len(calls) >= 3)
    assert len(warnings) == 1
    assert "boom" in warnings[0]


def test_writer_keeps_training_going_while_the_log_cannot_be_created_and_recovers(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path, blocker = blocked_path(tmp_path)
    warnings: list[str] = []
    writer = make_writer(path, flush_interval=0.01, warn=warnings.append)
    for record in history(50):
        writer.submit(record)
    assert not writer.flush(timeout=0.3)
    assert eventually(lambda: writer.pending == 50)
    assert len(warnings) == 1
    assert "cannot write the run log" in warnings[0]
    blocker.unlink()
    for record in history(50, start=50):
        writer.submit(record)
    assert writer.flush(timeout=10)
    assert read_records(path).records == history(100)
    assert len(warnings) == 2
    assert "writable again" in warnings[1]
    assert writer.dropped == 0


def test_writer_submit_never_blocks_while_the_disk_fails(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path, blocker = blocked_path(tmp_path)
    warnings: list[str] = []
    writer = make_writer(path, flush_interval=0.01, warn=warnings.append)
    records = history(100_000)
    for record in records:
        writer.submit(record)
    blocker.unlink()
    assert writer.flush(timeout=60)
    assert read_records(path).records == records
    assert writer.written == 100_000


def test_writer_drops_the_oldest_records_when_the_backlog_overflows(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path, blocker = blocked_path(tmp_path)
    warnings: list[str] = []
    writer = make_writer(path, flush_interval=0.01, backlog_bytes=1000, warn=warnings.append)
    for record in history(100):
        writer.submit(record)
    assert eventually(lambda: writer.dropped > 0 and writer.pending + writer.dropped == 100)
    blocker.unlink()
    assert writer.flush(timeout=10)
    kept = read_records(path).records
    assert kept == history(100)[writer.dropped :]
    assert 0 < len(kept) < 100
    assert sum("DATA LOSS" in w for w in warnings) == 1
    assert f"{writer.dropped} records were dropped" in warnings[-1]


def test_writer_truncates_a_torn_tail_before_appending_and_keeps_old_records(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "run.log"
    torn = log_bytes(history(1, start=99))[len(FILE_HEADER) :][:-3]
    write_log(path, history(3), extra=torn)
    warnings: list[str] = []
    writer = make_writer(path, warn=warnings.append)
    for record in history(2, start=3):
        writer.submit(record)
    assert writer.close()
    result = read_records(path)
    assert result.records == history(5)
    assert (result.corrupt_frames, result.torn_tail_bytes) == (0, 0)
    assert warnings == [f"removed {len(torn)} bytes of an unfinished write from the end of {path}"]


def test_writer_refuses_to_overwrite_a_file_that_is_not_a_run_log(tmp_path: Path) -> None:
    path = tmp_path / "run.log"
    path.write_bytes(b"precious data")
    with pytest.raises(RunLogError, match="not a trackboard run log"):
        RunLogWriter(path)
    assert path.read_bytes() == b"precious data"


def test_writer_recreates_a_removed_log_with_everything_written_so_far(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "run" / "run.log"
    warnings: list[str] = []
    writer = make_writer(path, flush_interval=0.01, warn=warnings.append)
    for record in history(5):
        writer.submit(record)
    assert writer.flush(timeout=10)
    shutil.rmtree(path.parent)
    for record in history(5, start=5):
        writer.submit(record)
    assert writer.flush(timeout=10)
    assert read_records(path).records == history(10)
    assert any("was removed" in w for w in warnings)


def test_writer_rewrites_cleanly_after_a_write_fails_halfway(
    tmp_path: Path, make_writer: MakeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.log"
    warnings: list[str] = []
    writer = make_writer(path, flush_interval=0.01, warn=warnings.append)
    real_write_all = writer_module._write_all
    disk_full = True

    def half_then_fail(fd: int, data: bytes) -> None:
        if disk_full:
            real_write_all(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write_all(fd, data)

    monkeypatch.setattr(writer_module, "_write_all", half_then_fail)
    for record in history(10):
        writer.submit(record)
    assert eventually(lambda: len(warnings) == 1)
    assert "No space left on device" in warnings[0]
    disk_full = False
    assert writer.flush(timeout=10)
    result = read_records(path)
    assert result.records == history(10)
    assert (result.corrupt_frames, result.torn_tail_bytes) == (0, 0)


def test_writer_drops_and_counts_a_record_it_cannot_encode(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path = tmp_path / "run.log"
    warnings: list[str] = []
    writer = make_writer(path, warn=warnings.append)
    bad = HistoryRow(seq=1, step=1, timestamp=0.0, runtime=0.0, values={"x": 2**70})
    writer.submit(history(1)[0])
    writer.submit(bad)
    writer.submit(history(1, start=2)[0])
    assert writer.flush(timeout=10)
    assert read_records(path).records == [history(1)[0], history(1, start=2)[0]]
    assert writer.dropped == 1
    assert len(warnings) == 1
    assert "HistoryRow" in warnings[0]


def test_writer_fsyncs_on_close_and_not_before_its_interval(
    tmp_path: Path, make_writer: MakeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    writer = make_writer(tmp_path / "run.log", flush_interval=0.01, fsync_interval=3600)
    writer.submit(history(1)[0])
    assert writer.flush(timeout=10)
    time.sleep(0.05)
    assert synced == []
    assert writer.close()
    assert len(synced) == 1


def test_writer_fsyncs_while_running_once_its_interval_passes(
    tmp_path: Path, make_writer: MakeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    writer = make_writer(tmp_path / "run.log", flush_interval=0.01, fsync_interval=0)
    writer.submit(history(1)[0])
    assert eventually(lambda: len(synced) >= 1)


def test_writer_close_returns_false_while_the_disk_keeps_failing(
    tmp_path: Path, make_writer: MakeWriter
) -> None:
    path, blocker = blocked_path(tmp_path)
    warnings: list[str] = []
    writer = make_writer(path, flush_interval=0.01, warn=warnings.append)
    writer.submit(history(1)[0])
    assert not writer.close(timeout=0.2)
    assert "1 records are not yet written" in warnings[-1]
    blocker.unlink()
    assert writer.close(timeout=10)
    assert read_records(path).records == history(1)


def test_writer_prints_warnings_to_stderr_by_default(
    tmp_path: Path, make_writer: MakeWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = blocked_path(tmp_path)
    make_writer(path)
    assert capsys.readouterr().err.startswith("trackboard: cannot write the run log")


def test_writer_keeps_a_frame_larger_than_one_write_chunk_whole(
    tmp_path: Path, make_writer: MakeWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_module, "_WRITE_CHUNK", 64)
    path = tmp_path / "run.log"
    writer = make_writer(path)
    big = HistoryRow(seq=0, step=0, timestamp=0.0, runtime=0.0, values={"t": "x" * 500})
    records = [big, *history(5, start=1)]
    for record in records:
        writer.submit(record)
    assert writer.flush(timeout=10)
    assert read_records(path).records == records
    assert path.stat().st_size == len(FILE_HEADER) + sum(
        len(build_frame(writer_module.encode(r))) for r in records
    )
