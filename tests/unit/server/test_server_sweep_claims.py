"""The claim routes agents on other machines use: create, claim, heartbeat, end a claim.

Every test runs on SQLite and on PostgreSQL: the claim goes through the store's locked claim
transaction either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from server_helpers import ENTITY, PROJECT, AppClient, log_run

from trackboard.records import STOP_REASON_KEY
from trackboard.server import create_app
from trackboard.settings import Settings
from trackboard.store.base import Store
from trackboard.sweeps.controller import MAX_CRASHES

BASE = f"/api/v1/projects/{ENTITY}/{PROJECT}/sweeps"
GRID = {
    "method": "grid",
    "metric": {"name": "acc", "goal": "maximize"},
    "parameters": {"lr": {"values": [0.1, 0.01, 0.001]}, "layers": {"values": [1, 2]}},
}
HYPERBAND = {
    "method": "random",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"lr": {"min": 0.0, "max": 1.0}},
    "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
}


@pytest.fixture
def api(any_store: Store, tmp_path: Path) -> AppClient:
    static = tmp_path / "static"
    static.mkdir()
    return AppClient(create_app(any_store, Settings(root=tmp_path / "root"), static_dir=static))


def post(api: AppClient, url: str, body: Any) -> Any:
    response = api.request("POST", url, json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def claim(api: AppClient, sweep_id: str, agent: str) -> Any:
    return post(api, f"{BASE}/{sweep_id}/claims", {"agent_id": agent, "host": "box"})


def end(api: AppClient, sweep_id: str, run_id: str, agent: str, state: str, **extra: Any) -> Any:
    body = {"agent_id": agent, "state": state, **extra}
    return api.patch(f"{BASE}/{sweep_id}/claims/{run_id}", json=body)


def test_create_from_mapping_or_yaml_text_answers_201(api: AppClient, any_store: Store) -> None:
    made = api.request("POST", BASE, json={"config": GRID})
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "running" and made.json()["method"] == "grid"
    text = "method: random\nparameters:\n  lr: {min: 0.0, max: 1.0}\n"
    second = post(api, BASE, {"config": text})
    ids = {s.sweep_id for s in any_store.sweeps(ENTITY, PROJECT)}
    assert ids == {made.json()["id"], second["id"]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"config": {"method": "grid"}}, "parameters"),
        ({"config": {"method": "nope", "parameters": {"a": {"value": 1}}}}, "method"),
        ({"config": "method: [unclosed"}, "not valid YAML"),
        ({"config": "/etc/passwd.yaml"}, "mapping"),
        ({"config": 3}, "mapping"),
        ({"cfg": {}}, '{"config": ...}'),
    ],
)
def test_create_refuses_bad_config_with_400(
    api: AppClient, any_store: Store, body: Any, message: str
) -> None:
    response = api.request("POST", BASE, json=body)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]["message"]
    assert any_store.sweeps(ENTITY, PROJECT) == []


def test_prior_runs_on_the_server_seed_the_grid_and_unknown_ones_create_nothing(
    api: AppClient, any_store: Store
) -> None:
    log_run(any_store, "old1", [{"acc": 0.5}], config={"lr": 0.1, "layers": 1, "other": "x"})
    refused = api.request("POST", BASE, json={"config": GRID, "prior_runs": ["old1", "ghost"]})
    assert refused.status_code == 404 and "ghost" in refused.json()["error"]["message"]
    assert any_store.sweeps(ENTITY, PROJECT) == []
    bad = api.request("POST", BASE, json={"config": GRID, "prior_runs": "old1"})
    assert bad.status_code == 400 and "list of run ids" in bad.json()["error"]["message"]
    sweep_id = post(api, BASE, {"config": GRID, "prior_runs": ["old1"]})["id"]
    [seeded] = any_store.sweep_claims(ENTITY, PROJECT, sweep_id)
    assert (seeded.run_id, dict(seeded.params), seeded.state) == (
        "old1",
        {"lr": 0.1, "layers": 1},
        "finished",
    )
    handed = set()
    while (got := claim(api, sweep_id, "a"))["run_id"] is not None:
        handed.add((got["params"]["lr"], got["params"]["layers"]))
        end(api, sweep_id, got["run_id"], "a", "finished")
    assert len(handed) == 5 and (0.1, 1) not in handed


def test_agents_claim_every_grid_point_once_then_sweep_finishes(
    api: AppClient, any_store: Store
) -> None:
    sweep_id = post(api, BASE, {"config": GRID})["id"]
    taken = []
    for i in range(6):
        agent = f"agent-{i % 3}"
        got = claim(api, sweep_id, agent)
        assert got["state"] == "pending" and got["agent_id"] == agent
        assert end(api, sweep_id, got["run_id"], agent, "running").status_code == 200
        assert end(api, sweep_id, got["run_id"], agent, "finished").json()["state"] == "finished"
        taken.append((got["params"]["lr"], got["params"]["layers"]))
    assert sorted(taken) == sorted((lr, n) for lr in (0.1, 0.01, 0.001) for n in (1, 2))
    assert claim(api, sweep_id, "agent-0") == {"run_id": None, "params": None, "state": "finished"}
    assert any_store.sweep(ENTITY, PROJECT, sweep_id).state == "finished"


def test_claim_again_after_lost_answer_returns_the_same_claim(api: AppClient) -> None:
    sweep_id = post(api, BASE, {"config": GRID})["id"]
    first = claim(api, sweep_id, "a")
    again = claim(api, sweep_id, "a")
    assert again["run_id"] == first["run_id"] and again["params"] == first["params"]
    other = claim(api, sweep_id, "b")
    assert other["params"] != first["params"]


def test_nothing_to_run_while_paused_or_other_runs_live(api: AppClient) -> None:
    sweep_id = post(api, BASE, {"config": {**GRID, "run_cap": 1}})["id"]
    held = claim(api, sweep_id, "a")
    end(api, sweep_id, held["run_id"], "a", "running")
    assert claim(api, sweep_id, "b")["state"] == "running"  # a's run may still crash
    api.patch(f"{BASE}/{sweep_id}", json={"state": "paused"})
    assert claim(api, sweep_id, "b") == {"run_id": None, "params": None, "state": "paused"}


def test_end_refuses_another_agents_claim_and_unknown_states(api: AppClient) -> None:
    sweep_id = post(api, BASE, {"config": GRID})["id"]
    got = claim(api, sweep_id, "a")
    wrong_agent = end(api, sweep_id, got["run_id"], "b", "finished")
    assert wrong_agent.status_code == 409
    assert "held by agent 'a'" in wrong_agent.json()["error"]["message"]
    assert end(api, sweep_id, got["run_id"], "a", "pending").status_code == 400
    assert end(api, sweep_id, got["run_id"], "a", "finished", stop_reason="x").status_code == 400
    assert end(api, sweep_id, "nope", "a", "finished").status_code == 404
    assert end(api, "nope", got["run_id"], "a", "finished").status_code == 404
    bad = api.request("POST", f"{BASE}/{sweep_id}/claims", json={"agent_id": ""})
    assert bad.status_code == 400 and "agent_id" in bad.json()["error"]["message"]
    assert end(api, sweep_id, got["run_id"], "a", "finished").json()["state"] == "finished"


def test_heartbeat_reports_lost_claims(api: AppClient, any_store: Store) -> None:
    sweep_id = post(api, BASE, {"config": GRID})["id"]
    got = claim(api, sweep_id, "a")
    beat = post(api, f"{BASE}/{sweep_id}/heartbeats", {"agent_id": "a", "runs": [got["run_id"]]})
    assert beat == {"state": "running", "stop": {}, "lost": []}
    # Another agent's claim, long after a's last heartbeat, marks a's claim crashed.
    post(api, f"{BASE}/{sweep_id}/claims", {"agent_id": "b", "stale_after_s": 1e-9})
    beat = post(api, f"{BASE}/{sweep_id}/heartbeats", {"agent_id": "a", "runs": [got["run_id"]]})
    assert beat["lost"] == [got["run_id"]]
    assert end(api, sweep_id, got["run_id"], "a", "finished").status_code == 409
    bad = api.request("POST", f"{BASE}/{sweep_id}/heartbeats", json={"agent_id": "a", "runs": 1})
    assert bad.status_code == 400


def test_grid_point_crashing_three_times_is_not_handed_out_again(api: AppClient) -> None:
    sweep_id = post(api, BASE, {"config": {**GRID, "run_cap": 1}})["id"]
    seen = []
    for i in range(MAX_CRASHES):
        # Each agent dies with its job; the next claim finds the last one stale.
        got = post(api, f"{BASE}/{sweep_id}/claims", {"agent_id": f"a{i}", "stale_after_s": 1e-9})
        seen.append(got["params"])
    assert seen == [{"lr": 0.1, "layers": 1}] * MAX_CRASHES
    after = post(api, f"{BASE}/{sweep_id}/claims", {"agent_id": "b", "stale_after_s": 1e-9})
    assert after == {"run_id": None, "params": None, "state": "finished"}


def test_heartbeat_stops_run_hyperband_judges_worse_and_stores_reason(
    api: AppClient, any_store: Store
) -> None:
    sweep_id = post(api, BASE, {"config": HYPERBAND})["id"]
    good = claim(api, sweep_id, "a")
    bad = claim(api, sweep_id, "b")
    done = claim(api, sweep_id, "c")
    for got, agent in ((good, "a"), (bad, "b"), (done, "c")):
        end(api, sweep_id, got["run_id"], agent, "running")
    end(api, sweep_id, done["run_id"], "c", "finished")
    # Band 2's threshold is the middle of 0.05, 0.1 and 0.8: only 0.8 is worse.
    log_run(any_store, done["run_id"], [{"loss": 0.2}, {"loss": 0.1}])
    log_run(any_store, good["run_id"], [{"loss": 0.1}, {"loss": 0.05}], finish=False)
    log_run(any_store, bad["run_id"], [{"loss": 0.9}, {"loss": 0.8}], finish=False)
    beat = post(api, f"{BASE}/{sweep_id}/heartbeats", {"agent_id": "b", "runs": [bad["run_id"]]})
    assert list(beat["stop"]) == [bad["run_id"]]
    reason = beat["stop"][bad["run_id"]]
    assert reason.startswith(f"Run: {bad['run_id']} Step: 2") and reason.endswith("STOP")
    done = end(api, sweep_id, bad["run_id"], "b", "stopped", stop_reason=reason)
    assert done.json()["state"] == "stopped"
    row = any_store.run(ENTITY, PROJECT, bad["run_id"])
    assert row.state == "killed" and row.summary[STOP_REASON_KEY] == reason
    assert row.summary["loss"] == 0.8  # the rest of the summary is kept
    beat = post(api, f"{BASE}/{sweep_id}/heartbeats", {"agent_id": "a", "runs": [good["run_id"]]})
    assert beat["stop"] == {}
