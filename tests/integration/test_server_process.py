"""``trackboard ui`` for real: a subprocess on a free port, following the root live."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_process import serving
from tests.conftest import run_script

LOG_RUN = """
import trackboard
run = trackboard.init(project="live", id={run_id!r}, name={run_id!r})
for step in range(5):
    trackboard.log({{"loss": 1.0 / (step + 1)}})
trackboard.finish()
"""


def log_run(root: Path, run_id: str) -> None:
    run_script(LOG_RUN.format(run_id=run_id), root.parent)


@pytest.fixture
def ui_server(root: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    log_run(root, "first")
    with serving(root.parent, "ui", "--port", "0", "--no-browser") as served:
        yield served.proc, served.url


def _wait_for(check: object, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not true within {timeout} s")


@pytest.mark.slow
def test_ui_serves_the_root_and_follows_new_runs(
    root: Path, ui_server: tuple[subprocess.Popen[str], str]
) -> None:
    proc, url = ui_server
    api = f"{url}/api/v1"
    with httpx.Client(timeout=10) as http:

        def has_first() -> bool:
            projects = http.get(f"{api}/projects").json()["projects"]
            return [p["name"] for p in projects] == ["live"]

        _wait_for(has_first, 10)
        first = http.get(f"{api}/projects/local/live/changes", params={"since": 0}).json()
        assert [r["id"] for r in first["runs"]] == ["first"]
        cursor = first["cursor"]

        log_run(root, "second")

        def has_second() -> bool:
            answer = http.get(f"{api}/projects/local/live/changes", params={"since": cursor})
            return "second" in {r["id"] for r in answer.json()["runs"]}

        _wait_for(has_second, 3.0)
        run = http.get(f"{api}/projects/local/live/runs/second").json()
        assert run["state"] == "finished"
        assert run["last_step"] == 4

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0


@pytest.mark.slow
def test_ui_stops_cleanly_on_sigint(ui_server: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = ui_server
    assert httpx.get(f"{url}/api/v1/projects", timeout=10).status_code == 200
    proc.send_signal(signal.SIGINT)
    assert proc.wait(15) == 0


@pytest.mark.slow
def test_server_command_serves_a_store_and_follows_a_root(root: Path, tmp_path: Path) -> None:
    log_run(root, "first")
    db = tmp_path / "team.db"
    command = ("server", "--db", str(db), "--root", str(root), "--port", "0", "--no-auth")
    with serving(root.parent, *command) as served:
        proc, url = served.proc, served.url
        with httpx.Client(timeout=10) as http:

            def has_run() -> bool:
                answer = http.get(f"{url}/api/v1/projects/local/live/runs").json()
                return [r["id"] for r in answer["runs"]] == ["first"]

            _wait_for(has_run, 10)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    assert db.is_file()


def test_ui_on_a_taken_port_is_a_clear_error(root: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "trackboard.cli", "ui", "--port", str(port), "--no-browser"],
            cwd=root.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 2
    assert "cannot listen" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_long_url_arriving_in_pieces_is_served(
    root: Path, ui_server: tuple[subprocess.Popen[str], str]
) -> None:
    """A chart over 10,000 runs names them in its URL (~90 KB); it must not be a 400 when the
    request line reaches the server in several reads."""
    _, url = ui_server
    with httpx.Client(timeout=10) as http:
        _wait_for(lambda: bool(http.get(f"{url}/api/v1/projects").json()["projects"]), 10)
    ids = ",".join(["first"] * 10_000)
    head = (
        f"GET /api/v1/projects/local/live/keys?runs={ids} HTTP/1.1\r\n"
        f"Host: {url.removeprefix('http://')}\r\nConnection: close\r\n\r\n"
    ).encode()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        for start in range(0, len(head), 8192):
            sock.sendall(head[start : start + 8192])
            time.sleep(0.005)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"name":"loss"' in answer
