"""Realistic wandb scripts, run unchanged with ``import trackboard as wandb`` in a subprocess.

Each script is what a wandb user writes; the test then reads the run log it left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from trackboard.records import ConfigUpdate, Exit, HistoryRow, MetricDefinition, Record, RunStart
from trackboard.runlog import read_records


def run_wandb_script(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    result = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def runs_in(root: Path) -> dict[str, list[Record]]:
    """Records per run folder name (the run id), for every run under ``root``."""
    return {
        log.parent.name: read_records(log).records for log in sorted(root.glob("*/*/*/run.log"))
    }


def of(records: list[Record], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def test_seed_training_script_with_argparse_config_and_epoch_steps(tmp_path: Path) -> None:
    result = run_wandb_script(
        tmp_path,
        """
        import argparse
        import random

        import trackboard as wandb

        parser = argparse.ArgumentParser()
        parser.add_argument("--lr", type=float, default=0.01)
        parser.add_argument("--epochs", type=int, default=4)
        args = parser.parse_args()

        wandb.init(project="project_name", entity="wandb_id", config=args)
        wandb.config.update({"architecture": "CNN"})
        print("run", wandb.run.name, wandb.run.id)

        for epoch in range(1, wandb.config.epochs + 1):
            avg_loss = 1.0 / epoch
            wandb.log({"train_loss": avg_loss}, step=epoch)
            correct, total = random.randint(50, 100), 100
            wandb.log({"val_acc": 100.0 * correct / total, "val_loss": avg_loss * 1.1})
        wandb.run.summary["best_val_acc"] = 99.0
        wandb.finish()
        """,
        "--lr",
        "0.05",
    )
    ((run_id, records),) = runs_in(tmp_path / "trackboard").items()
    assert f" {run_id}" in result.stdout
    start = of(records, RunStart)[0]
    assert (start.entity, start.project) == ("wandb_id", "project_name")
    config = {}
    for update in of(records, ConfigUpdate):
        config.update(update.values)
    assert config == {"lr": 0.05, "epochs": 4, "architecture": "CNN"}
    rows = of(records, HistoryRow)
    assert [r.step for r in rows] == [1, 2, 3, 4]
    assert all(set(r.values) == {"train_loss", "val_acc", "val_loss"} for r in rows)
    assert of(records, Exit)[0].state == "finished"


def test_context_manager_script_with_numpy_nested_values_and_define_metric(
    tmp_path: Path,
) -> None:
    run_wandb_script(
        tmp_path,
        """
        import numpy as np
        import trackboard as wandb

        config = {"lr": 1e-3, "layers": [64, 32]}
        with wandb.init(project="mnist", config=config, tags=["baseline"], dir=".") as run:
            wandb.define_metric("epoch")
            wandb.define_metric("val/*", step_metric="epoch", summary="max")
            for epoch in range(3):
                for batch in range(2):
                    run.log({"train": {"loss": np.float32(1.0 / (epoch + batch + 1))}})
                run.log({"val/acc": 0.5 + epoch / 10, "epoch": epoch,
                         "weights": np.linspace(0, 1, 100)})
            run.summary["final"] = {"acc": 0.7}
        assert wandb.run is None
        """,
    )
    ((_, records),) = runs_in(tmp_path / "trackboard").items()
    rows = of(records, HistoryRow)
    assert [r.step for r in rows] == list(range(9))
    assert rows[0].values == {"train.loss": 1.0}
    assert rows[0].summary == {"train": {"loss": 1.0}}
    val = rows[2]
    assert val.values["weights"]["_type"] == "histogram"
    assert val.summary["val/acc"] == {"max": 0.5}
    assert rows[-1].summary["val/acc"] == {"max": pytest.approx(0.7)}
    assert "val/acc" in {d.name for d in of(records, MetricDefinition)}
    assert of(records, Exit)[0].exit_code == 0


def test_sweep_style_script_runs_several_runs_in_one_process(tmp_path: Path) -> None:
    run_wandb_script(
        tmp_path,
        """
        import trackboard as wandb

        ids = []
        for lr in (0.1, 0.01, 0.001):
            run = wandb.init(project="sweepish", config={"lr": lr}, reinit=True)
            for step in range(5):
                wandb.log({"loss": lr * (5 - step)})
            ids.append(run.id)
            run.finish()
        assert len(set(ids)) == 3
        disabled = wandb.init(mode="disabled")
        wandb.log({"ignored": 1})
        disabled.finish()
        """,
    )
    runs = runs_in(tmp_path / "trackboard")
    assert len(runs) == 3
    numbers = sorted(
        int(of(records, RunStart)[0].name.rsplit("-", 1)[1]) for records in runs.values()
    )
    assert numbers == [1, 2, 3]
    for records in runs.values():
        assert len(of(records, HistoryRow)) == 5
        assert of(records, Exit)[0].state == "finished"


@pytest.mark.torch
def test_pytorch_script_logs_tensors(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    run_wandb_script(
        tmp_path,
        """
        import torch
        import trackboard as wandb

        wandb.init(project="torch", config={"hidden": 8})
        model = torch.nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=wandb.config.get("lr", 0.1))
        for step in range(3):
            x = torch.randn(16, 4)
            loss = model(x).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            wandb.log({"loss": loss, "grad": model.weight.grad.flatten()})
        """,
    )
    ((_, records),) = runs_in(tmp_path / "trackboard").items()
    rows = of(records, HistoryRow)
    assert len(rows) == 3
    assert isinstance(rows[0].values["loss"], float)
    assert len(rows[0].values["grad"]) == 8
    assert of(records, Exit)[0].state == "finished"
