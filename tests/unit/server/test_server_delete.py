"""Deleting a run over HTTP: from the store and, under a followed root, its folder."""

from __future__ import annotations

from pathlib import Path

from server_helpers import ENTITY, PROJECT, AppClient, log_run

from trackboard.ingest.follow import RUN_LOG_NAME, run_folder
from trackboard.records import Exit, HistoryRow, Record, RunStart
from trackboard.runlog.codec import encode
from trackboard.runlog.frames import FILE_HEADER, build_frame
from trackboard.server import create_app
from trackboard.settings import Settings
from trackboard.store.sqlite import SqliteStore

RUNS = f"/api/v1/projects/{ENTITY}/{PROJECT}/runs"


def write_run_log(root: Path, run_id: str) -> Path:
    """A finished run's log at ``<root>/<entity>/<project>/<run_id>/run.log``."""
    records: list[Record] = [
        RunStart(
            seq=0, session="s1", run_id=run_id, entity=ENTITY, project=PROJECT, start_time=1e9
        ),
        HistoryRow(seq=1, step=0, timestamp=1e9, runtime=0.0, values={"loss": 1.0}),
        Exit(seq=2, time=1e9 + 1, runtime=1.0, exit_code=0, state="finished"),
    ]
    folder = root / ENTITY / PROJECT / run_id
    folder.mkdir(parents=True)
    (folder / "files").mkdir()
    (folder / "files" / "model.txt").write_text("weights")
    (folder / RUN_LOG_NAME).write_bytes(
        FILE_HEADER + b"".join(build_frame(encode(r)) for r in records)
    )
    return folder


def followed_app(store: SqliteStore, tmp_path: Path) -> tuple[AppClient, Path]:
    root = tmp_path / "root"
    root.mkdir()
    app = create_app(store, Settings(root=root), root=root)
    return AppClient(app), root


def ids(client: AppClient) -> list[str]:
    return [r["id"] for r in client.get(RUNS).json()["runs"]]


def test_delete_removes_the_run_and_its_folder(store: SqliteStore, tmp_path: Path) -> None:
    client, root = followed_app(store, tmp_path)
    folders = [write_run_log(root, run_id) for run_id in ("run0", "run1")]
    live = client.app.state.live
    assert live.follower.poll().records == 6
    assert ids(client) == ["run0", "run1"]

    answer = client.delete(f"{RUNS}/run0")
    assert answer.status_code == 204
    assert ids(client) == ["run1"]
    assert client.get(f"{RUNS}/run0").status_code == 404
    assert not folders[0].exists()
    assert folders[1].is_dir()
    # The follower does not bring it back.
    live.follower.poll()
    assert ids(client) == ["run1"]
    changes = client.get(f"/api/v1/projects/{ENTITY}/{PROJECT}/changes?since=0").json()
    assert [r["id"] for r in changes["runs"]] == ["run1"]


def test_delete_without_a_root_only_touches_the_store(store: SqliteStore, tmp_path: Path) -> None:
    root = tmp_path / "root"
    write_run_log(root, "run0")
    log_run(store, "run0")
    client = AppClient(create_app(store, Settings(root=root)))
    assert client.delete(f"{RUNS}/run0").status_code == 204
    assert ids(client) == []
    assert (root / ENTITY / PROJECT / "run0" / RUN_LOG_NAME).is_file()


def test_delete_of_an_unknown_run_is_404(store: SqliteStore, tmp_path: Path) -> None:
    client, _ = followed_app(store, tmp_path)
    answer = client.delete(f"{RUNS}/nope")
    assert answer.status_code == 404
    assert answer.json()["error"]["type"] == "NotFoundError"


def test_cross_origin_delete_is_refused(store: SqliteStore, tmp_path: Path) -> None:
    client, root = followed_app(store, tmp_path)
    folder = write_run_log(root, "run0")
    client.app.state.live.follower.poll()
    evil = client.delete(f"{RUNS}/run0", headers={"origin": "http://evil.example"})
    assert evil.status_code == 403
    assert evil.json()["error"]["type"] == "Forbidden"
    assert ids(client) == ["run0"]
    assert folder.is_dir()
    same = client.delete(f"{RUNS}/run0", headers={"origin": "http://testserver"})
    assert same.status_code == 204
    assert ids(client) == []


def test_ui_refuses_deletes_from_a_foreign_host(store: SqliteStore, tmp_path: Path) -> None:
    root = tmp_path / "root"
    folder = write_run_log(root, "run0")
    app = create_app(store, Settings(root=root), root=root, allowed_hosts=("testserver",))
    client = AppClient(app)
    app.state.live.follower.poll()
    rebound = client.delete(f"{RUNS}/run0", headers={"host": "evil.example"})
    assert rebound.status_code == 403
    assert folder.is_dir()


def test_run_folder_stays_under_the_root(tmp_path: Path) -> None:
    assert run_folder(tmp_path, "local", "proj", "abc") == tmp_path / "local" / "proj" / "abc"
    for parts in [
        ("..", "proj", "abc"),
        ("local", ".", "abc"),
        ("local", "proj", ""),
        ("a\\b", "p", "r"),
    ]:
        assert run_folder(tmp_path, *parts) is None
