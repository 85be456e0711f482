"""Finding a run's files safely, listing them, and the thumbnails made of images."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from trackboard.errors import InvalidInputError, NotFoundError
from trackboard.query.run_files import (
    content_type,
    is_content_hashed,
    list_run_files,
    resolve_run_file,
)
from trackboard.query.thumbnails import thumbnail


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    run = tmp_path / "root" / "e" / "p" / "r1"
    (run / "files" / "media" / "images").mkdir(parents=True)
    (run / "files" / "media" / "images" / "a.png").write_bytes(b"png")
    (run / "files" / "notes.txt").write_text("hi")
    (run / "run.log").write_bytes(b"log")
    (tmp_path / "secret.txt").write_text("secret")
    return run


def test_resolve_run_file_finds_a_file_under_files(folder: Path) -> None:
    assert resolve_run_file(folder, "media/images/a.png").read_bytes() == b"png"


@pytest.mark.parametrize(
    "path",
    [
        "../run.log",
        "media/../../run.log",
        "/etc/passwd",
        "media//images/a.png",
        "./notes.txt",
        "media\\images\\a.png",
        "media",
        "missing.txt",
        "",
        "notes.txt\x00.png",
    ],
)
def test_resolve_run_file_refuses_paths_outside_or_odd(folder: Path, path: str) -> None:
    with pytest.raises(NotFoundError):
        resolve_run_file(folder, path)


def test_resolve_run_file_refuses_a_link_leading_outside(folder: Path) -> None:
    os.symlink(folder.parent.parent.parent.parent / "secret.txt", folder / "files" / "link.txt")
    with pytest.raises(NotFoundError):
        resolve_run_file(folder, "link.txt")


def test_list_run_files_lists_files_only_under_files(folder: Path) -> None:
    files = list_run_files(folder)
    assert [f.path for f in files] == ["media/images/a.png", "notes.txt"]
    assert files[1].size == 2
    assert list_run_files(None) == []
    assert list_run_files(folder / "nowhere") == []


def test_content_types_and_hashed_names() -> None:
    assert content_type("media/images/a.png") == "image/png"
    assert content_type("media/html/p.html") == "text/html; charset=utf-8"
    assert content_type("media/table/t.table.json") == "application/json"
    assert content_type("blob.unknownext") == "application/octet-stream"
    assert is_content_hashed("media/images/pred_3_0123456789abcdef0123.png")
    assert not is_content_hashed("media/images/pred.png")
    assert not is_content_hashed("model_3_0123456789abcdef0123.png")


def test_thumbnail_fits_the_size_and_is_cached(tmp_path: Path) -> None:
    source = tmp_path / "big.png"
    Image.new("RGB", (400, 200), (255, 0, 0)).save(source)
    cache = tmp_path / "thumbs"
    data = thumbnail(source, 100, cache)
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (100, 50)
    assert len(list(cache.iterdir())) == 1
    assert thumbnail(source, 100, cache) == data


def test_thumbnail_of_a_file_that_is_no_image_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "fake.png"
    source.write_bytes(b"not an image")
    with pytest.raises(InvalidInputError, match=r"fake\.png is not an image"):
        thumbnail(source, 100, None)
