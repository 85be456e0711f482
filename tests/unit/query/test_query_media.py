"""Media references flattened into items, and the media of a key at a step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from media_runs import log_run

from trackboard.errors import InvalidInputError
from trackboard.media.base import Target
from trackboard.media.image import Image
from trackboard.query.chart_keys import chart_keys
from trackboard.query.media import media_at_step, media_items, media_type
from trackboard.store.sqlite import SqliteStore


def image(step: int, caption: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {
        "_type": "image-file",
        "path": f"media/images/pred_{step}_{'0' * 20}.png",
        "sha256": "0" * 64,
        "size": 10,
        "format": "png",
        "width": 8,
        "height": 8,
    }
    if caption is not None:
        ref["caption"] = caption
    return ref


def test_media_type_is_the_type_field_and_none_for_plain_values() -> None:
    assert media_type(image(1)) == "image-file"
    assert media_type({"_type": "histogram", "values": [1], "bins": [0, 1]}) == "histogram"
    assert media_type("text") is None
    assert media_type({"a": 1}) is None
    assert media_type([1, 2]) is None


def test_media_items_of_an_image_keep_caption_and_size() -> None:
    (item,) = media_items(image(3, "Pred: 1 Truth: 1"))
    assert item["kind"] == "image"
    assert item["path"].startswith("media/images/")
    assert (item["caption"], item["width"], item["height"]) == ("Pred: 1 Truth: 1", 8, 8)


def test_media_items_of_separated_images_pair_files_with_captions() -> None:
    ref = {
        "_type": "images/separated",
        "width": 4,
        "height": 4,
        "format": "png",
        "count": 2,
        "filenames": ["media/images/a.png", "media/images/b.png"],
        "captions": ["first", None],
    }
    items = media_items(ref)
    assert [i["path"] for i in items] == ["media/images/a.png", "media/images/b.png"]
    assert items[0]["caption"] == "first"
    assert "caption" not in items[1]


def test_media_items_of_audio_and_video_lists() -> None:
    audio = {
        "_type": "audio",
        "count": 1,
        "audio": [{"_type": "audio-file", "path": "media/audio/a.wav"}],
        "captions": ["hello"],
    }
    videos = {"_type": "videos", "videos": [{"_type": "video-file", "path": "media/videos/v.mp4"}]}
    assert media_items(audio) == [
        {"kind": "audio", "path": "media/audio/a.wav", "caption": "hello"}
    ]
    assert media_items(videos) == [{"kind": "video", "path": "media/videos/v.mp4"}]


def test_media_items_of_malformed_references_are_empty() -> None:
    assert media_items({"_type": "image-file"}) == []
    assert media_items({"_type": "images/separated", "filenames": "x"}) == []
    assert media_items({"_type": "unknown-kind", "path": "x"}) == []
    assert media_items(42) == []


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "t.db")
    yield opened
    opened.close()


def test_media_at_step_takes_the_nearest_step_at_or_before(store: SqliteStore) -> None:
    a = log_run(store, "a", [{"_step": s, "pred": image(s, f"a{s}")} for s in (0, 5, 10)])
    b = log_run(store, "b", [{"_step": s, "pred": image(s, f"b{s}")} for s in (2, 7)])
    out = media_at_step(store, [a, b], "pred", 6)
    assert out["steps"] == [0, 2, 5, 7, 10]
    ra, rb = out["runs"]
    assert (ra["id"], ra["step"], ra["items"][0]["caption"]) == ("a", 5, "a5")
    assert (rb["step"], rb["items"][0]["caption"]) == (2, "b2")
    assert ra["steps"] == [0, 5, 10]


def test_media_at_step_without_a_step_gives_the_last_and_before_the_first_none(
    store: SqliteStore,
) -> None:
    a = log_run(store, "a", [{"_step": s, "pred": image(s)} for s in (3, 4)])
    assert media_at_step(store, [a], "pred")["runs"][0]["step"] == 4
    early = media_at_step(store, [a], "pred", 1)["runs"][0]
    assert early["step"] is None and early["items"] == []


def test_media_at_step_refuses_a_negative_step(store: SqliteStore) -> None:
    a = log_run(store, "a", [{"pred": image(0)}])
    with pytest.raises(InvalidInputError, match="step must be >= 0"):
        media_at_step(store, [a], "pred", -1)


def test_chart_keys_name_the_media_type_of_each_key(store: SqliteStore) -> None:
    hist = {"_type": "histogram", "values": [1, 2], "bins": [0, 1, 2]}
    a = log_run(
        store,
        "a",
        [
            {"_step": s, "loss": 1.0 / (s + 1), "pred": image(s), "gradients/w": hist}
            for s in range(3)
        ],
    )
    by_name = {k.name: k for k in chart_keys(store, [a])}
    assert by_name["pred"].media == "image-file"
    assert by_name["gradients/w"].media == "histogram"
    assert by_name["loss"].media is None


def overlaid_image() -> Image:
    """A 4x4 image with two mask groups and one box group, as the SDK makes it."""
    mask = np.zeros((4, 4), dtype=np.uint8)
    mask[:2, :2] = 1
    return Image(
        np.zeros((4, 4), dtype=np.uint8),
        masks={
            "pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "cat"}},
            "truth": {"mask_data": mask},
        },
        boxes={"det": {"box_data": [{"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}}]}},
    )


def test_media_items_of_an_image_list_its_mask_and_box_groups(tmp_path: Path) -> None:
    ref = overlaid_image().bind(Target(tmp_path, 3, lambda _: None), "pred")
    (item,) = media_items(ref)
    assert [m["group"] for m in item["masks"]] == ["pred", "truth"]
    assert item["masks"][0]["path"] == ref["masks"]["pred"]["path"]
    assert item["masks"][0]["path"].endswith(".mask.png")
    assert item["masks"][0]["class_labels"] == {"0": "bg", "1": "cat"}
    assert item["masks"][1]["class_labels"] == {}
    assert item["boxes"] == [{"group": "det", "path": ref["boxes"]["det"]["path"]}]
    assert (tmp_path / item["boxes"][0]["path"]).is_file()


def test_media_items_of_separated_images_keep_each_image_overlays(tmp_path: Path) -> None:
    target = Target(tmp_path, 1, lambda _: None)
    plain = Image(np.zeros((4, 4), dtype=np.uint8))
    ref = Image.group("pred", [overlaid_image(), plain], target)
    first, second = media_items(ref)
    assert [m["group"] for m in first["masks"]] == ["pred", "truth"]
    assert [b["group"] for b in first["boxes"]] == ["det"]
    assert "masks" not in second and "boxes" not in second


def test_media_items_skip_malformed_overlays() -> None:
    ref = image(0)
    ref["masks"] = {"a": {"_type": "boxes2D", "path": "x"}, "b": {"_type": "mask"}, "c": 3}
    ref["boxes"] = ["not", "a", "dict"]
    (item,) = media_items(ref)
    assert "masks" not in item and "boxes" not in item
    listed = {
        "_type": "images/separated",
        "filenames": ["media/images/a.png"],
        "all_masks": "nope",
        "all_boxes": [],
    }
    (only,) = media_items(listed)
    assert "masks" not in only and "boxes" not in only
