"""The media routes: run files (strict paths, headers), thumbnails, media by step,
histograms over time, table pages, and the media type of each key."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image
from server_helpers import ENTITY, PROJECT, AppClient, log_run

from trackboard.store.sqlite import SqliteStore

BASE = f"/api/v1/projects/{ENTITY}/{PROJECT}"
HASH = "0123456789abcdef0123"


def files_dir(tmp_path: Path, run_id: str) -> Path:
    path = tmp_path / "root" / ENTITY / PROJECT / run_id / "files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_png(path: Path, size: tuple[int, int] = (40, 20)) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (0, 128, 255)).save(path)
    return {"_type": "image-file", "path": "", "format": "png", "width": size[0], "height": size[1]}


def image_run(store: SqliteStore, tmp_path: Path, run_id: str = "r1") -> list[str]:
    """A run logging an image with a caption at steps 0, 10 and 20; the image paths."""
    base = files_dir(tmp_path, run_id)
    rows, paths = [], []
    for step in (0, 10, 20):
        rel = f"media/images/pred_{step}_{HASH}.png"
        ref = write_png(base / rel) | {"path": rel, "caption": f"Pred: {step} Truth: 1"}
        rows.append({"_step": step, "pred": ref, "loss": 1.0})
        paths.append(rel)
    log_run(store, run_id, rows)
    return paths


def test_keys_carry_the_media_type(client: AppClient, store: SqliteStore, tmp_path: Path) -> None:
    image_run(store, tmp_path)
    keys = {k["name"]: k for k in client.get(f"{BASE}/keys").json()["keys"]}
    assert keys["pred"]["media"] == "image-file"
    assert keys["loss"]["media"] is None


def test_run_files_lists_the_files_folder(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    paths = image_run(store, tmp_path)
    (files_dir(tmp_path, "r1") / "config.yaml").write_text("a: 1\n")
    res = client.get(f"{BASE}/runs/r1/files")
    assert res.status_code == 200
    listed = [f["path"] for f in res.json()["files"]]
    assert listed == ["config.yaml", *paths]
    assert all(f["size"] > 0 for f in res.json()["files"])


def test_run_file_is_served_with_type_nosniff_and_long_cache(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    paths = image_run(store, tmp_path)
    res = client.get(f"{BASE}/runs/r1/files/{paths[0]}")
    assert res.status_code == 200
    assert res.headers["content-type"] == "image/png"
    assert res.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in res.headers["cache-control"]
    assert res.content.startswith(b"\x89PNG")


def test_html_file_is_sandboxed(client: AppClient, store: SqliteStore, tmp_path: Path) -> None:
    log_run(store, "r1", [{"x": 1.0}])
    rel = f"media/html/page_0_{HASH}.html"
    (files_dir(tmp_path, "r1") / "media" / "html").mkdir(parents=True)
    (files_dir(tmp_path, "r1") / rel).write_text("<script>alert(1)</script>")
    res = client.get(f"{BASE}/runs/r1/files/{rel}")
    assert res.headers["content-type"].startswith("text/html")
    assert res.headers["content-security-policy"] == "sandbox"
    assert res.headers["x-content-type-options"] == "nosniff"


def test_run_file_refuses_paths_outside_the_files_folder(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    image_run(store, tmp_path)
    (tmp_path / "root" / ENTITY / PROJECT / "r1" / "run.log").write_bytes(b"log")
    for path in ("../run.log", "media/%2e%2e/%2e%2e/run.log", "%2Fetc%2Fpasswd", "nope.png"):
        res = client.get(f"{BASE}/runs/r1/files/{path}")
        assert res.status_code == 404, path
        assert res.headers["content-type"].startswith("application/json")


def test_run_files_of_an_unknown_run_are_404(client: AppClient) -> None:
    res = client.get(f"{BASE}/runs/nope/files")
    assert res.status_code == 404
    assert "nope" in res.json()["error"]["message"]


def test_thumbnail_is_a_small_png(client: AppClient, store: SqliteStore, tmp_path: Path) -> None:
    paths = image_run(store, tmp_path)
    res = client.get(f"{BASE}/runs/r1/thumbnails/{paths[1]}?size=20")
    assert res.status_code == 200
    assert res.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(res.content)) as img:
        assert img.size == (20, 10)
    bad = client.get(f"{BASE}/runs/r1/thumbnails/{paths[1]}?size=5000")
    assert bad.status_code == 400
    assert "size must be in" in bad.json()["error"]["message"]


def test_media_at_a_step_with_every_step(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    image_run(store, tmp_path)
    body = client.get(f"{BASE}/media", params={"key": "pred", "runs": "r1", "step": 15}).json()
    assert body["steps"] == [0, 10, 20]
    (run,) = body["runs"]
    assert run["step"] == 10
    assert run["items"][0]["caption"] == "Pred: 10 Truth: 1"
    assert run["items"][0]["kind"] == "image"
    last = client.get(f"{BASE}/media", params={"key": "pred"}).json()["runs"][0]
    assert last["step"] == 20


def test_histograms_route_rebins(client: AppClient, store: SqliteStore) -> None:
    hist = {"_type": "histogram", "values": [1, 3], "bins": [0.0, 1.0, 2.0]}
    log_run(store, "r1", [{"_step": s, "gradients/w": hist} for s in range(4)])
    res = client.get(f"{BASE}/histograms", params={"key": "gradients/w", "bins": 2})
    body = res.json()
    assert body["bins"] == [0.0, 1.0, 2.0]
    assert body["runs"][0]["steps"] == [0, 1, 2, 3]
    assert body["runs"][0]["counts"][0] == [1, 3]
    assert client.get(f"{BASE}/histograms", params={"key": "g", "bins": 0}).status_code == 400


def test_table_route_pages_sorts_and_filters(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    rel = f"media/table/preds_0_{HASH}.table.json"
    target = files_dir(tmp_path, "r1") / rel
    target.parent.mkdir(parents=True)
    data = [[f"row{i}", i % 7] for i in range(100)]
    target.write_text(json.dumps({"columns": ["name", "v"], "data": data}))
    ref = {"_type": "table-file", "ncols": 2, "nrows": 100, "path": rel}
    log_run(store, "r1", [{"preds": ref}])
    url = f"{BASE}/runs/r1/table"
    page = client.get(url, params={"path": rel, "offset": 10, "limit": 5}).json()
    assert page["total"] == 100 and [r["index"] for r in page["rows"]] == [10, 11, 12, 13, 14]
    top = client.get(url, params={"path": rel, "sort": "v", "desc": "true", "limit": 3}).json()
    assert [r["cells"][1] for r in top["rows"]] == [6, 6, 6]
    found = client.get(url, params={"path": rel, "filter": "row9"}).json()
    assert found["total"] == 11
    bad = client.get(url, params={"path": rel, "sort": "zz"})
    assert bad.status_code == 400 and "zz" in bad.json()["error"]["message"]
    outside = client.get(url, params={"path": "../run.log"})
    assert outside.status_code == 404
