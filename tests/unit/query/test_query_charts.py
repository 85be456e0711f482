"""Custom charts over runs: specs from the hidden config entry, table paths from the summary,
and whole chart tables in columns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from trackboard.errors import InvalidInputError
from trackboard.ingest.apply import apply_records
from trackboard.query.charts import MAX_CHART_ROWS, chart_specs, chart_table, custom_charts
from trackboard.query.tables import TableCache
from trackboard.records import ConfigUpdate, HistoryRow, Record, RunStart
from trackboard.store.base import RunRow, Store
from trackboard.store.sqlite import SqliteStore


def table_ref(path: str) -> dict[str, Any]:
    return {"_type": "table-file", "path": path, "ncols": 3, "nrows": 2}


def roc_entry(auc: dict[str, float]) -> dict[str, Any]:
    return {
        "panel_type": "Vega2",
        "panel_config": {
            "panelDefId": "wandb/area-under-curve/v0",
            "fieldSettings": {"x": "fpr", "y": "tpr", "class": "class"},
            "stringSettings": {"title": "ROC Curve"},
            "tableKey": "roc_table",
            "auc": auc,
        },
    }


def chart_run(store: Store, run_id: str, config: dict[str, Any], values: dict[str, Any]) -> RunRow:
    records: list[Record] = [
        RunStart(seq=0, session="s", run_id=run_id, entity="e", project="p", start_time=1.0),
        ConfigUpdate(seq=1, values=config),
        HistoryRow(seq=2, step=0, timestamp=1.0, runtime=0.0, values=values),
    ]
    result = apply_records(store, records)
    assert result.run is not None
    return result.run


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every backend: the config and summary a chart needs round-trip through each."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store")
        return
    opened = SqliteStore(tmp_path / "t.db")
    try:
        yield opened
    finally:
        opened.close()


def test_chart_specs_reads_visualize_and_legacy_viz_entries() -> None:
    config = {
        "lr": 0.1,
        "_wandb": {
            "visualize": {"roc": roc_entry({"cat": 0.9})},
            "viz": {"cm": {"id": "wandb/confusion_matrix/v1", "historyFieldSettings": {}}},
        },
    }
    specs = {s.key: s for s in chart_specs(config)}
    assert sorted(specs) == ["cm", "roc"]
    assert specs["roc"].kind == "wandb/area-under-curve/v0"
    assert specs["roc"].table_key == "roc_table"
    assert specs["roc"].extra == {"auc": {"cat": 0.9}}
    assert specs["cm"].legacy and specs["cm"].table_key == "cm"
    # the sklearn helper's swapped columns: the true class is under "Predicted"
    assert specs["cm"].fields["Actual"] == "Predicted"


def test_chart_specs_skips_malformed_entries() -> None:
    config = {"_wandb": {"visualize": {"a": 3, "b": {"panel_config": {}}}, "viz": {"c": {}}}}
    assert chart_specs(config) == []
    assert chart_specs({"_wandb": "x"}) == []


def test_custom_charts_lists_each_run_table_under_one_key(store: Store) -> None:
    config = {"_wandb": {"visualize": {"roc": roc_entry({"cat": 0.9})}}}
    a = chart_run(store, "a", config, {"roc_table": table_ref("media/table/a.table.json")})
    other = {"_wandb": {"visualize": {"roc": roc_entry({"cat": 0.5})}}}
    b = chart_run(store, "b", other, {"roc_table": table_ref("media/table/b.table.json")})
    c = chart_run(store, "c", config, {"loss": 1.0})  # described, but no table logged
    charts = custom_charts([a, b, c])["charts"]
    assert [ch["key"] for ch in charts] == ["roc"]
    runs = charts[0]["runs"]
    assert [r["run_id"] for r in runs] == ["a", "b"]
    assert runs[0]["path"] == "media/table/a.table.json"
    assert runs[1]["extra"] == {"auc": {"cat": 0.5}}
    assert charts[0]["extra"] == {"auc": {"cat": 0.9}}


def test_chart_table_answers_columns_and_pads_short_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.table.json"
    path.write_text(json.dumps({"columns": ["a", "b"], "data": [[1, "x"], [2]]}))
    body = chart_table(TableCache(), path)
    assert body == {
        "columns": ["a", "b"],
        "data": [[1, 2], ["x", None]],
        "nrows": 2,
        "truncated": False,
    }


def test_chart_table_cuts_rows_past_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "t.table.json"
    path.write_text(
        json.dumps({"columns": ["i"], "data": [[i] for i in range(MAX_CHART_ROWS + 5)]})
    )
    body = chart_table(TableCache(), path)
    assert len(body["data"][0]) == MAX_CHART_ROWS and body["truncated"]
    assert body["nrows"] == MAX_CHART_ROWS + 5


def test_chart_table_refuses_a_non_positive_cap(tmp_path: Path) -> None:
    path = tmp_path / "t.table.json"
    path.write_text(json.dumps({"columns": ["i"], "data": []}))
    with pytest.raises(InvalidInputError, match="max_rows"):
        chart_table(TableCache(), path, max_rows=0)
