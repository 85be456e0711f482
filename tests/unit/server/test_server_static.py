"""The dashboard's files at /, the index.html fallback, the not-built page, and gzip."""

from __future__ import annotations

from pathlib import Path

from server_helpers import ENTITY, PROJECT, AppClient, log_run

from trackboard.store.sqlite import SqliteStore


def test_without_a_bundle_a_page_says_how_to_build_it(client: AppClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    assert "not built" in answer.text
    assert "npm" in answer.text


def test_bundle_files_are_served_and_unknown_paths_get_index(
    client: AppClient, static_dir: Path
) -> None:
    (static_dir / "index.html").write_text("<!doctype html><title>dash</title>")
    (static_dir / "assets").mkdir()
    (static_dir / "assets" / "app.js").write_text("console.log(1)")
    assert "<title>dash</title>" in client.get("/").text
    assert client.get("/assets/app.js").text == "console.log(1)"
    deep = client.get("/projects/local/p/runs/abc")
    assert deep.status_code == 200
    assert "<title>dash</title>" in deep.text


def test_paths_outside_the_bundle_are_not_served(
    client: AppClient, static_dir: Path, tmp_path: Path
) -> None:
    (static_dir / "index.html").write_text("index")
    (tmp_path / "secret.txt").write_text("secret")
    answer = client.get("/%2e%2e/secret.txt")
    assert "secret" not in answer.text


def test_openapi_document_is_served(client: AppClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/projects" in paths
    assert "/api/v1/projects/{entity}/{project}/series" in paths


def test_large_json_is_gzipped_but_series_never(store: SqliteStore, client: AppClient) -> None:
    for i in range(30):
        log_run(store, f"run{i}", [{"loss": float(s)} for s in range(200)], config={"i": i})
    base = f"/api/v1/projects/{ENTITY}/{PROJECT}"
    gzip = {"accept-encoding": "gzip"}
    runs = client.get(f"{base}/runs", headers=gzip)
    assert runs.headers.get("content-encoding") == "gzip"
    series = client.get(f"{base}/series", params={"key": "loss"}, headers=gzip)
    assert series.status_code == 200
    assert len(series.content) > 1024
    assert "content-encoding" not in series.headers
