"""``trackboard users/keys`` and ``trackboard server`` with keys, for real: subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from cli_process import serving
from tests.integration.test_server_process import _wait_for, log_run


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "trackboard.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_server_needs_a_key_and_stops_taking_a_revoked_one(root: Path, tmp_path: Path) -> None:
    log_run(root, "first")
    db = str(tmp_path / "team.db")
    assert "added user local" in cli("users", "add", "local", "--db", db).stdout
    cli("users", "add", "other", "--db", db)
    refused = cli("users", "add", "other", "--db", db, check=False)
    assert refused.returncode == 2 and "'other' is already the name of a user" in refused.stderr
    made = cli("keys", "create", "local", "--description", "laptop", "--db", db)
    key = made.stdout.strip()
    assert key.startswith("tb_") and "cannot be shown again" in made.stderr
    listed = cli("keys", "list", "local", "--db", db).stdout
    key_id = key[3:11]
    assert key_id in listed and "laptop" in listed and key not in listed
    half = cli("teams", "add", "vision", "--member", "local", "ghost", "--db", db, check=False)
    assert half.returncode == 2 and "no user 'ghost'" in half.stderr
    cli("teams", "add", "vision", "--member", "local", "--db", db)
    users = cli("users", "list", "--db", db).stdout.splitlines()
    assert [line.split("\t")[0] for line in users] == ["local", "other"]

    args = ("server", "--db", db, "--root", str(root), "--port", "0")
    with serving(root.parent, *args) as served:
        proc, url = served.proc, served.url
        api = f"{url}/api/v1"
        with httpx.Client(timeout=10) as http:
            bare = http.get(f"{api}/projects")
            assert bare.status_code == 401 and bare.headers["www-authenticate"] == "Bearer"
            assert http.get(f"{api}/health").json() == {"status": "ok"}
            signed = {"Authorization": f"Bearer {key}"}

            def has_run() -> bool:
                answer = http.get(f"{api}/projects/local/live/runs", headers=signed)
                return answer.status_code == 200 and [r["id"] for r in answer.json()["runs"]] == [
                    "first"
                ]

            _wait_for(has_run, 10)
            me = http.get(f"{api}/me", headers=signed).json()
            assert me == {
                "user": "local",
                "entities": ["local", "vision"],  # the team exists once, made on the retry
                "admin": False,
                "auth": True,
            }
            revoked = cli("keys", "revoke", key_id, "--db", db).stdout
            assert f"key {key_id} of local is revoked" in revoked
            assert http.get(f"{api}/projects", headers=signed).status_code == 401
            assert http.get(f"{api}/projects?api_key={key}").status_code == 400
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    row = cli("keys", "list", "local", "--db", db).stdout.splitlines()[1].split("\t")
    assert row[0] == key_id and row[3] != "-"  # the revoked column has a time


def test_no_auth_beyond_loopback_warns(tmp_path: Path) -> None:
    db = str(tmp_path / "open.db")
    command = ["server", "--db", db, "--host", "0.0.0.0", "--port", "0", "--no-auth"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "trackboard.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert proc.stdout is not None
        seen = [proc.stdout.readline(), proc.stdout.readline()]
        assert "with --no-auth; anyone who can reach it can read and edit runs" in seen[0]
        port = seen[1].rsplit(":", 1)[-1].strip()
        answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/projects", timeout=10)
        assert answer.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
