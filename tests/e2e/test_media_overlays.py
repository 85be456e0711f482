"""Image overlays in the dashboard: a segmentation mask drawn as class colours over the image,
bounding boxes (in pixels and relative) placed on it with their captions as text, and
toggles that hide a group or a class."""

from __future__ import annotations

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 40, 20
BOLD = "<b>bold</b> cat"

OVERLAYS = """
import numpy as np
import trackboard as wandb

run = wandb.init(project="{project}", name="overlay-run")
pixels = np.full(({height}, {width}, 3), 200, dtype=np.uint8)
mask = np.zeros(({height}, {width}), dtype=np.uint8)
mask[0:10, 0:10] = 1    # top-left quarter of the left half: cat
mask[10:20, 20:30] = 2  # bottom row, third quarter: dog
boxes = [
    {{"position": {{"minX": 20, "maxX": 40, "minY": 0, "maxY": 10}}, "domain": "pixel",
      "class_id": 1, "box_caption": {bold!r}, "scores": {{"conf": 0.9}}}},
    {{"position": {{"middle": [0.25, 0.75], "width": 0.5, "height": 0.5}}, "class_id": 2,
      "box_caption": "dog"}},
]
labels = {{0: "background", 1: "cat", 2: "dog"}}
image = wandb.Image(pixels, caption="overlaid",
                    masks={{"seg": {{"mask_data": mask, "class_labels": labels}}}},
                    boxes={{"det": {{"box_data": boxes, "class_labels": labels}}}})
wandb.log({{"overlaid": image}}, step=0)
run.finish()
"""

# PALETTE[1] and PALETTE[2] of web/src/lib/colors.ts: the colours of classes 1 and 2
CAT = [0xF2, 0x8E, 0x2B]
DOG = [0xE1, 0x57, 0x59]


@pytest.fixture(scope="module")
def overlay_url(server: Server) -> str:
    script = OVERLAYS.format(project="overlays", width=WIDTH, height=HEIGHT, bold=BOLD)
    server.log(script, timeout=120)
    server.wait_for_runs("overlays", 1)
    return f"{server.url}/#/p/local/overlays"


def mask_pixel(canvas: Locator, x: int, y: int) -> list[int]:
    """The RGBA of the mask canvas at (x, y) in mask pixels, once the mask is painted."""
    canvas.page.wait_for_function(
        "c => c.width > 0 && c.getContext('2d').getImageData(0, 0, c.width, c.height)"
        ".data.some((v, i) => i % 4 === 3 && v > 0)",
        arg=canvas.element_handle(),
    )
    pixel: list[int] = canvas.evaluate(
        "(c, [x, y]) => [...c.getContext('2d').getImageData(x, y, 1, 1).data]", [x, y]
    )
    return pixel


def assert_color(pixel: list[int], rgb: list[int]) -> None:
    """A half-transparent pixel of colour ``rgb`` (the canvas stores premultiplied alpha, so
    a channel may be off by a rounding step or two)."""
    assert abs(pixel[3] - 128) <= 1 and all(
        abs(p - c) <= 3 for p, c in zip(pixel[:3], rgb, strict=True)
    ), (pixel, rgb)


def relative_box(element: Locator, image: Locator) -> tuple[float, float, float, float]:
    """An element's box as fractions of the image's displayed box: x, y, width, height."""
    box, frame = element.bounding_box(), image.bounding_box()
    assert box is not None and frame is not None
    return (
        (box["x"] - frame["x"]) / frame["width"],
        (box["y"] - frame["y"]) / frame["height"],
        box["width"] / frame["width"],
        box["height"] / frame["height"],
    )


def assert_near(got: tuple[float, ...], want: tuple[float, ...]) -> None:
    # a 2px stroke straddles the rect's edge, so allow a few pixels of a 40x20 image scaled up
    assert all(abs(g - w) < 0.03 for g, w in zip(got, want, strict=True)), (got, want)


def test_the_enlarged_image_draws_the_mask_and_boxes_where_they_were_logged(
    overlay_url: str, page: Page
) -> None:
    page.goto(overlay_url)
    panel = page.get_by_test_id("panel").and_(page.locator('[data-key="overlaid"]'))
    expect(panel.get_by_test_id("mask-overlay")).to_have_count(1)
    panel.get_by_test_id("media-image").click()
    dialog = page.get_by_test_id("image-dialog")
    image = dialog.get_by_test_id("enlarged-image")
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )

    canvas = dialog.get_by_test_id("mask-overlay")
    assert_near(relative_box(canvas, image), (0, 0, 1, 1))
    assert_color(mask_pixel(canvas, 5, 5), CAT)
    assert_color(mask_pixel(canvas, 25, 15), DOG)
    assert mask_pixel(canvas, 35, 5)[3] == 0  # background stays transparent

    boxes = dialog.get_by_test_id("overlay-box")
    expect(boxes).to_have_count(2)
    assert_near(relative_box(boxes.nth(0).locator("rect"), image), (0.5, 0, 0.5, 0.5))
    assert_near(relative_box(boxes.nth(1).locator("rect"), image), (0, 0.5, 0.5, 0.5))
    labels = dialog.get_by_test_id("box-label")
    expect(labels).to_have_text([BOLD, "dog"])
    expect(dialog.locator("svg b")).to_have_count(0)
    expect(boxes.nth(0).locator("title")).to_have_text("cat\n<b>bold</b> cat\nconf: 0.9")
    screenshot(page, "media-overlays-enlarged")


def test_the_legend_hides_a_group_and_a_class(overlay_url: str, page: Page) -> None:
    page.goto(overlay_url)
    panel = page.get_by_test_id("panel").and_(page.locator('[data-key="overlaid"]'))
    panel.get_by_test_id("media-image").click()
    dialog = page.get_by_test_id("image-dialog")
    legend = dialog.get_by_test_id("overlay-legend")
    det = legend.locator('[data-kind="box"][data-group="det"]')
    seg = legend.locator('[data-kind="mask"][data-group="seg"]')
    expect(seg.get_by_test_id("legend-class")).to_have_count(3)
    expect(seg.get_by_test_id("legend-class").first).not_to_be_checked()  # background

    det.get_by_test_id("legend-group").uncheck()
    expect(dialog.get_by_test_id("box-overlay")).to_be_hidden()
    expect(dialog).to_be_visible()  # the legend does not close the dialog
    det.get_by_test_id("legend-group").check()
    expect(dialog.get_by_test_id("box-overlay")).to_be_visible()

    det.locator('[data-testid="legend-class"][data-class-id="2"]').uncheck()
    expect(dialog.get_by_test_id("box-label")).to_have_text([BOLD])

    canvas = dialog.get_by_test_id("mask-overlay")
    assert_color(mask_pixel(canvas, 5, 5), CAT)
    seg.locator('[data-testid="legend-class"][data-class-id="1"]').uncheck()
    page.wait_for_function(
        "c => c.getContext('2d').getImageData(5, 5, 1, 1).data[3] === 0",
        arg=canvas.element_handle(),
    )
    assert_color(mask_pixel(canvas, 25, 15), DOG)
    screenshot(page, "media-overlays-legend")


def test_the_panel_toggles_hide_a_group_on_the_thumbnails(overlay_url: str, page: Page) -> None:
    page.goto(overlay_url)
    panel = page.get_by_test_id("panel").and_(page.locator('[data-key="overlaid"]'))
    toggles = panel.get_by_test_id("overlay-toggles")
    expect(toggles.locator("label")).to_have_text(["mask: seg", "boxes: det"])
    canvas = panel.get_by_test_id("mask-overlay")
    assert_color(mask_pixel(canvas, 5, 5), CAT)
    toggles.locator('[data-kind="mask"]').get_by_test_id("overlay-toggle").uncheck()
    expect(canvas).to_be_hidden()
    expect(panel.get_by_test_id("box-overlay")).to_be_visible()
    toggles.locator('[data-kind="box"]').get_by_test_id("overlay-toggle").uncheck()
    expect(panel.get_by_test_id("box-overlay")).to_be_hidden()
    screenshot(page, "media-overlays-toggled")
