"""Media file names: sanitised keys, files kept inside ``files/``, content deduplicated."""

from __future__ import annotations

import hashlib

import pytest
from media_helpers import Bound

from trackboard.media.base import MAX_SEGMENT, Target, media_relpath, safe_segment, store_bytes


def test_name_is_key_step_and_hash_prefix() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    assert (
        media_relpath("images", "img", 7, digest, ".png") == f"media/images/img_7_{digest[:20]}.png"
    )


def test_slash_in_key_makes_subfolders() -> None:
    assert media_relpath("images", "sub/img", 3, "ab" * 32, ".png").startswith(
        "media/images/sub/img_3_"
    )


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("..", "_"),
        (".", "_"),
        ("", "_"),
        ("a\\b", "a_b"),
        ("a\x00b", "a_b"),
        ("a\nb", "a_b"),
        ("c:", "c_"),
    ],
)
def test_unsafe_segments_are_neutralised(segment: str, expected: str) -> None:
    assert safe_segment(segment) == expected


def test_long_segments_are_capped() -> None:
    assert len(safe_segment("k" * 1000)) == MAX_SEGMENT


@pytest.mark.parametrize(
    "key", ["../../../etc/passwd", "/abs/key", "a/../../b", "..\\..\\x", "../"]
)
def test_a_key_cannot_escape_the_files_folder(bound: Bound, key: str) -> None:
    stored = store_bytes(bound.target, "images", key, b"data", ".png")
    path = (bound.files_dir / stored.path).resolve()
    assert path.is_file()
    assert path.is_relative_to(bound.files_dir.resolve() / "media" / "images")
    assert ".." not in stored.path.split("/")


def test_a_step_string_is_sanitised_too(bound: Bound) -> None:
    target = Target(bound.files_dir, "../summary", bound.warnings.append)
    stored = store_bytes(target, "html", "k", b"x", ".html")
    assert (bound.files_dir / stored.path).resolve().is_relative_to(bound.files_dir.resolve())


def test_identical_content_under_one_key_and_step_is_written_once(bound: Bound) -> None:
    first = store_bytes(bound.target, "html", "k", b"same", ".html")
    path = bound.files_dir / first.path
    mtime = path.stat().st_mtime_ns
    second = store_bytes(bound.target, "html", "k", b"same", ".html")
    assert second == first
    assert path.stat().st_mtime_ns == mtime
    assert len(list(path.parent.iterdir())) == 1


def test_different_content_gets_a_different_file(bound: Bound) -> None:
    a = store_bytes(bound.target, "html", "k", b"a", ".html")
    b = store_bytes(bound.target, "html", "k", b"b", ".html")
    assert a.path != b.path
    assert a.sha256 == hashlib.sha256(b"a").hexdigest()
    assert a.size == 1
