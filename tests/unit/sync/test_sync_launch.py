"""``init`` in online mode: an uploader beside the writer, drained by ``finish``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sync_helpers import LiveServer
from tests.conftest import run_script

import trackboard
from trackboard.sync.login import login

QUIET = {"x_disable_stats": True, "console": "off"}


def test_an_offline_run_never_loads_the_upload_client(root: Path) -> None:
    run_script(
        """
        import sys
        import trackboard
        run = trackboard.init(project="p")
        run.log({"a": 1})
        run.finish()
        loaded = sorted(m for m in sys.modules if m.startswith("trackboard.sync"))
        assert not loaded, loaded
        """,
        root.parent,
    )


def test_finish_returns_with_every_record_on_the_server(
    root: Path, live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKBOARD_BASE_URL", live.url)
    run = trackboard.init(project="p", settings=QUIET)
    assert run.settings.mode == "online"
    for step in range(100):
        run.log({"acc": step / 100})
    run.finish()
    pk = live.store.run("local", "p", run.id).pk
    assert list(live.store.series(pk, "acc").values) == [step / 100 for step in range(100)]
    assert live.store.run("local", "p", run.id).state == "finished"


def test_a_logged_in_users_runs_go_under_their_entity(
    root: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(auth=True)
    server.store.add_user("alice")
    key, _row = server.store.create_key("alice")
    login(server.url, key)  # the root fixture points TRACKBOARD_CONFIG_DIR at this test
    run = trackboard.init(project="p", settings=QUIET)
    run.log({"a": 1})
    run.finish()
    assert run.entity == "local"  # the local folder keeps the default entity
    assert server.store.run("alice", "p", run.id).state == "finished"


def test_a_malformed_server_url_warns_and_the_run_stays_local(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKBOARD_BASE_URL", "tracker.example.com:8080")
    run = trackboard.init(project="p", settings=QUIET)
    run.log({"a": 1})
    run.finish()
    err = capsys.readouterr().err
    assert "must be http:// or https://" in err and "recorded locally only" in err
    assert (Path(run.dir).parent / "run.log").stat().st_size > 0


def test_finish_waits_no_longer_than_upload_timeout_and_says_how_to_sync(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKBOARD_BASE_URL", "http://127.0.0.1:9")
    run = trackboard.init(project="p", settings={**QUIET, "upload_timeout": 0.2})
    run.log({"a": 1})
    run.finish()
    err = capsys.readouterr().err
    folder = Path(run.dir).parent
    assert "records and 0 files are not uploaded" in err
    assert f"trackboard sync {folder}" in err
