"""``Image``: every accepted input, the normalisation rule, masks, boxes and lists."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from media_helpers import Bound
from PIL import Image as PILImage

from trackboard.media import Image
from trackboard.media.binding import bind


def pixels(bound: Bound, ref: dict[str, object]) -> np.ndarray:
    with PILImage.open(bound.file(ref)) as pil:
        return np.asarray(pil)


def mode(bound: Bound, ref: dict[str, object]) -> str:
    with PILImage.open(bound.file(ref)) as pil:
        return str(pil.mode)


def test_numpy_hw_gives_an_l_image_with_reference_fields(bound: Bound) -> None:
    data = np.arange(80, dtype=np.uint8).reshape(8, 10)
    ref = Image(data, caption="c1").bind(bound.target, "img")
    content = bound.file(ref).read_bytes()
    assert ref == {
        "_type": "image-file",
        "path": f"media/images/img_3_{hashlib.sha256(content).hexdigest()[:20]}.png",
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "format": "png",
        "width": 10,
        "height": 8,
        "caption": "c1",
    }
    assert mode(bound, ref) == "L"
    assert (pixels(bound, ref) == data).all()


def test_numpy_hwc_with_three_and_four_channels(bound: Bound) -> None:
    rgb = np.zeros((4, 6, 3), dtype=np.uint8)
    rgba = np.zeros((4, 6, 4), dtype=np.uint8)
    assert mode(bound, Image(rgb).bind(bound.target, "a")) == "RGB"
    assert mode(bound, Image(rgba).bind(bound.target, "b")) == "RGBA"


def test_numpy_extra_singleton_dimensions_are_squeezed(bound: Bound) -> None:
    ref = Image(np.zeros((1, 1, 5, 7), dtype=np.uint8)).bind(bound.target, "k")
    assert (ref["width"], ref["height"]) == (7, 5)


def test_numpy_chw_is_refused_with_the_shape(bound: Bound) -> None:
    with pytest.raises(ValueError, match=r"Un-supported shape for image conversion \[3, 8, 10\]"):
        Image(np.zeros((3, 8, 10)))


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5), (4, 4, 2)])
def test_bad_shapes_are_refused(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="shape"):
        Image(np.zeros(shape, dtype=np.uint8))


def test_non_numeric_pixels_are_refused() -> None:
    with pytest.raises(ValueError, match="must be numbers"):
        Image(np.array([["a", "b"], ["c", "d"]]))


def test_torch_chw_is_permuted_to_hwc(bound: Bound) -> None:
    torch = pytest.importorskip("torch")
    data = torch.zeros(3, 8, 10)
    data[0] = 1.0  # red channel
    ref = Image(data).bind(bound.target, "t")
    assert (ref["width"], ref["height"]) == (10, 8)
    assert mode(bound, ref) == "RGB"
    assert pixels(bound, ref)[0, 0].tolist() == [255, 0, 0]


def test_torch_single_channel_from_a_batch_gives_an_8x8_l_image(bound: Bound) -> None:
    torch = pytest.importorskip("torch")
    batch = torch.rand(16, 1, 8, 8)
    ref = Image(batch[0]).bind(bound.target, "digit")
    assert (ref["width"], ref["height"]) == (8, 8)
    assert mode(bound, ref) == "L"
    expected = (batch[0][0].numpy().astype(np.float64) * 255).astype(np.uint8)
    assert (pixels(bound, ref) == expected).all()


def test_float_in_zero_one_is_scaled_by_255(bound: Bound) -> None:
    data = np.array([[0.0, 0.5], [1.0, 0.25]])
    assert pixels(bound, Image(data).bind(bound.target, "k")).tolist() == [[0, 127], [255, 63]]


def test_float_in_minus_one_one_is_mapped_to_0_255(bound: Bound) -> None:
    data = np.array([[-1.0, 0.0], [1.0, -0.5]])
    assert pixels(bound, Image(data).bind(bound.target, "k")).tolist() == [[0, 127], [255, 63]]


def test_values_outside_0_255_are_clipped_with_a_warning(bound: Bound) -> None:
    with pytest.warns(UserWarning, match="outside \\[0, 255\\]"):
        image = Image(np.array([[-5.0, 100.0], [300.0, 2.0]]))
    assert pixels(bound, image.bind(bound.target, "k")).tolist() == [[0, 100], [255, 2]]


def test_uint8_passes_through_unchanged(bound: Bound) -> None:
    data = np.array([[0, 1], [2, 255]], dtype=np.uint8)
    assert pixels(bound, Image(data).bind(bound.target, "k")).tolist() == data.tolist()


def test_normalize_false_only_casts(bound: Bound) -> None:
    data = np.array([[0.0, 0.9], [1.0, 0.5]])
    ref = Image(data, normalize=False).bind(bound.target, "k")
    assert pixels(bound, ref).tolist() == [[0, 0], [1, 0]]


def test_pil_image_is_used_directly_and_mode_converts(bound: Bound) -> None:
    pil = PILImage.new("RGB", (5, 3), (10, 20, 30))
    assert mode(bound, Image(pil).bind(bound.target, "a")) == "RGB"
    assert mode(bound, Image(pil, mode="L").bind(bound.target, "b")) == "L"


def test_path_is_copied_as_is(bound: Bound, tmp_path: Path) -> None:
    source = tmp_path / "photo.png"
    PILImage.new("RGB", (9, 4)).save(source)
    ref = Image(str(source), caption="p").bind(bound.target, "k")
    assert bound.file(ref).read_bytes() == source.read_bytes()
    assert (ref["format"], ref["width"], ref["height"]) == ("png", 9, 4)


def test_missing_path_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nope\.png"):
        Image(str(tmp_path / "nope.png"))


def test_jpg_file_type(bound: Bound) -> None:
    ref = Image(np.zeros((4, 4, 3), dtype=np.uint8), file_type="jpg").bind(bound.target, "k")
    assert ref["format"] == "jpg"
    assert str(ref["path"]).endswith(".jpg")
    with pytest.raises(ValueError, match="file_type"):
        Image(np.zeros((4, 4)), file_type="tiff")


def test_caption_with_html_is_stored_verbatim(bound: Bound) -> None:
    caption = "<img src=x onerror=alert(1)>"
    ref = Image(np.zeros((2, 2), dtype=np.uint8), caption=caption).bind(bound.target, "k")
    assert ref["caption"] == caption


def test_copy_of_an_image_keeps_pixels_and_takes_a_new_caption(bound: Bound) -> None:
    first = Image(np.zeros((2, 3), dtype=np.uint8), caption="a")
    ref = Image(first, caption="b").bind(bound.target, "k")
    assert (ref["width"], ref["caption"]) == (3, "b")


def test_masks_are_stored_as_png_of_class_ids(bound: Bound) -> None:
    mask = np.array([[0, 1, 1], [2, 2, 0]])
    image = Image(
        np.zeros((2, 3), dtype=np.uint8),
        masks={"pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "cat", 2: "dog"}}},
    )
    ref = image.bind(bound.target, "seg")
    stored = ref["masks"]["pred"]  # type: ignore[index]
    assert stored["_type"] == "mask"
    assert stored["path"].startswith("media/images/mask/seg_3_")
    assert stored["path"].endswith(".mask.png")
    assert stored["class_labels"] == {"0": "bg", "1": "cat", "2": "dog"}
    assert pixels(bound, stored).tolist() == mask.tolist()


@pytest.mark.parametrize(
    ("masks", "error", "message"),
    [
        ({"m": {"mask_data": np.zeros((2, 3, 1), dtype=int)}}, ValueError, "2-D"),
        ({"m": {"mask_data": np.zeros((3, 3), dtype=int)}}, ValueError, "shape"),
        ({"m": {"mask_data": np.zeros((2, 3))}}, TypeError, "integer class ids"),
        (
            {"m": {"mask_data": np.zeros((2, 3), dtype=int), "class_labels": {"a": 1}}},
            TypeError,
            "int to str",
        ),
        ({"m": {}}, TypeError, "mask_data"),
        (["x"], TypeError, "dict of group"),
    ],
)
def test_bad_masks_are_refused(masks: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Image(np.zeros((2, 3), dtype=np.uint8), masks=masks)


def test_boxes_are_validated_and_stored_as_json(bound: Bound) -> None:
    boxes = {
        "pred": {
            "box_data": [
                {
                    "position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6},
                    "class_id": np.int64(1),
                    "box_caption": "cat",
                    "scores": {"acc": 0.9},
                },
                {"position": {"middle": [3, 4], "width": 2, "height": 2}, "domain": "pixel"},
            ],
            "class_labels": {1: "cat"},
        }
    }
    ref = Image(np.zeros((8, 8), dtype=np.uint8), boxes=boxes).bind(bound.target, "det")
    stored = ref["boxes"]["pred"]  # type: ignore[index]
    assert stored["_type"] == "boxes2D"
    assert stored["path"].startswith("media/metadata/boxes2D/det_3_")
    import json

    body = json.loads(bound.file(stored).read_text())
    assert body["box_data"][0]["class_id"] == 1
    assert body["box_data"][1]["domain"] == "pixel"
    assert body["class_labels"] == {"1": "cat"}


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ({"position": {"minX": 0, "maxX": 1}}, "position needs"),
        ({"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": "1"}}, "must be a number"),
        ({"position": {"middle": [1], "width": 1, "height": 1}}, r"middle must be \[x, y\]"),
        ({"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "class_id": 1.5}, "class_id"),
        ({"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "domain": "px"}, "domain"),
        ({"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "scores": [1]}, "scores"),
        ({"box_caption": "no position"}, "position"),
    ],
)
def test_bad_boxes_are_refused_with_type_error(box: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Image(np.zeros((2, 2), dtype=np.uint8), boxes={"g": {"box_data": [box]}})


def test_a_list_of_images_is_grouped_as_images_separated(bound: Bound) -> None:
    images = [Image(np.full((4, 5), i, dtype=np.uint8), caption=f"c{i}") for i in range(3)]
    ref = bind("batch", images, bound.target)
    assert ref["_type"] == "images/separated"
    assert (ref["width"], ref["height"], ref["format"], ref["count"]) == (5, 4, "png", 3)
    assert ref["captions"] == ["c0", "c1", "c2"]
    assert len(set(ref["filenames"])) == 3
    assert all((bound.files_dir / f).is_file() for f in ref["filenames"])
    assert "all_masks" not in ref and "all_boxes" not in ref


def test_an_image_list_with_masks_keeps_all_masks(bound: Bound) -> None:
    mask = {"m": {"mask_data": np.zeros((2, 2), dtype=int)}}
    images = [Image(np.zeros((2, 2), dtype=np.uint8), masks=mask), Image(np.ones((2, 2)))]
    ref = bind("k", images, bound.target)
    assert ref["all_masks"][0]["m"]["_type"] == "mask"
    assert ref["all_masks"][1] is None


def test_more_than_108_images_are_cut_with_a_warning(bound: Bound) -> None:
    images = [Image(np.full((2, 2), i, dtype=np.uint8)) for i in range(110)]
    ref = bind("many", images, bound.target)
    assert ref["count"] == 108
    assert len(ref["filenames"]) == 108
    assert any("108" in w and "many" in w for w in bound.warnings)


def test_images_of_different_sizes_warn(bound: Bound) -> None:
    bind("k", [Image(np.zeros((2, 2))), Image(np.zeros((3, 3)))], bound.target)
    assert any("different sizes" in w for w in bound.warnings)


def test_matplotlib_figure_becomes_a_png_image(bound: Bound) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1), dpi=50)
    figure.add_subplot().plot([0, 1], [1, 0])
    ref = bind("plot", figure, bound.target)
    assert ref["_type"] == "image-file"
    assert (ref["format"], ref["width"], ref["height"]) == ("png", 100, 50)
    assert bound.file(ref).read_bytes().startswith(b"\x89PNG")
