"""The command line, run for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def trackboard_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trackboard.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.torch
def test_demo_trains_runs_and_reads_them_back(root: Path) -> None:
    proc = trackboard_cli("demo", "--epochs", "3", "--no-ui", cwd=root.parent)
    assert proc.returncode == 0, proc.stderr
    assert "Best run:" in proc.stdout
    assert proc.stdout.count("finished") == 6
    assert_demo_cnn_logged_histograms_and_predictions(root)
    assert_demo_runs_logged_classification_charts(root)
    assert_demo_cnn_logged_legacy_charts(root)
    assert_demo_ran_the_sweep(root, proc.stdout)
    listing = trackboard_cli(
        "runs",
        "trackboard-demo",
        "--filter",
        '{"config.lr": {"$gte": 0.1}}',
        "--columns",
        "config.lr,summary.val_acc",
        cwd=root.parent,
    )
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.strip().splitlines()
    assert len(lines) == 3  # header + lr 0.1 and 0.3


def assert_demo_ran_the_sweep(root: Path, stdout: str) -> None:
    """Six CNN runs in one sweep, each with its swept lr and batch_size locked in its config."""
    import trackboard
    from trackboard.store import open_store

    store = open_store(root / "trackboard.db")
    try:
        (sweep,) = store.sweeps("local", "trackboard-demo")
        claims = store.sweep_claims("local", "trackboard-demo", sweep.sweep_id)
    finally:
        store.close()
    assert [c.state for c in claims] == ["finished"] * 6
    runs = trackboard.Api(root=root).sweep(f"trackboard-demo/{sweep.sweep_id}").runs
    assert len(runs) == 6
    params = {c.run_id: c.params for c in claims}
    for run in runs:
        assert run.config["model"] == "cnn"
        assert {k: run.config[k] for k in ("lr", "batch_size")} == params[run.id]
        assert run.summary["val_acc"] > 0
    assert f"Sweep {sweep.sweep_id}: 6 runs; best run: " in stdout


def assert_demo_cnn_logged_histograms_and_predictions(root: Path) -> None:
    import trackboard

    (cnn,) = trackboard.Api(root=root).runs("trackboard-demo", filters={"group": "cnn"})
    history = list(cnn.scan_history())
    keys = {k for row in history for k, v in row.items() if v is not None}
    for layer in ("0", "2", "6"):  # the two convolutions and the linear layer
        for kind in ("weight", "bias"):
            assert f"gradients/{layer}.{kind}" in keys
            assert f"parameters/{layer}.{kind}" in keys
    hist = next(r["gradients/0.weight"] for r in history if r.get("gradients/0.weight"))
    assert hist["_type"] == "histogram" and len(hist["values"]) == 64
    assert sum(hist["values"]) == 8 * 1 * 3 * 3
    shown = [r["predictions"] for r in history if r.get("predictions")]
    assert len(shown) == 3  # one list of images per epoch
    assert shown[0]["_type"] == "images/separated" and shown[0]["count"] == 8
    assert all(c.startswith("Pred: ") and " Truth: " in c for c in shown[0]["captions"])
    assert cnn.summary["val_acc"] > 50


def stored_table(run: Any, ref: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a table a run logged, from its reference in history or summary."""
    assert ref["_type"] == "table-file"
    table: dict[str, Any] = json.loads((run.folder / "files" / ref["path"]).read_text())
    return table


def assert_demo_runs_logged_classification_charts(root: Path) -> None:
    import trackboard

    runs = trackboard.Api(root=root).runs("trackboard-demo")
    assert len(runs) == 12  # five softmax runs, the CNN and the sweep's six CNN runs
    for run in runs:
        rows = [r for r in run.scan_history() if r.get("conf_mat_table")]
        assert len(rows) == 1  # the three charts share one step
        row = rows[0]
        visualize = run.config["_wandb"]["visualize"]
        assert set(visualize) == {"conf_mat", "roc", "pr"}
        for key, preset in [
            ("conf_mat", "wandb/confusion_matrix/v1"),
            ("roc", "wandb/area-under-curve/v0"),
            ("pr", "wandb/area-under-curve/v0"),
        ]:
            assert row[f"{key}_table"] == run.summary[f"{key}_table"]
            panel = visualize[key]["panel_config"]
            assert panel["panelDefId"] == preset
            assert panel["tableKey"] == f"{key}_table"
        conf_mat = stored_table(run, row["conf_mat_table"])
        assert conf_mat["columns"] == ["Actual", "Predicted", "nPredictions"]
        assert len(conf_mat["data"]) == 100  # every cell of the 10 x 10 matrix
        assert {r[0] for r in conf_mat["data"]} == {str(d) for d in range(10)}
        assert sum(r[2] for r in conf_mat["data"]) == 360  # the validation set
        correct = sum(r[2] for r in conf_mat["data"] if r[0] == r[1])
        assert 100.0 * correct / 360 == pytest.approx(run.summary["val_acc"])
        roc = stored_table(run, row["roc_table"])
        assert roc["columns"] == ["class", "fpr", "tpr"]
        assert {r[0] for r in roc["data"]} == {str(d) for d in range(10)}
        assert set(visualize["roc"]["panel_config"]["auc"]) == {str(d) for d in range(10)}
        pr = stored_table(run, row["pr_table"])
        assert pr["columns"] == ["class", "precision", "recall"]
        assert len(pr["data"]) == 10 * 21
        if run.config["model"] == "softmax":  # only the CNN run adds the legacy calls
            assert "viz" not in run.config["_wandb"]


def assert_demo_cnn_logged_legacy_charts(root: Path) -> None:
    import trackboard

    (cnn,) = trackboard.Api(root=root).runs("trackboard-demo", filters={"group": "cnn"})
    viz = cnn.config["_wandb"]["viz"]
    for key, preset in [
        ("roc_legacy", "wandb/roc/v1"),
        ("pr_legacy", "wandb/pr_curve/v1"),
        ("confusion_matrix", "wandb/confusion_matrix/v1"),
    ]:
        assert viz[key] == {
            "id": preset,
            "historyFieldSettings": {"x-axis": "_step", "key": key},
        }
        (row,) = [r for r in cnn.scan_history() if r.get(key)]
        assert row[key] == cnn.summary[key]
    roc = stored_table(cnn, cnn.summary["roc_legacy"])
    assert roc["columns"] == ["class", "fpr", "tpr"]
    pr = stored_table(cnn, cnn.summary["pr_legacy"])
    assert len(pr["data"]) == 10 * 20
    matrix = stored_table(cnn, cnn.summary["confusion_matrix"])
    assert matrix["columns"] == ["Predicted", "Actual", "Count"]
    assert sum(r[2] for r in matrix["data"]) == 360


def test_bad_filter_is_a_clear_error_not_a_traceback(root: Path) -> None:
    proc = trackboard_cli("runs", "p", "--filter", '{"bogus": 1}', cwd=root.parent)
    assert proc.returncode == 2
    assert "unknown filter field 'bogus'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_ingest_reports_the_new_records_then_nothing_on_a_second_pass(root: Path) -> None:
    from tests.conftest import run_script

    run_script(
        """
        import trackboard
        run = trackboard.init(project="ing")
        for i in range(10):
            trackboard.log({"x": float(i)})
        run.finish()
        """,
        root.parent,
    )
    first = trackboard_cli("ingest", cwd=root.parent)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("1 run logs, ")
    assert int(first.stdout.split(", ")[1].split()[0]) >= 10  # RunStart, config, 10 rows, exit
    second = trackboard_cli("ingest", cwd=root.parent)
    assert second.stdout.strip() == "1 run logs, 0 new records"
