"""Agents on other machines: a real ``trackboard server`` and agent processes over HTTP.

Each agent gets a root of its own (another machine) and ``TRACKBOARD_BASE_URL``; the sweep
and its claims live only in the server's store. Most jobs here record what they were given (run
id and arguments) in a shared folder instead of logging a run, so the claims are checked on
their own: exactly one job per grid point; the last test's jobs log runs online.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_process import serving
from tests.conftest import run_script

from trackboard.records import STOP_REASON_KEY
from trackboard.store import open_store
from trackboard.store.base import SweepClaim

JOB = """\
import json, os, sys
from pathlib import Path

run_id = os.environ["TRACKBOARD_RUN_ID"]
seen = {"run_id": run_id, "argv": sys.argv[1:], "sweep": os.environ["TRACKBOARD_SWEEP_ID"]}
(Path(os.environ["JOBS"]) / f"{run_id}.json").write_text(json.dumps(seen))
"""
GRID = {
    "program": "job.py",
    "method": "grid",
    "parameters": {"x": {"values": [1, 2, 3]}, "y": {"values": ["a", "b"]}},
}
POINTS = {(x, y) for x in (1, 2, 3) for y in ("a", "b")}


@contextmanager
def server(folder: Path, port: int = 0, *, auth: bool = False) -> Iterator[str]:
    """``trackboard server`` (``--no-auth`` unless ``auth``) on a SQLite file in ``folder``."""
    args = ["server", "--db", "server.db", "--port", str(port)] + ([] if auth else ["--no-auth"])
    with serving(folder, *args) as served:
        yield served.url


def machine(folder: Path, name: str, url: str | None) -> dict[str, str]:
    """The environment of an agent on a machine of its own: its root, the server's URL (None:
    the one ``trackboard login`` saved there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    home = folder / name
    home.mkdir(exist_ok=True)
    env.update(
        TRACKBOARD_DIR=str(home / "root"),
        TRACKBOARD_SILENT="true",
        TRACKBOARD_CONFIG_DIR=str(home / "config"),
        JOBS=str(folder / "jobs"),
    )
    if url is not None:
        env["TRACKBOARD_BASE_URL"] = url
    return env


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "trackboard.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def setup_sweep(folder: Path, url: str | None, entity: str = "local") -> str:
    """Write job.py and sweep.yaml; create the sweep on the server with ``trackboard sweep``."""
    (folder / "jobs").mkdir()
    (folder / "job.py").write_text(JOB)
    config = {**GRID, "command": [sys.executable, "${program}", "${args}"]}
    (folder / "sweep.yaml").write_text(json.dumps(config))
    proc = cli(machine(folder, "laptop", url), folder, "sweep", "-p", "p", "sweep.yaml")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    ((_, sweep_id),) = sweep_claims(folder, entity)
    return sweep_id


def sweep_claims(folder: Path, entity: str = "local") -> list[tuple[list[SweepClaim], str]]:
    """Each sweep of the server's project ``ENTITY/p``: its claims and id."""
    store = open_store(str(folder / "server.db"))
    try:
        return [
            (store.sweep_claims(entity, "p", s.sweep_id), s.sweep_id)
            for s in store.sweeps(entity, "p")
        ]
    finally:
        store.close()


def check_ran_each_point_once(folder: Path, sweep_id: str, entity: str = "local") -> None:
    ((claims, _),) = sweep_claims(folder, entity)
    assert [c.state for c in claims] == ["finished"] * 6
    assert {(c.params["x"], c.params["y"]) for c in claims} == POINTS
    jobs = [json.loads(p.read_text()) for p in (folder / "jobs").iterdir()]
    assert sorted(j["run_id"] for j in jobs) == sorted(c.run_id for c in claims)
    by_run = {c.run_id: c for c in claims}
    for job in jobs:
        params = by_run[job["run_id"]].params
        assert job["argv"] == [f"--x={params['x']}", f"--y={params['y']}"]
        assert job["sweep"] == sweep_id


def test_three_agents_on_other_machines_take_each_grid_point_once(tmp_path: Path) -> None:
    with server(tmp_path) as url:
        sweep_id = setup_sweep(tmp_path, url)
        agents = [
            cli(machine(tmp_path, f"box{i}", url), tmp_path, "agent", f"p/{sweep_id}")
            for i in range(3)
        ]
        for proc in agents:
            out, _ = proc.communicate(timeout=180)
            assert proc.returncode == 0, out
        check_ran_each_point_once(tmp_path, sweep_id)
        assert sum(1 for _ in (tmp_path / "jobs").iterdir()) == 6
        # Nothing of the sweep went into the machines' own stores.
        for i in range(3):
            local = tmp_path / f"box{i}" / "root" / "trackboard.db"
            if local.exists():
                store = open_store(str(local))
                try:
                    assert store.sweeps("local", "p") == []
                finally:
                    store.close()


def test_agent_waits_for_an_unreachable_server_and_then_finishes(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with server(tmp_path, port):
        sweep_id = setup_sweep(tmp_path, url)
    # The server is gone: the agent retries with backoff until it is back.
    agent = cli(machine(tmp_path, "box", url), tmp_path, "agent", f"p/{sweep_id}")
    time.sleep(2)
    assert agent.poll() is None
    with server(tmp_path, port):
        out, _ = agent.communicate(timeout=180)
        assert agent.returncode == 0, out
        assert "retrying in" in out
        check_ran_each_point_once(tmp_path, sweep_id)


def test_agents_send_their_key_and_work_in_the_signed_in_users_entity(tmp_path: Path) -> None:
    for args in (["users", "add", "alice"], ["keys", "create", "alice"]):
        made = subprocess.run(
            [sys.executable, "-m", "trackboard.cli", *args, "--db", "server.db"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    with server(tmp_path, auth=True) as url:
        keyless = cli(machine(tmp_path, "stranger", url), tmp_path, "agent", "alice/p/nope")
        out, _ = keyless.communicate(timeout=60)
        assert keyless.returncode != 0 and "401" in out, out
        for name in ("laptop", "box0", "box1"):
            login = cli(machine(tmp_path, name, None), tmp_path, "login", url, "--key", key)
            out, _ = login.communicate(timeout=60)
            assert login.returncode == 0, out
        # The default entity stands for alice's, as her runs' uploads do.
        sweep_id = setup_sweep(tmp_path, None, entity="alice")
        agents = [
            cli(machine(tmp_path, f"box{i}", None), tmp_path, "agent", f"p/{sweep_id}")
            for i in range(2)
        ]
        for proc in agents:
            out, _ = proc.communicate(timeout=180)
            assert proc.returncode == 0, out
        check_ran_each_point_once(tmp_path, sweep_id, "alice")


def test_bad_sweep_config_is_refused_and_creates_no_sweep(tmp_path: Path) -> None:
    with server(tmp_path) as url:
        (tmp_path / "sweep.yaml").write_text(json.dumps({"method": "grid"}))
        proc = cli(machine(tmp_path, "laptop", url), tmp_path, "sweep", "-p", "p", "sweep.yaml")
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode != 0
        assert "parameters" in out
        assert sweep_claims(tmp_path) == []


@pytest.mark.parametrize("state_flag", ["--pause", "--cancel"])
def test_sweep_state_flags_reach_the_server(tmp_path: Path, state_flag: str) -> None:
    with server(tmp_path) as url:
        sweep_id = setup_sweep(tmp_path, url)
        env = machine(tmp_path, "laptop", url)
        proc = cli(env, tmp_path, "sweep", "-p", "p", state_flag, sweep_id)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        store = open_store(str(tmp_path / "server.db"))
        try:
            state = store.sweep("local", "p", sweep_id).state
        finally:
            store.close()
        assert state == {"--pause": "paused", "--cancel": "cancelled"}[state_flag]


HYPERBAND_JOB = """
import json
import time
import trackboard as wandb

sweep = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
    "parameters": {"level": {"values": [1, 2, 10, 20]}},
}
sweep_id = wandb.sweep(sweep, project="p")

def train():
    run = wandb.init()
    for step in range(STEPS):
        wandb.log({"loss": float(run.config.level)})
        time.sleep(0.1)

wandb.agent(sweep_id, function=train, project="p", heartbeat_s=0.2)
print("SWEEP " + sweep_id)
"""
STEPS = 60


def test_function_mode_agent_uploads_runs_and_server_stops_bad_ones(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runs go to the server online; hyperband there stops the bad levels."""
    with server(root.parent) as url:
        monkeypatch.setenv("TRACKBOARD_BASE_URL", url)
        proc = run_script(HYPERBAND_JOB.replace("STEPS", str(STEPS)), root.parent, timeout=180)
        sweep_id = proc.stdout.split("SWEEP ", 1)[1].strip()
        store = open_store(str(root.parent / "server.db"))
        try:
            claims = store.sweep_claims("local", "p", sweep_id)
            runs = {c.params["level"]: store.run("local", "p", c.run_id) for c in claims}
            steps = {level: len(store.series(row.pk, "loss").values) for level, row in runs.items()}
        finally:
            store.close()
    assert [c.state for c in claims] == ["finished", "finished", "stopped", "stopped"]
    for level in (1, 2):
        assert runs[level].state == "finished" and steps[level] == STEPS
        assert STOP_REASON_KEY not in runs[level].summary
    for level in (10, 20):
        row = runs[level]
        assert row.state == "killed" and 2 <= steps[level] < STEPS, (level, steps)
        reason = row.summary[STOP_REASON_KEY]
        assert reason.startswith(f"Run: {row.run_id} Step: ") and reason.endswith("STOP")
