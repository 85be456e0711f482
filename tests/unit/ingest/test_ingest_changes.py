from __future__ import annotations

import math

import numpy as np
import pytest

from trackboard.ingest.changes import RunIdentity, build_changes
from trackboard.records import (
    ConfigUpdate,
    Exit,
    Heartbeat,
    HistoryRow,
    MetricDefinition,
    RunStart,
    RunUpdate,
    SummaryUpdate,
)

IDENT = RunIdentity("local", "p", "r1", "s1")


def start(seq: int = 0) -> RunStart:
    return RunStart(
        seq=seq,
        session="s1",
        run_id="r1",
        entity="local",
        project="p",
        start_time=100.0,
        name="calm-fox-1",
        tags=("a",),
        host="h",
        pid=42,
    )


def row(
    seq: int, step: int, values: dict[str, object], summary: dict[str, object] | None = None
) -> HistoryRow:
    return HistoryRow(
        seq=seq,
        step=step,
        timestamp=100.0 + step,
        runtime=float(step),
        values=values,
        summary=summary,
    )


def test_scalars_become_series_and_other_values_stay_per_step() -> None:
    changes = build_changes(
        IDENT,
        [
            start(),
            row(
                1,
                0,
                {"loss": 1.5, "ok": True, "n": 3, "text": "hi", "hist": {"_type": "histogram"}},
            ),
            row(2, 1, {"loss": float("nan"), "nothing": None}),
        ],
    )
    loss = changes.series["loss"]
    assert loss.steps.tolist() == [0, 1]
    assert loss.values[0] == 1.5 and math.isnan(loss.values[1])
    assert loss.walls.tolist() == [100.0, 101.0]
    assert changes.series["ok"].values.tolist() == [1.0]
    assert changes.series["n"].values.tolist() == [3.0]
    assert changes.series["_runtime"].steps.tolist() == [0, 1]
    assert sorted(changes.other_values, key=repr) == sorted(
        [(0, "text", "hi"), (0, "hist", {"_type": "histogram"}), (1, "nothing", None)], key=repr
    )
    assert changes.first_seq == 0 and changes.last_seq == 2
    assert changes.state == "running"
    assert changes.start is not None and changes.start["name"] == "calm-fox-1"


def test_summary_follows_record_order_between_rows_and_assignments() -> None:
    changes = build_changes(
        IDENT,
        [
            row(5, 0, {"acc": 0.5, "loss": 2.0}),
            SummaryUpdate(seq=6, values={"acc": 0.99, "best": 1}),
            row(7, 1, {"loss": 1.0}),
            SummaryUpdate(seq=8, values={}, removed=("best",)),
        ],
    )
    assert changes.summary_set["acc"] == 0.99  # the assignment came after the last acc row
    assert changes.summary_set["loss"] == 1.0
    assert "best" not in changes.summary_set
    assert changes.summary_removed == ("best",)
    assert changes.summary_set["_step"] == 1


def test_row_summary_from_define_metric_replaces_the_plain_values() -> None:
    changes = build_changes(IDENT, [row(1, 0, {"loss": 2.0}, summary={"loss": {"min": 2.0}})])
    assert changes.summary_set["loss"] == {"min": 2.0}


def test_exit_sets_state_code_and_dropped_counts() -> None:
    changes = build_changes(
        IDENT,
        [
            Heartbeat(seq=3, time=130.0, runtime=30.0),
            Exit(seq=4, time=140.0, runtime=40.0, exit_code=1, state="failed", dropped_steps=2),
        ],
    )
    assert changes.state == "failed"
    assert changes.exit_code == 1
    assert changes.finished_at == 140.0
    assert changes.runtime == 40.0
    assert changes.heartbeat_at == 140.0
    assert changes.summary_set["_dropped_steps"] == 2


def test_config_metadata_and_metric_records_are_collected() -> None:
    changes = build_changes(
        IDENT,
        [
            ConfigUpdate(seq=1, values={"lr": 0.1, "bs": 8}),
            ConfigUpdate(seq=2, values={"lr": 0.2}, removed=("bs",)),
            RunUpdate(seq=3, fields={"name": "renamed", "tags": ["x"]}),
            MetricDefinition(seq=4, name="val/*", step_metric="epoch", summary=("max",)),
        ],
    )
    assert changes.config_set == {"lr": 0.2}
    assert changes.config_removed == ("bs",)
    assert changes.meta == {"name": "renamed", "tags": ["x"]}
    assert changes.metrics["val/*"]["step_metric"] == "epoch"
    assert changes.metrics["val/*"]["summary"] == ["max"]


def test_build_changes_refuses_an_empty_batch() -> None:
    with pytest.raises(ValueError, match="at least one record"):
        build_changes(IDENT, [])


def test_series_columns_have_numpy_dtypes_for_the_store() -> None:
    cols = build_changes(IDENT, [row(1, 7, {"x": 1})]).series["x"]
    assert cols.steps.dtype == np.int64
    assert cols.values.dtype == np.float64
    assert cols.walls.dtype == np.float64
