"""The media stores on their own: a local folder and fsspec's memory filesystem behave alike,
write whole or not at all, and refuse paths that would leave a run's files."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from trackboard.errors import InvalidInputError, NotFoundError
from trackboard.server.media_store import (
    FsspecMediaStore,
    LocalMediaStore,
    MediaStore,
    check_file_path,
    open_media_store,
)

RUN = ("team", "vision", "r1")


@pytest.fixture(params=["local", "memory"])
def media(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MediaStore]:
    if request.param == "local":
        yield LocalMediaStore(tmp_path / "media")
        return
    url = f"memory://tb-store-{time.time_ns()}/prefix"
    store = FsspecMediaStore(url)
    try:
        yield store
    finally:
        if store.fs.exists(store.base):
            store.fs.rm(store.base, recursive=True)


def test_written_files_read_back_and_list(media: MediaStore) -> None:
    media.write(*RUN, "media/images/a.png", b"png")
    media.write(*RUN, "config.yaml", b"lr: 1\n")
    assert media.read(*RUN, "media/images/a.png") == b"png"
    assert media.stat(*RUN, "config.yaml").size == 6
    assert media.exists(*RUN, "config.yaml")
    assert not media.exists(*RUN, "nope.txt")
    listed = media.list_files(*RUN)
    assert [(f.path, f.size) for f in listed] == [("config.yaml", 6), ("media/images/a.png", 3)]
    assert media.list_files("team", "vision", "other") == []


def test_a_rewrite_replaces_and_a_failed_one_keeps_the_old(media: MediaStore) -> None:
    media.write(*RUN, "notes.txt", b"first")
    media.write(*RUN, "notes.txt", b"second")
    assert media.read(*RUN, "notes.txt") == b"second"

    def broken_upload() -> None:
        with media.writer(*RUN, "notes.txt") as out:
            out.write(b"half of a thi")
            raise RuntimeError("the upload broke off")

    with pytest.raises(RuntimeError):
        broken_upload()
    assert media.read(*RUN, "notes.txt") == b"second"
    assert [f.path for f in media.list_files(*RUN)] == ["notes.txt"]


@pytest.mark.parametrize("path", ["../x", "a/../../x", "/etc/passwd", "a\\b", "a//b", "./a", ""])
def test_paths_leaving_the_files_folder_are_refused(media: MediaStore, path: str) -> None:
    with pytest.raises(InvalidInputError, match="bad file path"):
        media.write(*RUN, path, b"evil")
    with pytest.raises(NotFoundError):
        media.read(*RUN, path)
    assert media.list_files(*RUN) == []


def test_bad_run_names_are_refused(media: MediaStore) -> None:
    with pytest.raises(InvalidInputError, match="entity"):
        media.write("..", "vision", "r1", "a.txt", b"x")


def test_a_local_write_does_not_follow_a_link_out_of_the_run(tmp_path: Path) -> None:
    media = LocalMediaStore(tmp_path / "media")
    media.write(*RUN, "keep.txt", b"x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "media/team/vision/r1/files/link").symlink_to(outside)
    with pytest.raises(InvalidInputError, match="outside"):
        media.write(*RUN, "link/evil.txt", b"evil")
    assert list(outside.iterdir()) == []


def test_local_files_get_the_umask_mode_not_the_temp_files_private_one(tmp_path: Path) -> None:
    """Replicas behind one proxy may run as other users of the same group: an uploaded file is
    created as a file written in place would be (0666 less the umask), not 0600."""
    media = LocalMediaStore(tmp_path / "media")
    media.write(*RUN, "media/images/a.png", b"png")
    mode = (tmp_path / "media/team/vision/r1/files/media/images/a.png").stat().st_mode & 0o777
    umask = os.umask(0o022)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_check_file_path_gives_the_segments() -> None:
    assert check_file_path("media/images/a.png") == ["media", "images", "a.png"]


def test_open_media_store_tells_folders_from_urls(tmp_path: Path) -> None:
    assert isinstance(open_media_store(tmp_path), LocalMediaStore)
    assert isinstance(open_media_store(str(tmp_path)), LocalMediaStore)
    local = open_media_store(f"file://{tmp_path}")
    assert isinstance(local, LocalMediaStore) and local.root == tmp_path
    assert isinstance(open_media_store("memory://x/y"), FsspecMediaStore)
