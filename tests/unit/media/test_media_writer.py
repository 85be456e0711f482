"""The background writer of a run's media files: everything lands, once, and failures warn."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

import trackboard
from trackboard.media.base import FileWriter, Target
from trackboard.media.binding import bind


def test_files_queued_by_log_are_on_disk_once_drained(tmp_path: Path) -> None:
    writer = FileWriter()
    warnings: list[str] = []
    target = Target(tmp_path / "files", 7, warnings.append, writer)
    refs = [
        bind("samples/img", trackboard.Image(np.full((4, 5), i, dtype=np.uint8)), target)
        for i in range(50)
    ]
    assert writer.drain(timeout=30)
    for ref in refs:
        path = tmp_path / "files" / ref["path"]
        assert path.is_file()
        assert path.stat().st_size == ref["size"]
    assert not warnings
    assert not list((tmp_path / "files").rglob("*.tmp"))


def test_the_same_file_queued_twice_is_written_once(tmp_path: Path) -> None:
    writer = FileWriter()
    target = Target(tmp_path / "files", 1, print, writer)
    pixels = np.zeros((3, 3), dtype=np.uint8)
    first = bind("img", trackboard.Image(pixels), target)
    second = bind("img", trackboard.Image(pixels), target)
    assert writer.drain(timeout=30)
    assert first["path"] == second["path"]
    assert len(list((tmp_path / "files").rglob("*.png"))) == 1


def test_a_failed_write_warns_once_and_never_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "files"
    blocker.write_text("a file where the folder should be")
    writer = FileWriter()
    warnings: list[str] = []
    target = Target(blocker, 2, warnings.append, writer)
    for i in range(3):
        bind("img", trackboard.Image(np.full((2, 2), i, dtype=np.uint8)), target)
    assert writer.drain(timeout=30)
    assert len(warnings) == 1
    assert "could not write media file" in warnings[0]


def test_a_producer_faster_than_the_disk_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FileWriter, "MAX_PENDING_BYTES", 10)
    writer = FileWriter()
    done = threading.Event()

    def produce() -> None:
        for i in range(20):
            writer.submit(str(tmp_path / f"f{i}.bin"), b"x" * 8, print)
        done.set()

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join(timeout=30)
    assert done.is_set()
    assert writer.drain(timeout=30)
    assert sorted(p.name for p in tmp_path.glob("*.bin")) == sorted(f"f{i}.bin" for i in range(20))


def test_finish_waits_for_every_media_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKBOARD_SILENT", "true")
    run = trackboard.init(dir=tmp_path, mode="offline", project="writer")
    for step in range(20):
        run.log({"img": trackboard.Image(np.full((8, 8), step, dtype=np.uint8))})
    run.finish()
    files = Path(run.dir)
    steps = sorted(int(p.name.split("_")[1]) for p in (files / "media" / "images").glob("*.png"))
    assert steps == list(range(20))
    history = (
        trackboard.Api(root=tmp_path / "trackboard")
        .run(f"local/writer/{run.id}")
        .history(pandas=False)
    )
    for row in history:
        assert (files / row["img"]["path"]).is_file()
