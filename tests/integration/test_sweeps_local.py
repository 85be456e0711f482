"""Local sweeps end to end: the CLI, agent processes, function mode, failures and states."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import run_script

import trackboard
from trackboard.store import open_store
from trackboard.store.base import SweepClaim

TRAIN = """\
import os, sys, time
from pathlib import Path
import trackboard as wandb

run = wandb.init(project="not-this-one")
assert f"--x={run.config.x}" in sys.argv, sys.argv
folder = Path(os.environ["MARKERS"])
if run.config.x == 0 and not (folder / "killed").exists():
    (folder / "sleeping").write_text(run.id)
    time.sleep(120)
wandb.log({"score": run.config.x * 10 + run.config.get("y", 0)})
wandb.finish()
"""


def cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trackboard.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def agent_process(sweep_id: str, cwd: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "trackboard.cli", "agent", *extra, sweep_id],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def make_sweep(root: Path, monkeypatch: pytest.MonkeyPatch, parameters: dict[str, object]) -> str:
    """Write train.py and sweep.yaml next to the root, create the sweep with the CLI."""
    folder = root.parent
    (folder / "train.py").write_text(TRAIN)
    markers = folder / "markers"
    markers.mkdir(exist_ok=True)
    monkeypatch.setenv("MARKERS", str(markers))
    config = {
        "program": "train.py",
        "method": "grid",
        "metric": {"name": "score", "goal": "maximize"},
        "parameters": parameters,
        "command": [sys.executable, "${program}", "${args}"],
    }
    (folder / "sweep.yaml").write_text(json.dumps(config))
    proc = cli("sweep", "-p", "p", "sweep.yaml", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    store = open_store(root / "trackboard.db")
    try:
        (row,) = store.sweeps("local", "p")
    finally:
        store.close()
    return row.sweep_id


def claims(root: Path, sweep_id: str) -> list[SweepClaim]:
    store = open_store(root / "trackboard.db")
    try:
        return store.sweep_claims("local", "p", sweep_id)
    finally:
        store.close()


def test_four_agents_run_a_twelve_point_grid_exactly_once(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep_id = make_sweep(
        root, monkeypatch, {"x": {"values": [1, 2, 3]}, "y": {"values": [0, 1, 2, 3]}}
    )
    agents = [agent_process(f"p/{sweep_id}", root.parent) for _ in range(4)]
    for proc in agents:
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, out
    got = claims(root, sweep_id)
    assert [c.state for c in got] == ["finished"] * 12
    expected = {(x, y) for x in (1, 2, 3) for y in range(4)}
    assert {(c.params["x"], c.params["y"]) for c in got} == expected
    sweep = trackboard.Api().sweep(f"local/p/{sweep_id}")
    assert sweep.state == "FINISHED"
    assert sweep.expected_run_count == 12
    runs = list(sweep.runs)
    assert len({r.id for r in runs}) == 12
    assert {(r.config["x"], r.config["y"]) for r in runs} == expected
    assert all(r.state == "finished" and r.project == "p" for r in runs)
    best = sweep.best_run()
    assert best is not None
    assert (best.config["x"], best.config["y"], best.summary["score"]) == (3, 3, 33)


def test_a_killed_agent_loses_no_grid_point(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dead agent's claim turns crashed after --stale-after; its point is run again."""
    sweep_id = make_sweep(root, monkeypatch, {"x": {"values": [0, 1, 2]}})
    markers = root.parent / "markers"
    doomed = agent_process(sweep_id, root.parent, "-p", "p", "--stale-after", "3")
    while not (markers / "sleeping").exists():
        assert doomed.poll() is None, doomed.communicate()[0]
        time.sleep(0.1)
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=30)
    (markers / "killed").write_text("")
    survivor = agent_process(sweep_id, root.parent, "-p", "p", "--stale-after", "3")
    out, _ = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, out
    got = claims(root, sweep_id)
    assert sorted(c.state for c in got) == ["crashed", "finished", "finished", "finished"]
    assert sorted(c.params["x"] for c in got if c.state == "finished") == [0, 1, 2]
    crashed = next(c for c in got if c.state == "crashed")
    assert crashed.params == {"x": 0}
    assert crashed.run_id == (markers / "sleeping").read_text()


def test_function_mode_runs_count_jobs_with_locked_params(root: Path) -> None:
    run_script(
        """
        import trackboard as wandb

        sweep_id = wandb.sweep(
            {"method": "random", "parameters": {"lr": {"min": 0.0, "max": 1.0}}}, project="p"
        )
        seen = []

        def train():
            run = wandb.init(config={"lr": 5.0, "other": 1})
            run.config.update({"lr": 7.0})  # locked by the sweep: ignored
            seen.append((run.id, run.sweep_id, run.project, run.config.lr, run.config.other))
            wandb.log({"loss": run.config.lr})

        wandb.agent(sweep_id, function=train, project="p", count=3)
        assert len(seen) == 3, seen
        assert len({s[0] for s in seen}) == 3
        assert all(s[1] == sweep_id and s[2] == "p" and 0 <= s[3] <= 1 and s[4] == 1 for s in seen)
        api_sweep = wandb.Api().sweep("p/" + sweep_id)
        assert api_sweep.state == "RUNNING"
        assert sorted(r.id for r in api_sweep.runs) == sorted(s[0] for s in seen)
        assert all(r.state == "finished" for r in api_sweep.runs)
        assert {r.id: r.config["lr"] for r in api_sweep.runs} == {s[0]: s[3] for s in seen}
        """,
        root.parent,
    )


def test_consecutive_failures_stop_the_agent(root: Path) -> None:
    run_script(
        """
        import trackboard as wandb
        from trackboard.store import open_store

        sweep_id = wandb.sweep(
            {"method": "random", "parameters": {"lr": {"min": 0.0, "max": 1.0}}}, project="p"
        )
        calls = []

        def train():
            wandb.init()
            calls.append(1)
            raise RuntimeError("broken training script")

        wandb.agent(sweep_id, function=train, project="p", max_consecutive_failed_runs=2)
        assert len(calls) == 2, calls
        store = open_store(str(wandb.Api().root / "trackboard.db"))
        states = [c.state for c in store.sweep_claims("local", "p", sweep_id)]
        assert states == ["failed", "failed"], states
        assert all(r.state == "failed" for r in wandb.Api().sweep("p/" + sweep_id).runs)
        """,
        root.parent,
    )


def test_pause_resume_and_cancel_from_the_cli(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sweep_id = make_sweep(root, monkeypatch, {"x": {"values": [1, 2]}})
    folder = root.parent
    for flag, state in (("--pause", "PAUSED"), ("--resume", "RUNNING"), ("--cancel", "CANCELLED")):
        proc = cli("sweep", flag, f"local/p/{sweep_id}", cwd=folder)
        assert proc.returncode == 0, proc.stderr
        assert trackboard.Api().sweep(f"local/p/{sweep_id}").state == state
    proc = cli("agent", "-p", "p", sweep_id, cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert claims(root, sweep_id) == []
    missing = cli("sweep", "--pause", "p/nosuchid", cwd=folder)
    assert missing.returncode == 2
    assert "nosuchid" in missing.stderr
    both = cli("sweep", "--pause", "--cancel", sweep_id, cwd=folder)
    assert both.returncode == 2
    assert "--pause, --cancel" in both.stderr


def test_agents_see_their_runs_metrics_so_a_reached_target_ends_the_sweep(root: Path) -> None:
    run_script(
        """
        import trackboard as wandb

        sweep_id = wandb.sweep(
            {
                "method": "random",
                "metric": {"name": "loss", "goal": "minimize", "target": 0.5},
                "parameters": {"lr": {"values": [0.1, 0.2]}},
            },
            project="p",
        )
        ran = []

        def train():
            run = wandb.init()
            for step, loss in enumerate([3.0, 0.25, 1.0]):
                wandb.log({"loss": loss}, step=step)
            ran.append(run.id)

        wandb.agent(sweep_id, function=train, project="p", count=5)
        assert len(ran) == 1, ran
        sweep = wandb.Api().sweep("p/" + sweep_id)
        assert sweep.state == "FINISHED"
        assert sweep.best_run().id == ran[0]
        """,
        root.parent,
    )


def test_prior_runs_seed_a_grid_and_unknown_ones_are_refused(root: Path) -> None:
    run_script(
        """
        import trackboard as wandb
        from trackboard.errors import NotFoundError

        run = wandb.init(project="p", config={"x": 2, "unrelated": "kept out"})
        wandb.log({"score": 5})
        wandb.finish()
        config = {"method": "grid", "parameters": {"x": {"values": [1, 2]}}}
        try:
            wandb.sweep(config, project="p", prior_runs=["nosuchrun"])
        except NotFoundError as exc:
            assert "nosuchrun" in str(exc), exc
        else:
            raise AssertionError("an unknown prior run was accepted")
        sweep_id = wandb.sweep(config, project="p", prior_runs=[run.id])
        seen = []

        def train():
            seen.append(dict(wandb.init().config))

        wandb.agent(sweep_id, function=train, project="p")
        assert seen == [{"x": 1}], seen
        sweep = wandb.Api().sweep("p/" + sweep_id)
        assert sweep.state == "FINISHED"
        assert len(wandb.Api().store.sweeps("local", "p")) == 1
        """,
        root.parent,
    )
