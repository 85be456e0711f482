"""Charts logged through a run and read back with ``trackboard.Api``: tables and config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from reference import aucs, sample

import trackboard
from trackboard import plot


def read_back(tmp_path: Path, run: Any) -> tuple[list[dict[str, Any]], Any]:
    api = trackboard.Api(root=tmp_path / "trackboard")
    stored = api.run(f"{run.entity}/{run.project}/{run.id}")
    return list(stored.scan_history()), stored


def table_json(run: Any, ref: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(run.dir) / ref["path"]).read_text())
    return data


def test_a_custom_chart_logs_its_table_under_key_table_and_its_panel_in_config(
    tmp_path: Path,
) -> None:
    y, scores = sample(200, 3)
    run = trackboard.init(dir=tmp_path, mode="offline", project="plots", config={"lr": 0.1})
    chart = plot.roc_curve(y, scores, labels=["a", "b", "c"])
    run.log({"roc": chart, "loss": 0.5})
    run.finish()
    rows, stored = read_back(tmp_path, run)
    ref = rows[0]["roc_table"]
    assert "roc" not in rows[0] and rows[0]["loss"] == 0.5
    assert ref["_type"] == "table-file"
    assert ref["path"].startswith("media/table/roc_table_0_")
    assert ref["path"].endswith(".table.json")
    assert table_json(run, ref) == {"columns": ["class", "fpr", "tpr"], "data": chart.table.data}
    assert stored.summary["roc_table"]["path"] == ref["path"]
    panel = stored.config["_wandb"]["visualize"]["roc"]
    assert panel["panel_type"] == "Vega2"
    config = panel["panel_config"]
    assert config["panelDefId"] == "wandb/area-under-curve/v0"
    assert config["fieldSettings"] == {"x": "fpr", "y": "tpr", "class": "class"}
    assert config["stringSettings"]["title"] == "ROC Curve"
    assert config["transform"] == {"name": "tableWithLeafColNames"}
    assert config["tableKey"] == "roc_table"
    query = json.dumps(config["userQuery"])
    assert '"summaryTable"' in query and '"roc_table"' in query
    expected = {"abc"[int(c)]: v for c, v in aucs(y, scores, [0, 1, 2]).items()}
    assert config["auc"] == pytest.approx(expected, abs=1e-12)
    assert stored.config["lr"] == 0.1


def test_split_table_charts_and_legacy_visualize_use_wandb_keys(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="plots")
    cm = plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0], split_table=True)
    heat = trackboard.Table(columns=["x_axis", "y_axis", "values"], data=[["a", "b", 1.0]])
    trackboard.log({"cm": cm, "heat": trackboard.visualize("wandb/heatmap/v1", heat)})
    run.finish()
    rows, stored = read_back(tmp_path, run)
    assert rows[0]["Custom Chart Tables/cm_table"]["_type"] == "table-file"
    assert rows[0]["heat"]["_type"] == "table-file"
    hidden = stored.config["_wandb"]
    assert hidden["visualize"]["cm"]["panel_config"]["tableKey"] == "Custom Chart Tables/cm_table"
    assert hidden["viz"]["heat"] == {
        "id": "wandb/heatmap/v1",
        "historyFieldSettings": {"x-axis": "_step", "key": "heat"},
    }


def test_charts_keep_the_config_hidden_and_its_locking_intact(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="plots", config={"lr": 0.1})
    t = trackboard.Table(columns=["x", "y"], data=[[1, 2]])
    for step in range(3):
        t2 = trackboard.Table(columns=["x", "y"], data=[[step, step]])
        run.log(
            {"line": plot.line(t2, "x", "y", title=f"epoch {step}"), "bar": plot.bar(t, "x", "y")}
        )
    assert run.config.keys() == ["lr"]
    assert "_wandb" in run.config
    with pytest.raises(trackboard.errors.ConfigError):
        run.config.lr = 0.2
    run.finish()
    rows, stored = read_back(tmp_path, run)
    assert [r["line_table"]["nrows"] for r in rows] == [1, 1, 1]
    assert len({r["line_table"]["path"] for r in rows}) == 3
    visualize = stored.config["_wandb"]["visualize"]
    assert set(visualize) == {"line", "bar"}
    assert visualize["line"]["panel_config"]["stringSettings"] == {"title": "epoch 2"}


def test_a_chart_logged_in_a_disabled_run_is_accepted_and_dropped(tmp_path: Path) -> None:
    run = trackboard.init(dir=tmp_path, mode="disabled")
    run.log({"cm": plot.confusion_matrix(y_true=[0], preds=[0])})
    run.finish()


def test_a_nested_chart_or_a_chart_in_the_summary_is_an_error_saying_where_charts_go(
    tmp_path: Path,
) -> None:
    run = trackboard.init(dir=tmp_path, mode="offline", project="plots")
    chart = plot.confusion_matrix(y_true=[0], preds=[0])
    with pytest.raises(TypeError, match=r"'eval\.cm' is a chart; log charts at the top level"):
        run.log({"eval": {"cm": chart}})
    with pytest.raises(TypeError, match="'cm' is a chart"):
        run.summary["cm"] = chart
