"""The sweep routes: list, detail, state changes through the write guard, and importance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server_helpers import ENTITY, PROJECT, AppClient

from trackboard.ingest.apply import apply_records
from trackboard.records import Exit, HistoryRow, RunStart
from trackboard.store.base import Store, SweepClaim, SweepRow

CONFIG = """\
method: grid
metric: {name: acc, goal: maximize}
parameters:
  lr: {values: [0.1, 0.01, 0.001]}
  layers: {values: [1, 2]}
"""
BASE = f"/api/v1/projects/{ENTITY}/{PROJECT}/sweeps"


def make_sweep(store: Store, accs: list[float]) -> None:
    points = [{"lr": lr, "layers": n} for lr in (0.1, 0.01, 0.001) for n in (1, 2)]

    def choose(sweep: SweepRow, claims: list[SweepClaim]) -> tuple[str, Mapping[str, Any]] | None:
        return (f"r{len(claims)}", points[len(claims)]) if len(claims) < len(points) else None

    store.create_sweep(ENTITY, PROJECT, "sw", CONFIG)
    for i, acc in enumerate(accs):
        claim = store.claim_sweep_run(ENTITY, PROJECT, "sw", "a", choose, stale_after_s=60)
        assert claim is not None
        t0 = 100.0 + i
        apply_records(
            store,
            [
                RunStart(
                    seq=0,
                    session="s",
                    run_id=claim.run_id,
                    entity=ENTITY,
                    project=PROJECT,
                    start_time=t0,
                    sweep_id="sw",
                ),
                HistoryRow(seq=1, step=0, timestamp=t0, runtime=0.0, values={"acc": acc}),
                Exit(seq=2, time=t0 + 1, runtime=1.0, exit_code=0, state="finished"),
            ],
        )


def test_list_and_detail(client: AppClient, store: Store) -> None:
    make_sweep(store, [0.5, 0.6, 0.7])
    listed = client.get(BASE).json()["sweeps"]
    assert [(s["id"], s["state"], s["method"], s["run_count"]) for s in listed] == [
        ("sw", "running", "grid", 3)
    ]
    detail = client.get(f"{BASE}/sw").json()
    assert [a["name"] for a in detail["axes"]] == ["lr", "layers"]
    assert [(r["run_id"], r["params"], r["metric"]) for r in detail["runs"]] == [
        ("r0", {"lr": 0.1, "layers": 1}, 0.5),
        ("r1", {"lr": 0.1, "layers": 2}, 0.6),
        ("r2", {"lr": 0.01, "layers": 1}, 0.7),
    ]
    assert detail["config"]["method"] == "grid"


def test_unknown_sweep_is_404(client: AppClient) -> None:
    response = client.get(f"{BASE}/missing")
    assert response.status_code == 404 and "missing" in response.text


def test_patch_moves_the_state_in_the_store(client: AppClient, store: Store) -> None:
    make_sweep(store, [])
    response = client.patch(f"{BASE}/sw", json={"state": "paused"})
    assert response.status_code == 200 and response.json()["state"] == "paused"
    assert store.sweep(ENTITY, PROJECT, "sw").state == "paused"
    assert client.patch(f"{BASE}/sw", json={"state": "running"}).json()["state"] == "running"


def test_patch_refuses_unknown_states_and_fields(client: AppClient, store: Store) -> None:
    make_sweep(store, [])
    bad = client.patch(f"{BASE}/sw", json={"state": "asleep"})
    assert bad.status_code == 400 and "asleep" in bad.text
    assert client.patch(f"{BASE}/sw", json={"state": "paused", "x": 1}).status_code == 400
    assert store.sweep(ENTITY, PROJECT, "sw").state == "running"


def test_patch_from_another_origin_is_refused(client: AppClient, store: Store) -> None:
    make_sweep(store, [])
    response = client.patch(
        f"{BASE}/sw", json={"state": "cancelled"}, headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 403
    assert store.sweep(ENTITY, PROJECT, "sw").state == "running"


def test_importance(client: AppClient, store: Store) -> None:
    make_sweep(store, [0.9, 0.8, 0.5, 0.4, 0.1])
    result = client.get(f"{BASE}/sw/importance").json()
    assert result["runs"] == 5 and result["metric"] == {"name": "acc", "goal": "maximize"}
    by_name = {p["name"]: p for p in result["parameters"]}
    assert set(by_name) == {"lr", "layers"}
    assert by_name["lr"]["correlation"] > 0.8
    assert 0.0 <= by_name["layers"]["importance"] <= by_name["lr"]["importance"]


def test_a_stored_config_that_no_longer_parses_is_listed_with_its_problem(
    client: AppClient, store: Store
) -> None:
    store.create_sweep(ENTITY, PROJECT, "old", "method: grid\nparameters: {x: {bogus: 1}}\n")
    (listed,) = client.get(BASE).json()["sweeps"]
    assert (listed["id"], listed["method"], listed["metric"]) == ("old", "grid", None)
    detail = client.get(f"{BASE}/old").json()
    assert detail["axes"] == [] and "parameters.x" in detail["config_error"]
