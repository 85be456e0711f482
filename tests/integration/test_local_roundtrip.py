"""A wandb-style script writes runs; Api reads back exactly what it logged."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.conftest import run_script

import trackboard

SEED_SCRIPT = """
import math
import trackboard as wandb

for lr in (0.1, 0.01):
    run = wandb.init(project="seed", config={"lr": lr, "epochs": 5}, group="sweepish")
    for epoch in range(1, 6):
        wandb.log({"train_loss": 1.0 / (epoch * lr * 100)}, step=epoch)
    wandb.log({"val_acc": 100.0 * lr, "val_loss": 0.5, "odd": float("nan"), "big": math.inf})
    wandb.finish()
"""


def test_seed_script_runs_unchanged_and_reads_back(root: Path) -> None:
    run_script(SEED_SCRIPT, root.parent)
    api = trackboard.Api()
    runs = api.runs("seed", order="+config.lr")
    assert [r.config["lr"] for r in runs] == [0.01, 0.1]
    run = runs[1]
    assert run.state == "finished"
    assert run.group == "sweepish"
    assert run.summary["val_acc"] == pytest.approx(10.0)
    assert math.isnan(run.summary["odd"]) and run.summary["big"] == math.inf
    assert run.summary["train_loss"] == pytest.approx(1.0 / (5 * 0.1 * 100))
    losses = [(r["_step"], r["train_loss"]) for r in run.scan_history(keys=["train_loss"])]
    assert losses == [(e, pytest.approx(1.0 / (e * 0.1 * 100))) for e in range(1, 6)]
    # val_* joined the row of the last epoch, as wandb does
    rows = list(run.scan_history())
    assert [r["_step"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[-1]["val_acc"] == pytest.approx(10.0)
    assert all("_runtime" in r and "_timestamp" in r for r in rows)
    assert run.lastHistoryStep == 5


def test_filters_order_and_history_dataframe(root: Path) -> None:
    run_script(SEED_SCRIPT, root.parent)
    api = trackboard.Api()
    fast = api.runs("local/seed", filters={"config.lr": {"$gt": 0.05}})
    assert len(fast) == 1 and fast[0].config["lr"] == 0.1
    good = api.runs("seed", filters={"summary_metrics.val_acc": {"$gte": 5}})
    assert [r.config["lr"] for r in good] == [0.1]
    both = api.runs("seed", filters={"$or": [{"config.lr": 0.01}, {"config.lr": 0.1}]})
    assert len(both) == 2
    frame = fast[0].history(keys=["train_loss"])
    assert list(frame["_step"]) == [1, 2, 3, 4, 5]
    assert frame.attrs["sampled"] is False
    assert [p.name for p in api.projects()] == ["seed"]


def test_history_sampling_keeps_spikes_and_is_deterministic(root: Path) -> None:
    run_script(
        """
        import trackboard
        run = trackboard.init(project="long")
        for step in range(5000):
            trackboard.log({"loss": 1000.0 if step == 3210 else 1.0 / (step + 1)})
        run.finish()
        """,
        root.parent,
    )
    run = trackboard.Api().runs("long")[0]
    first = run.history(samples=100, keys=["loss"], pandas=False)
    assert len(first) <= 100
    assert 3210 in [r["_step"] for r in first]
    assert first == run.history(samples=100, keys=["loss"], pandas=False)
    frame = run.history(samples=100)
    assert frame.attrs["sampled"] is True


def test_run_update_and_delete_persist(root: Path) -> None:
    run_script(SEED_SCRIPT, root.parent)
    api = trackboard.Api()
    run = api.runs("seed")[0]
    run.name = "renamed"
    run.tags = ["keep"]
    run.summary["note"] = "best"
    run.update()
    again = trackboard.Api().run(f"seed/{run.id}")
    assert again.name == "renamed" and again.tags == ["keep"]
    assert again.summary["note"] == "best"
    again.delete()
    assert len(trackboard.Api().runs("seed")) == 1
