"""Media in the dashboard: image panels with captions and a step slider, gradient heatmaps
from watch(), captions that hold HTML shown as text, table pages, and the run's Files tab."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from e2e_support import Server, screenshot
from playwright.sync_api import Dialog, Locator, Page, expect

pytestmark = pytest.mark.e2e

UNSAFE = "<img src=x onerror=alert(1)>"

MEDIA = """
import numpy as np
import torch
import trackboard as wandb

torch.manual_seed(0)
rng = np.random.default_rng(0)
run = wandb.init(project="{project}", name="media-run")
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
wandb.watch(model, log="all", log_freq=1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(6):
    x = torch.randn(16, 4)
    y = torch.randint(0, 3, (16,))
    loss = torch.nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    preds = [
        wandb.Image((rng.random((8, 8)) * 255).astype("uint8"),
                    caption=f"Pred: {{(step + k) % 10}} Truth: {{k}}")
        for k in range(3)
    ]
    wandb.log({{"loss": loss.item(), "examples": preds}}, step=step)
wandb.log({{"many": [wandb.Image(np.full((4, 4), k, dtype=np.uint8), caption=f"#{{k}}")
                     for k in range(30)]}})
wandb.log({{"unsafe": wandb.Image(np.zeros((6, 6), dtype=np.uint8), caption={unsafe!r})}})
table = wandb.Table(
    columns=["id", "name", "score", "image"],
    data=[[i, f"item{{i}}", (i * 37) % 50,
           wandb.Image(np.full((4, 4), i * 5, dtype=np.uint8))] for i in range(45)],
)
tone = np.sin(np.linspace(0, 440 * 2 * np.pi, 8000)).astype("float32")
wandb.log({{"results": table, "page": wandb.Html("<p>hello <b>there</b></p>"),
           "sound": wandb.Audio(tone, sample_rate=8000, caption="a tone")}})
run.finish()
"""


@pytest.fixture(scope="module")
def media_url(server: Server) -> str:
    server.log(MEDIA.format(project="media", unsafe=UNSAFE), timeout=120)
    server.wait_for_runs("media", 1)
    return f"{server.url}/#/p/local/media"


def panel(page: Page, key: str) -> Locator:
    return page.get_by_test_id("panel").and_(page.locator(f'[data-key="{key}"]'))


def api(server: Server, path: str) -> dict:
    with urllib.request.urlopen(f"{server.url}/api/v1/projects/local/media{path}") as res:
        return json.load(res)


def test_image_panel_shows_captions_and_the_slider_changes_the_images(
    media_url: str, page: Page
) -> None:
    page.goto(media_url)
    examples = panel(page, "examples")
    expect(examples).to_have_attribute("data-panel-kind", "image")
    captions = examples.get_by_test_id("media-caption")
    expect(captions).to_have_text(["Pred: 5 Truth: 0", "Pred: 6 Truth: 1", "Pred: 7 Truth: 2"])
    images = examples.get_by_test_id("media-image")
    expect(images).to_have_count(3)
    last_src = images.first.get_attribute("src")
    slider = examples.get_by_test_id("step-slider")
    slider.fill("1")
    expect(examples.get_by_test_id("step-label")).to_have_text("step 1")
    expect(captions).to_have_text(["Pred: 1 Truth: 0", "Pred: 2 Truth: 1", "Pred: 3 Truth: 2"])
    expect(images.first).not_to_have_attribute("src", last_src or "")
    # The new src may still be loading: wait for it (or its error, which answers -1).
    natural = images.first.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise((done) => {
            img.addEventListener('load', () => done(img.naturalWidth), { once: true });
            img.addEventListener('error', () => done(-1), { once: true });
        })"""
    )
    assert natural == 8  # the server-made thumbnail of an 8x8 image is not enlarged
    images.first.click()
    expect(page.get_by_test_id("image-dialog")).to_be_visible()
    screenshot(page, "media-image-enlarged")
    page.get_by_test_id("image-dialog").click()
    expect(page.get_by_test_id("image-dialog")).to_have_count(0)
    screenshot(page, "media-images")


def test_an_image_panel_pages_through_many_images(media_url: str, page: Page) -> None:
    page.goto(media_url)
    many = panel(page, "many")
    many.scroll_into_view_if_needed()
    captions = many.get_by_test_id("media-caption")
    expect(captions).to_have_count(24)
    expect(many.get_by_test_id("image-page")).to_have_text("1–24 of 30")
    many.get_by_test_id("image-next").click()
    expect(captions).to_have_text([f"#{k}" for k in range(24, 30)])


def test_a_heatmap_is_drawn_for_each_gradients_layer(
    server: Server, media_url: str, page: Page
) -> None:
    keys = [k for k in api(server, "/keys")["keys"] if k["name"].startswith("gradients/")]
    assert len(keys) == 4 and all(k["media"] == "histogram" for k in keys)
    page.goto(media_url)
    section = page.locator('[data-testid="section"][data-section="gradients"]')
    expect(section).to_be_visible()
    for key in keys:
        query = urllib.parse.urlencode({"key": key["name"]})
        (hist,) = api(server, f"/histograms?{query}")["runs"]
        assert len(hist["steps"]) >= 5  # one histogram per logged step of training
        heatmap = panel(page, key["name"]).get_by_test_id("heatmap")
        heatmap.scroll_into_view_if_needed()
        expect(heatmap).to_have_attribute("data-drawn", "true")
        expect(heatmap).to_have_attribute("data-columns", str(len(hist["steps"])))
        expect(heatmap).to_have_attribute("data-bins", "64")
    expect(page.locator('[data-testid="section"][data-section="parameters"]')).to_be_visible()
    first = panel(page, keys[0]["name"]).get_by_test_id("heatmap")
    box = first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(panel(page, keys[0]["name"]).get_by_test_id("heatmap-tip")).to_contain_text("step ")
    screenshot(page, "media-gradients")


def test_a_caption_holding_html_is_shown_as_text(media_url: str, page: Page) -> None:
    dialogs: list[Dialog] = []
    page.on("dialog", lambda d: (dialogs.append(d), d.dismiss()))
    page.goto(media_url)
    unsafe = panel(page, "unsafe")
    unsafe.scroll_into_view_if_needed()
    expect(unsafe.get_by_test_id("media-caption")).to_have_text(UNSAFE)
    expect(unsafe.locator("figcaption img")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert dialogs == []
    screenshot(page, "media-unsafe-caption")


def test_a_table_panel_pages_and_sorts(media_url: str, page: Page) -> None:
    page.goto(media_url)
    results = panel(page, "results")
    results.scroll_into_view_if_needed()
    rows = results.get_by_test_id("table-row")
    expect(rows).to_have_count(20)
    expect(results.get_by_test_id("table-range")).to_have_text("1–20 of 45")
    expect(rows.first).to_have_attribute("data-index", "0")
    expect(rows.first.locator("img")).to_have_count(1)
    results.get_by_test_id("table-next").click()
    expect(results.get_by_test_id("table-range")).to_have_text("21–40 of 45")
    expect(rows.first).to_have_attribute("data-index", "20")
    sort = results.locator('[data-testid="table-sort"][data-column="score"]')
    sort.click()
    expect(results.get_by_test_id("table-range")).to_have_text("1–20 of 45")
    expect(rows.first.get_by_test_id("table-cell").nth(2)).to_have_text("0")
    sort.click()
    expect(rows.first.get_by_test_id("table-cell").nth(2)).to_have_text("49")
    results.get_by_test_id("table-filter").fill("item4")
    expect(results.get_by_test_id("table-range")).to_contain_text("of 6")
    screenshot(page, "media-table")


def test_html_is_shown_in_a_sandboxed_frame(media_url: str, page: Page) -> None:
    page.goto(media_url)
    html = panel(page, "page")
    html.scroll_into_view_if_needed()
    frame = html.get_by_test_id("media-html")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator('[data-testid="media-html"]').locator("b")).to_have_text("there")


def test_audio_plays_from_the_run_files(server: Server, media_url: str, page: Page) -> None:
    page.goto(media_url)
    sound = panel(page, "sound")
    sound.scroll_into_view_if_needed()
    expect(sound).to_have_attribute("data-panel-kind", "media")
    audio = sound.get_by_test_id("media-audio")
    expect(audio).to_have_count(1)
    expect(sound.get_by_test_id("media-caption")).to_have_text("a tone")
    src = audio.get_attribute("src")
    assert src is not None and src.endswith(".wav")
    with urllib.request.urlopen(f"{server.url}/{src}") as res:
        assert res.headers["Content-Type"] == "audio/wav"
        assert res.read(4) == b"RIFF"


def test_the_files_tab_lists_the_run_files(server: Server, media_url: str, page: Page) -> None:
    (run,) = api(server, "/runs")["runs"]
    files = api(server, f"/runs/{run['id']}/files")["files"]
    assert any(f["path"].endswith(".table.json") for f in files)
    page.goto(f"{media_url}/runs/{run['id']}")
    page.get_by_test_id("tab-files").click()
    listed = page.get_by_test_id("run-file")
    expect(listed).to_have_count(len(files))
    table_file = next(f["path"] for f in files if f["path"].endswith(".table.json"))
    link = page.locator(f'[data-testid="run-file"][data-path="{table_file}"] a')
    expect(link).to_have_attribute(
        "href",
        f"api/v1/projects/local/media/runs/{run['id']}/files/"
        + "/".join(urllib.parse.quote(p, safe="") for p in table_file.split("/")),
    )
    screenshot(page, "media-files-tab")
