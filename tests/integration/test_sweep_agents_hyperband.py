"""Hyperband early termination in local sweep agents: function mode and program mode.

The grid hands out ``level`` in order; each job logs ``loss = level`` every step. With
``min_iter: 2, eta: 2`` the first band is 2 iterations; a run whose loss at a band is worse
than the threshold (index ``int(n / eta)`` of the sorted values) is stopped, so the two good
levels run to the end and the bad ones stop soon after their second step.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.conftest import run_script

STEPS = 40
STOP_BOUND = 30
"""A stopped run logs fewer steps than this (it is stopped right after its second one)."""

SWEEP = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
    "parameters": {"level": {"values": [1, 2, 10, 20]}},
}


def test_function_mode_stops_the_bad_runs_as_killed(root: Path) -> None:
    proc = run_script(
        f"""
        import json, time
        import trackboard as wandb
        sweep_id = wandb.sweep({SWEEP!r}, project="p")
        after_stop = []

        def train():
            run = wandb.init()
            for step in range({STEPS}):
                wandb.log({{"loss": float(run.config.level)}})
                time.sleep(0.1)

        def train_and_carry_on():
            try:
                train()
            finally:
                after_stop.append(True)  # code after the stopped log still runs

        wandb.agent(sweep_id, function=train_and_carry_on, project="p", heartbeat_s=0.2)
        runs = wandb.Api().sweep("p/" + sweep_id).runs
        result = {{
            r.config["level"]: [r.state, len(list(r.scan_history(keys=["loss"])))]
            + [r.summary.get("_stop_reason"), r.id]
            for r in runs
        }}
        found = {{"runs": result, "sweep": sweep_id, "after": len(after_stop)}}
        print("RESULT " + json.dumps(found))
        """,
        root.parent,
    )
    found = _result(proc.stdout)
    runs = found["runs"]
    assert sorted(runs) == ["1", "10", "2", "20"], runs
    assert runs["1"][:3] == ["finished", STEPS, None]
    assert runs["2"][:3] == ["finished", STEPS, None]
    for level in ("10", "20"):
        state, steps, reason, run_id = runs[level]
        assert state == "killed", runs
        assert 2 <= steps < STOP_BOUND, runs
        assert reason.startswith(f"Run: {run_id} Step: ") and reason.endswith("STOP"), runs
    assert found["after"] == 4
    assert "Hyperband early termination" in proc.stdout + proc.stderr
    assert _claim_states(root, found["sweep"]) == ["finished", "finished", "stopped", "stopped"]


TRAIN = f"""\
import time
import trackboard as wandb

run = wandb.init()
for step in range({STEPS}):
    wandb.log({{"loss": float(run.config.level)}})
    time.sleep(0.1)
"""


def test_program_mode_terminates_the_stopped_process(root: Path) -> None:
    (root.parent / "train.py").write_text(TRAIN)
    sweep = {
        **SWEEP,
        "program": "train.py",
        "command": [sys.executable, "${program}", "${args}"],
        "parameters": {"level": {"values": [1, 2, 10]}},
    }
    proc = run_script(
        f"""
        import json, os
        import trackboard as wandb

        os.environ["TRACKBOARD_AGENT_KILL_DELAY"] = "5"
        sweep_id = wandb.sweep({sweep!r}, project="p")
        wandb.agent(sweep_id, project="p", heartbeat_s=0.2)
        runs = wandb.Api().sweep("p/" + sweep_id).runs
        result = {{
            r.config["level"]: [r.state, len(list(r.scan_history(keys=["loss"])))]
            + [r.summary.get("_stop_reason"), r.id]
            for r in runs
        }}
        print("RESULT " + json.dumps({{"runs": result, "sweep": sweep_id}}))
        """,
        root.parent,
    )
    found = _result(proc.stdout)
    runs = found["runs"]
    assert runs["1"][:3] == ["finished", STEPS, None]
    assert runs["2"][:3] == ["finished", STEPS, None]
    state, steps, reason, run_id = runs["10"]
    assert state == "killed", runs
    assert 2 <= steps < STOP_BOUND, runs
    assert reason.startswith(f"Run: {run_id} Step: ") and reason.endswith("STOP"), runs
    assert _claim_states(root, found["sweep"]) == ["finished", "finished", "stopped"]


def _result(stdout: str) -> dict[str, Any]:
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT "))
    found = json.loads(line.removeprefix("RESULT "))
    assert isinstance(found, dict)
    return found


def _claim_states(root: Path, sweep_id: str) -> list[str]:
    from trackboard.store import open_store

    store = open_store(str(root / "trackboard.db"))
    try:
        claims = store.sweep_claims("local", "p", sweep_id)
    finally:
        store.close()
    return [claim.state for claim in claims]
