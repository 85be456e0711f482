"""Online mode for real: a ``trackboard server`` subprocess, training subprocesses, ``sync``.

The server runs on SQLite with a media folder and no keys; training scripts find it through
``TRACKBOARD_BASE_URL``. What the server stores is compared with what was logged, value for
value, after the server was killed mid-stream, or was down for the whole run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from team_faultkit import ServerProcess, free_port, wait_until

from trackboard.store.sqlite import SqliteStore
from trackboard.sync.http import ServerClient

STEPS = 2000
KEYS = 5

TRAIN = """
import os, pathlib, sys, time
import numpy as np
import trackboard

gate = os.environ.get("GATE")
run = trackboard.init(project="p", id=sys.argv[1])
for step in range({steps}):
    if gate and step == {steps} // 2:
        pathlib.Path(gate + ".half").touch()
        while not pathlib.Path(gate).exists():
            time.sleep(0.01)
    trackboard.log({{f"k{{k}}": step / 7 + k for k in range({keys})}})
trackboard.log({{"img": trackboard.Image(np.arange(48, dtype=np.uint8).reshape(4, 4, 3))}})
if gate:
    pathlib.Path(gate + ".logged").touch()
run.finish()
"""


def _expected(key: int) -> list[float]:
    return [step / 7 + key for step in range(STEPS)]


@pytest.fixture
def server(root: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    media = tmp_path / "media"
    proc = ServerProcess(str(tmp_path / "server.db"), tmp_path, args=["--media", str(media)])
    yield proc
    proc.kill()


def _train(
    root: Path, url: str, run_id: str, extra: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    script = root.parent / "train.py"
    script.write_text(textwrap.dedent(TRAIN.format(steps=STEPS, keys=KEYS)))
    env = {**os.environ, "TRACKBOARD_BASE_URL": url, **(extra or {})}
    with (root.parent / f"{run_id}.err").open("w") as err:
        return subprocess.Popen(
            [sys.executable, str(script), run_id],
            cwd=root.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )


def _finished(proc: subprocess.Popen[str], root: Path, run_id: str) -> str:
    """Wait for the training process; its stderr."""
    assert proc.wait(timeout=120) == 0, _stderr(root, run_id)
    return _stderr(root, run_id)


def _stderr(root: Path, run_id: str) -> str:
    return (root.parent / f"{run_id}.err").read_text()


def _sync(root: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKBOARD_BASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "trackboard.cli", "sync", *args],
        cwd=root.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _check_stored(tmp_path: Path, run_id: str) -> dict[str, int]:
    """Every logged value stored once, the image's file kept; the sessions' cursors."""
    store = SqliteStore(tmp_path / "server.db")
    try:
        run = store.run("local", "p", run_id)
        assert run.state == "finished"
        for key in range(KEYS):
            columns = store.series(run.pk, f"k{key}")
            assert list(columns.steps) == list(range(STEPS))
            assert [float(v) for v in columns.values] == _expected(key)
        ((step, name, image),) = store.history_values(run.pk, ["img"])
        assert (step, name) == (STEPS, "img")
        stored = tmp_path / "media" / "local" / "p" / run_id / "files" / image["path"]
        assert stored.stat().st_size == image["size"]
        return store.sessions("local", "p", run_id)
    finally:
        store.close()


def test_a_training_run_streams_every_value_to_the_server(
    root: Path, tmp_path: Path, server: ServerProcess
) -> None:
    server.start()
    proc = _train(root, server.url, "run1")
    err = _finished(proc, root, "run1")
    assert "not uploaded" not in err and "retrying" not in err
    server.stop()
    sessions = _check_stored(tmp_path, "run1")
    assert len(sessions) == 1


def test_a_server_killed_mid_stream_and_restarted_stores_everything_once(
    root: Path, tmp_path: Path, server: ServerProcess
) -> None:
    server.start()
    gate = tmp_path / "gate"
    proc = _train(root, server.url, "run2", {"GATE": str(gate)})
    client = ServerClient(server.url)

    def half_uploaded() -> bool:
        if not Path(str(gate) + ".half").exists():
            return False
        reply = client.request("GET", "/api/v1/projects/local/p/runs/run2/sessions").json()
        return any(cursor >= STEPS // 4 for cursor in reply["sessions"].values())

    wait_until(half_uploaded, 60, "half of the run uploaded")
    server.kill()
    gate.touch()
    wait_until(lambda: Path(str(gate) + ".logged").exists(), 60, "the rest logged")
    wait_until(lambda: "retrying" in _stderr(root, "run2"), 60, "the uploader meets the outage")
    server.start()
    err = _finished(proc, root, "run2")
    assert "not uploaded" not in err
    server.stop()
    _check_stored(tmp_path, "run2")


def test_training_with_the_server_down_finishes_and_sync_uploads_it_once(
    root: Path, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _train(root, url, "run3", {"TRACKBOARD_UPLOAD_TIMEOUT": "1"})
    err = _finished(proc, root, "run3")
    assert "1 files are not uploaded" in err and "trackboard sync" in err

    server = ServerProcess(
        str(tmp_path / "server.db"), tmp_path, port=port, args=["--media", str(tmp_path / "media")]
    )
    server.start()
    try:
        first = _sync(root, url)
        assert first.returncode == 0, first.stderr
        assert "1 of 1 runs uploaded" in first.stderr
        again = _sync(root, url)  # nothing left to do: the run is known to be uploaded
        assert again.returncode == 0 and "0 of 0 runs uploaded" in again.stderr
        forced = _sync(root, url, "--include-synced", str(root))
        assert forced.returncode == 0 and "1 of 1 runs uploaded" in forced.stderr
    finally:
        server.stop()
    sessions = _check_stored(tmp_path, "run3")
    assert len(sessions) == 1


CLEAN_RUNS = """
import trackboard
for run_id, text in (("small", "x"), ("huge", "x" * 50_000)):
    run = trackboard.init(project="p", id=run_id, mode="offline", reinit="create_new")
    run.log({"a": 1, "text": text})
    run.finish()
"""


def test_sync_clean_deletes_only_runs_the_server_has_all_of(
    root: Path, tmp_path: Path, server: ServerProcess
) -> None:
    from tests.conftest import run_script

    server.args += ["--max-request-mb", "0.02"]
    server.start()
    run_script(CLEAN_RUNS, root.parent)
    small, huge = root / "local" / "p" / "small", root / "local" / "p" / "huge"

    asked = _sync(root, server.url, "--clean")  # no terminal to ask on, and no --yes
    assert asked.returncode == 1
    assert "pass --yes" in asked.stderr and small.is_dir() and huge.is_dir()

    cleaned = _sync(root, server.url, "--clean", "--yes", str(small), str(huge))
    assert cleaned.returncode == 1
    assert "local/p/huge" in cleaned.stderr and "over the server's limit" in cleaned.stderr
    assert not small.exists()
    assert (huge / "run.log").is_file()
