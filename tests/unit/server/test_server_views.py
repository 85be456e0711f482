"""Saved workspace views over HTTP: save, list, open, rename, default, delete, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from server_helpers import ENTITY, PROJECT, AppClient

from trackboard.server import create_app
from trackboard.server.routes.workspaces import MAX_BODY_BYTES
from trackboard.settings import Settings
from trackboard.store.base import MAX_VIEW_BYTES
from trackboard.store.sqlite import SqliteStore

VIEWS = f"/api/v1/projects/{ENTITY}/{PROJECT}/views"
SETTINGS = {"smoothing": {"kind": "ema", "weight": 0.8}, "hidden": {"run0": True}}


def put(client: AppClient, name: str, body: Any, **kwargs: Any) -> httpx.Response:
    return client.request("PUT", f"{VIEWS}/{name}", json=body, **kwargs)


def test_saved_view_is_listed_and_opens_with_its_settings(client: AppClient) -> None:
    saved = put(client, "loss", {"settings": SETTINGS})
    assert saved.status_code == 200
    assert saved.json()["settings"] == SETTINGS
    listed = client.get(VIEWS).json()
    assert listed["default"] is None
    assert [v["name"] for v in listed["views"]] == ["loss"]
    assert "settings" not in listed["views"][0]
    opened = client.get(f"{VIEWS}/loss").json()
    assert (opened["name"], opened["settings"], opened["default"]) == ("loss", SETTINGS, False)


def test_saving_again_updates_the_settings(client: AppClient) -> None:
    put(client, "v", {"settings": {"a": 1}})
    assert put(client, "v", {"settings": {"a": 2}}).json()["settings"] == {"a": 2}
    assert client.get(f"{VIEWS}/v").json()["settings"] == {"a": 2}


def test_default_view_is_named_in_the_list(client: AppClient) -> None:
    put(client, "a", {"settings": {}, "default": True})
    put(client, "b", {"settings": {}})
    assert client.get(VIEWS).json()["default"] == "a"
    answer = client.patch(f"{VIEWS}/b", json={"default": True})
    assert answer.json()["default"] is True
    assert client.get(VIEWS).json()["default"] == "b"


def test_rename_moves_the_view(client: AppClient) -> None:
    put(client, "old", {"settings": SETTINGS})
    answer = client.patch(f"{VIEWS}/old", json={"name": "new name"})
    assert answer.status_code == 200
    assert answer.json()["name"] == "new name"
    assert client.get(f"{VIEWS}/old").status_code == 404
    assert client.get(f"{VIEWS}/new name").json()["settings"] == SETTINGS


def test_rename_onto_an_existing_view_is_409(client: AppClient) -> None:
    put(client, "a", {"settings": {}})
    put(client, "b", {"settings": {}})
    answer = client.patch(f"{VIEWS}/a", json={"name": "b"})
    assert answer.status_code == 409
    assert "already exists" in answer.json()["error"]["message"]


def test_delete_removes_the_view(client: AppClient) -> None:
    put(client, "v", {"settings": {}})
    assert client.delete(f"{VIEWS}/v").status_code == 204
    assert client.get(VIEWS).json()["views"] == []
    missing = client.delete(f"{VIEWS}/v")
    assert missing.status_code == 404
    assert "no saved view 'v'" in missing.json()["error"]["message"]


def test_view_names_may_hold_a_slash(client: AppClient) -> None:
    assert put(client, "a%2Fb", {"settings": {"x": 1}}).status_code == 200
    assert [v["name"] for v in client.get(VIEWS).json()["views"]] == ["a/b"]
    assert client.get(f"{VIEWS}/a%2Fb").json()["settings"] == {"x": 1}


def test_settings_over_the_limit_are_refused(client: AppClient) -> None:
    big = put(client, "v", {"settings": {"x": "y" * (MAX_BODY_BYTES + 10)}})
    assert big.status_code == 413
    assert big.json()["error"]["type"] == "PayloadTooLarge"
    just_over = put(client, "v", {"settings": {"x": "y" * MAX_VIEW_BYTES}})
    assert just_over.status_code == 400
    assert f"the limit is {MAX_VIEW_BYTES}" in just_over.json()["error"]["message"]
    assert client.get(VIEWS).json()["views"] == []


def test_malformed_bodies_get_400_naming_the_problem(client: AppClient) -> None:
    cases: list[tuple[str, str, Any, str]] = [
        ("PUT", "v", {"settings": [1]}, "settings must be a JSON object"),
        ("PUT", "v", {"setting": {}}, '{"settings": {...}}'),
        ("PUT", "v", {"settings": {}, "default": "yes"}, "default must be true or false"),
        ("PATCH", "v", {"colour": "red"}, "unknown field(s) colour"),
    ]
    put(client, "v", {"settings": {}})
    for method, name, body, message in cases:
        answer = client.request(method, f"{VIEWS}/{name}", json=body)
        assert answer.status_code == 400, body
        assert message in answer.json()["error"]["message"]
    not_json = client.request("PUT", f"{VIEWS}/v", content=b"{nope")
    assert not_json.status_code == 400
    assert "not JSON" in not_json.json()["error"]["message"]


def test_cross_origin_view_writes_are_refused(store: SqliteStore, tmp_path: Path) -> None:
    settings = Settings(root=tmp_path / "root")
    client = AppClient(create_app(store, settings, allowed_hosts=("testserver",)))
    answer = put(client, "v", {"settings": {}}, headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403
    assert client.delete(f"{VIEWS}/v", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.get(VIEWS).json()["views"] == []
