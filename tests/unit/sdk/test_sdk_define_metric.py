"""``define_metric``: summaries, globs, step metrics, hiding (wandb-api.md 2.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import trackboard
from trackboard.records import HistoryRow, MetricDefinition
from trackboard.sdk.metrics import Metric


def test_summary_min_gives_a_dict_with_the_minimum(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.define_metric("loss", summary="min")
    for loss in (3.0, 2.0, 2.5):
        run.log({"loss": loss, "other": loss})
    assert run.summary["loss"] == {"min": 2.0}
    assert run.summary["other"] == 2.5
    last = writer.of(HistoryRow)[-1]
    assert last.summary == {"loss": {"min": 2.0}, "other": 2.5}


def test_summary_several_ops_and_case_are_accepted(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    run.define_metric("acc", summary="MAX, mean,last,first")
    for acc in (0.2, 0.8, 0.5):
        run.log({"acc": acc})
    assert run.summary["acc"] == {"max": 0.8, "mean": pytest.approx(0.5), "first": 0.2, "last": 0.5}


def test_summary_none_leaves_the_key_out(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.define_metric("noise", summary="none")
    run.log({"noise": 1.0, "kept": 2})
    assert "noise" not in run.summary
    assert writer.of(HistoryRow)[0].summary == {"kept": 2}


def test_min_and_mean_skip_values_that_are_not_numbers(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    run.define_metric("v", summary="min,mean")
    for value in (4, "text", float("nan"), 2):
        run.log({"v": value})
    assert run.summary["v"] == {"min": 2, "mean": 3.0}


def test_explicit_assignment_is_replaced_by_the_aggregate_at_the_next_log(
    memory_run: Callable[..., Any],
) -> None:
    run, _ = memory_run()
    run.define_metric("loss", summary="min")
    run.log({"loss": 2.0})
    run.summary["loss"] = 99
    assert run.summary["loss"] == 99
    run.log({"loss": 3.0})
    assert run.summary["loss"] == {"min": 2.0}


def test_glob_with_step_metric_inserts_the_latest_step_value(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.define_metric("epoch")
    run.define_metric("val/*", step_metric="epoch")
    run.log({"val/loss": 1.0})
    run.log({"epoch": 1, "train/loss": 0.5})
    run.log({"val/loss": 0.8, "val/acc": 0.3})
    rows = [r.values for r in writer.of(HistoryRow)]
    assert rows == [
        {"val/loss": 1.0, "epoch": 0},
        {"epoch": 1, "train/loss": 0.5},
        {"val/loss": 0.8, "val/acc": 0.3, "epoch": 1},
    ]
    expanded = [d.name for d in writer.of(MetricDefinition)]
    assert expanded == ["epoch", "val/*", "val/loss", "val/acc"]
    assert all(d.step_metric == "epoch" for d in writer.of(MetricDefinition)[1:])


def test_step_sync_false_inserts_nothing(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.define_metric("loss", step_metric="epoch", step_sync=False)
    run.log({"loss": 1.0})
    assert writer.of(HistoryRow)[0].values == {"loss": 1.0}


def test_hidden_metric_is_still_logged_and_summarised(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    metric = run.define_metric("debug", hidden=True)
    run.log({"debug": 5})
    assert metric.hidden is True
    assert run.summary["debug"] == 5
    assert writer.of(HistoryRow)[0].values == {"debug": 5}
    assert writer.of(MetricDefinition)[0].hidden is True


def test_repeated_definitions_merge_unless_overwrite(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.define_metric("loss", summary="min")
    merged = run.define_metric("loss", summary="max", hidden=True, step_metric="epoch")
    assert merged == Metric(
        name="loss", step_metric="epoch", hidden=True, summary=("min", "max"), step_sync=None
    )
    replaced = run.define_metric("loss", summary="last", overwrite=True)
    assert replaced.summary == ("last",) and replaced.hidden is None
    assert [d.summary for d in writer.of(MetricDefinition)] == [
        ("min",),
        ("min", "max"),
        ("last",),
    ]


def test_returned_metric_exposes_wandb_attributes(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    epoch = run.define_metric("epoch")
    metric = run.define_metric("acc", step_metric=epoch, goal="maximize", summary="max")
    assert (metric.name, metric.step_metric, metric.summary, metric.goal) == (
        "acc",
        "epoch",
        ("max",),
        "maximize",
    )
    assert metric.step_sync is None and metric.hidden is None


def test_glob_star_anywhere_but_the_end_is_an_error(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    with pytest.raises(trackboard.Error, match=r"glob suffixes only"):
        run.define_metric("val/*/loss")
    with pytest.raises(trackboard.Error):
        run.define_metric("")
    with pytest.raises(trackboard.Error, match="summary op"):
        run.define_metric("x", summary="median")


def test_best_summary_is_accepted_with_a_warning(
    memory_run: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    run, _ = memory_run()
    metric = run.define_metric("loss", summary="best,min", goal="minimize")
    assert metric.summary == ("min",)
    assert "'best' is not supported" in capsys.readouterr().err


def test_nested_metric_name_matches_the_nested_key(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.define_metric("val.loss", summary="min")
    run.log({"val": {"loss": 2.0, "acc": 1.0}})
    run.log({"val": {"loss": 3.0}})
    assert run.summary["val"]["loss"] == {"min": 2.0}
    assert run.summary["val"]["acc"] == 1.0
    assert writer.of(HistoryRow)[-1].summary == {"val": {"loss": {"min": 2.0}, "acc": 1.0}}


def test_automatic_step_as_step_metric_is_never_inserted_into_values(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    metric = run.define_metric("loss", step_metric="_step")
    run.log({"loss": 1.0})
    assert metric.step_metric == "_step"
    assert writer.of(HistoryRow)[0].values == {"loss": 1.0}
