"""The custom chart routes: charts over runs and whole chart tables in columns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server_helpers import ENTITY, PROJECT, AppClient, log_run

from trackboard.store.sqlite import SqliteStore

BASE = f"/api/v1/projects/{ENTITY}/{PROJECT}"
CM_PATH = "media/table/cm_table_0_0123456789abcdef0123.table.json"


def cm_config() -> dict[str, Any]:
    config = {
        "panelDefId": "wandb/confusion_matrix/v1",
        "fieldSettings": {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "n"},
        "stringSettings": {"title": "Confusion Matrix Curve"},
        "tableKey": "cm_table",
    }
    return {"_wandb": {"visualize": {"cm": {"panel_type": "Vega2", "panel_config": config}}}}


def cm_run(store: SqliteStore, tmp_path: Path, run_id: str, name: str) -> None:
    files = tmp_path / "root" / ENTITY / PROJECT / run_id / "files"
    (files / "media" / "table").mkdir(parents=True)
    data = [["cat", "cat", 3], ["cat", "dog", 1], ["dog", "cat", 0], ["dog", "dog", 4]]
    (files / CM_PATH).write_text(
        json.dumps({"columns": ["Actual", "Predicted", "n"], "data": data})
    )
    ref = {"_type": "table-file", "path": CM_PATH, "ncols": 3, "nrows": 4}
    log_run(store, run_id, [{"cm_table": ref}], name=name, config=cm_config())


def test_charts_lists_a_chart_with_every_run_table(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    cm_run(store, tmp_path, "r1", "first")
    cm_run(store, tmp_path, "r2", "second")
    res = client.get(f"{BASE}/charts", params={"runs": "r2,r1"})
    assert res.status_code == 200
    (chart,) = res.json()["charts"]
    assert chart["key"] == "cm" and chart["kind"] == "wandb/confusion_matrix/v1"
    assert chart["fields"]["nPredictions"] == "n"
    assert [(r["run_id"], r["name"]) for r in chart["runs"]] == [("r2", "second"), ("r1", "first")]


def test_charts_answers_404_for_an_unknown_run(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    cm_run(store, tmp_path, "r1", "first")
    res = client.get(f"{BASE}/charts", params={"runs": "nope"})
    assert res.status_code == 404 and "nope" in res.text


def test_chart_table_answers_columns(client: AppClient, store: SqliteStore, tmp_path: Path) -> None:
    cm_run(store, tmp_path, "r1", "first")
    res = client.get(f"{BASE}/runs/r1/chart-table", params={"path": CM_PATH})
    assert res.status_code == 200
    body = res.json()
    assert body["columns"] == ["Actual", "Predicted", "n"]
    assert body["data"][2] == [3, 1, 0, 4] and body["truncated"] is False


def test_chart_table_refuses_a_path_outside_the_run(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    cm_run(store, tmp_path, "r1", "first")
    res = client.get(f"{BASE}/runs/r1/chart-table", params={"path": "../../x.table.json"})
    assert res.status_code == 404


def test_chart_table_names_a_file_that_is_no_table(
    client: AppClient, store: SqliteStore, tmp_path: Path
) -> None:
    cm_run(store, tmp_path, "r1", "first")
    (tmp_path / "root" / ENTITY / PROJECT / "r1" / "files" / "notes.txt").write_text("hello")
    res = client.get(f"{BASE}/runs/r1/chart-table", params={"path": "notes.txt"})
    assert res.status_code == 400 and "notes.txt" in res.text
