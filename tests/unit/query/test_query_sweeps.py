"""A sweep's list entry, detail (axes, runs with params and metric) and importance, on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from trackboard.errors import NotFoundError
from trackboard.ingest.apply import apply_records
from trackboard.query.sweeps import list_sweeps, sweep_detail, sweep_importance
from trackboard.records import Exit, HistoryRow, Record, RunStart
from trackboard.store.base import Store, SweepClaim, SweepRow
from trackboard.store.sqlite import SqliteStore
from trackboard.sweeps.shape import sweep_shape

CONFIG = """\
method: random
name: tune
metric: {name: loss, goal: minimize}
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  opt: {values: [adam, sgd]}
  depth: {min: 1, max: 8}
  seed: {value: 3}
"""
POINTS = [
    {"lr": 0.0001, "opt": "adam", "depth": 2, "seed": 3},
    {"lr": 0.001, "opt": "sgd", "depth": 4, "seed": 3},
    {"lr": 0.01, "opt": "adam", "depth": 6, "seed": 3},
    {"lr": 0.1, "opt": "sgd", "depth": 8, "seed": 3},
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgres":
        pg: Store = request.getfixturevalue("pg_store")
        yield pg
        return
    opened = SqliteStore(tmp_path / "store.db")
    try:
        yield opened
    finally:
        opened.close()


def hand_out(points: list[dict[str, Any]]) -> Any:
    def choose(sweep: SweepRow, claims: list[SweepClaim]) -> tuple[str, Mapping[str, Any]] | None:
        if len(claims) >= len(points):
            return None
        return f"run{len(claims)}", points[len(claims)]

    return choose


def run_with_loss(store: Store, run_id: str, loss: float | None, t0: float) -> None:
    records: list[Record] = [
        RunStart(seq=0, session="s", run_id=run_id, entity="e", project="p", start_time=t0)
    ]
    if loss is not None:
        records.append(HistoryRow(seq=1, step=0, timestamp=t0, runtime=0.0, values={"loss": loss}))
    records.append(Exit(seq=len(records), time=t0 + 1, runtime=1.0, exit_code=0, state="finished"))
    apply_records(store, records)


def make_sweep(store: Store, losses: list[float | None]) -> None:
    store.create_sweep("e", "p", "sw1", CONFIG)
    for i, loss in enumerate(losses):
        claim = store.claim_sweep_run("e", "p", "sw1", "a", hand_out(POINTS), stale_after_s=60)
        assert claim is not None
        run_with_loss(store, claim.run_id, loss, 1000.0 + i)


def test_list_counts_claims_and_names_method_and_metric(store: Store) -> None:
    make_sweep(store, [1.0, 2.0])
    (entry,) = list_sweeps(store, "e", "p", sweep_shape)
    assert entry["id"] == "sw1" and entry["name"] == "tune" and entry["state"] == "running"
    assert entry["method"] == "random" and entry["metric"] == {"name": "loss", "goal": "minimize"}
    assert entry["run_count"] == 2 and entry["claims"] == {"pending": 2}
    assert list_sweeps(store, "e", "other", sweep_shape) == []


def test_detail_has_axes_per_searched_parameter_with_scales(store: Store) -> None:
    make_sweep(store, [1.0])
    detail = sweep_detail(store, "e", "p", "sw1", sweep_shape)
    assert [(a["name"], a["scale"]) for a in detail["axes"]] == [
        ("lr", "log"),
        ("opt", "categorical"),
        ("depth", "linear"),
    ]
    assert detail["config"]["metric"] == {"name": "loss", "goal": "minimize"}
    assert detail["config_text"] == CONFIG and detail["config_error"] is None


def test_detail_runs_carry_params_and_metric_oldest_first(store: Store) -> None:
    make_sweep(store, [0.5, None, 0.25])
    runs = sweep_detail(store, "e", "p", "sw1", sweep_shape)["runs"]
    assert [r["run_id"] for r in runs] == ["run0", "run1", "run2"]
    assert [r["metric"] for r in runs] == [0.5, None, 0.25]
    assert runs[1]["params"] == POINTS[1] and runs[0]["state"] == "finished"


def test_importance_scores_each_axis_over_runs_with_a_metric(store: Store) -> None:
    make_sweep(store, [4.0, 3.0, 2.0, 1.0])
    result = sweep_importance(store, "e", "p", "sw1", sweep_shape)
    assert result["runs"] == 4 and result["metric"]["name"] == "loss"
    by_name = {p["name"]: p for p in result["parameters"]}
    assert by_name["depth"]["correlation"] == pytest.approx(-1.0)
    assert by_name["lr"]["correlation"] == pytest.approx(-1.0)  # on log(lr)
    assert by_name["opt"]["correlation"] is None
    assert sum(p["importance"] for p in result["parameters"]) == pytest.approx(1.0)


def test_importance_is_none_under_two_runs_with_a_metric(store: Store) -> None:
    make_sweep(store, [1.0, None])
    result = sweep_importance(store, "e", "p", "sw1", sweep_shape)
    assert result["runs"] == 1
    assert all(p["importance"] is None for p in result["parameters"])


def test_unknown_sweep_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        sweep_detail(store, "e", "p", "nope", sweep_shape)
