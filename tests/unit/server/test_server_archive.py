"""Archiving runs and projects, and deleting a project, over HTTP."""

from __future__ import annotations

from pathlib import Path

from server_helpers import ENTITY, PROJECT, AppClient, log_run
from test_server_delete import followed_app, write_run_log

from trackboard.store.sqlite import SqliteStore

PROJECTS = "/api/v1/projects"
RUNS = f"{PROJECTS}/{ENTITY}/{PROJECT}/runs"


def test_archiving_a_run_is_reported_with_it(client: AppClient, store: SqliteStore) -> None:
    log_run(store, "run0")
    log_run(store, "run1")
    answer = client.patch(f"{RUNS}/run0", json={"archived": True})
    assert answer.status_code == 200
    assert answer.json()["archived"] is True
    listed = {r["id"]: r["archived"] for r in client.get(RUNS).json()["runs"]}
    assert listed == {"run0": True, "run1": False}
    changed = client.get(f"{PROJECTS}/{ENTITY}/{PROJECT}/changes?since=0").json()["runs"]
    assert {r["id"]: r["archived"] for r in changed}["run0"] is True
    assert client.patch(f"{RUNS}/run0", json={"archived": False}).json()["archived"] is False


def test_archived_must_be_a_bool(client: AppClient, store: SqliteStore) -> None:
    log_run(store, "run0")
    answer = client.patch(f"{RUNS}/run0", json={"archived": "yes"})
    assert answer.status_code == 400
    assert "archived must be true or false" in answer.json()["error"]["message"]


def test_archiving_a_project(client: AppClient, store: SqliteStore) -> None:
    log_run(store, "run0")
    log_run(store, "run0", project="other")
    answer = client.patch(f"{PROJECTS}/{ENTITY}/{PROJECT}", json={"archived": True})
    assert answer.status_code == 200
    assert (answer.json()["name"], answer.json()["archived"]) == (PROJECT, True)
    listed = {p["name"]: p["archived"] for p in client.get(PROJECTS).json()["projects"]}
    assert listed == {PROJECT: True, "other": False}


def test_project_edits_are_checked(client: AppClient, store: SqliteStore) -> None:
    log_run(store, "run0")
    for body in ({"archived": 1}, {"name": "x"}, [True]):
        answer = client.patch(f"{PROJECTS}/{ENTITY}/{PROJECT}", json=body)
        assert answer.status_code == 400, body
        assert "archived" in answer.json()["error"]["message"]
    missing = client.patch(f"{PROJECTS}/{ENTITY}/nope", json={"archived": True})
    assert missing.status_code == 404


def test_delete_project_removes_runs_views_and_folders(store: SqliteStore, tmp_path: Path) -> None:
    client, root = followed_app(store, tmp_path)
    folders = [write_run_log(root, run_id) for run_id in ("run0", "run1")]
    live = client.app.state.live
    live.follower.poll()
    log_run(store, "kept", project="other")
    client.request("PUT", f"{PROJECTS}/{ENTITY}/{PROJECT}/views/v", json={"settings": {}})

    assert client.delete(f"{PROJECTS}/{ENTITY}/{PROJECT}").status_code == 204
    assert [p["name"] for p in client.get(PROJECTS).json()["projects"]] == ["other"]
    assert client.get(RUNS).json()["runs"] == []
    assert client.get(f"{PROJECTS}/{ENTITY}/{PROJECT}/views").json()["views"] == []
    assert not any(folder.exists() for folder in folders)
    assert not (root / ENTITY / PROJECT).exists()
    live.follower.poll()  # the follower does not bring it back
    assert [p["name"] for p in client.get(PROJECTS).json()["projects"]] == ["other"]


def test_delete_of_an_unknown_project_is_404(client: AppClient) -> None:
    answer = client.delete(f"{PROJECTS}/{ENTITY}/nope")
    assert answer.status_code == 404
    assert "no project" in answer.json()["error"]["message"]


def test_cross_origin_project_delete_is_refused(client: AppClient, store: SqliteStore) -> None:
    log_run(store, "run0")
    answer = client.delete(
        f"{PROJECTS}/{ENTITY}/{PROJECT}", headers={"Origin": "http://evil.example"}
    )
    assert answer.status_code == 403
    assert len(client.get(RUNS).json()["runs"]) == 1
