"""``run.summary``: last values by default, explicit assignment, nesting (wandb-api.md 2.5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from trackboard.records import HistoryRow, SummaryUpdate


def test_summary_holds_the_last_logged_value_of_each_key(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.log({"loss": 0.5, "acc": 0.1})
    run.log({"loss": 0.25})
    assert run.summary["loss"] == 0.25
    assert run.summary.acc == 0.1
    assert run.summary["_step"] == 1
    assert "_runtime" in run.summary and "_timestamp" in run.summary
    assert all(r.summary is None for r in writer.of(HistoryRow))


def test_explicit_assignment_is_recorded_and_overridden_by_the_next_log(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.log({"acc": 0.5})
    run.summary["acc"] = 0.9
    run.summary.best = 0.95
    assert run.summary["acc"] == 0.9
    run.log({"acc": 0.6})
    assert run.summary["acc"] == 0.6
    assert run.summary["best"] == 0.95
    updates = [(u.values, u.removed) for u in writer.of(SummaryUpdate)]
    assert updates == [({"acc": 0.9}, ()), ({"best": 0.95}, ())]


def test_summary_update_and_delete_write_one_record_each(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.summary.update({"a": 1, "b": np.float32(2.0)})
    del run.summary["a"]
    assert "a" not in run.summary
    assert run.summary.get("missing", 7) == 7
    assert [(u.values, u.removed) for u in writer.of(SummaryUpdate)] == [
        ({"a": 1, "b": 2.0}, ()),
        ({}, ("a",)),
    ]


def test_nested_logged_values_stay_nested_in_the_summary(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.log({"val": {"loss": 1.0, "acc": 0.5}})
    run.log({"val": {"loss": 0.5}})
    assert run.summary["val"]["loss"] == 0.5
    assert run.summary["val"]["acc"] == 0.5
    first, second = writer.of(HistoryRow)
    assert first.values == {"val.loss": 1.0, "val.acc": 0.5}
    assert first.summary == {"val": {"loss": 1.0, "acc": 0.5}}
    assert second.summary == {"val": {"loss": 0.5, "acc": 0.5}}


def test_flat_key_with_a_dot_stays_a_flat_summary_key(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.log({"a.b": 1})
    assert run.summary["a.b"] == 1
    assert writer.of(HistoryRow)[0].summary is None


def test_assignment_in_a_nested_summary_dict_writes_the_whole_top_level_entry(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.summary["best"] = {"loss": 1.0, "epoch": 3}
    nested = run.summary["best"]
    nested["loss"] = 0.5
    assert run.summary["best"]["loss"] == 0.5
    assert nested == {"loss": 0.5, "epoch": 3}
    del run.summary["best"]["epoch"]
    assert [u.values for u in writer.of(SummaryUpdate)] == [
        {"best": {"loss": 1.0, "epoch": 3}},
        {"best": {"loss": 0.5, "epoch": 3}},
        {"best": {"loss": 0.5}},
    ]


def test_summary_changes_never_alter_a_dict_already_written(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.log({"val": {"loss": 1.0}})
    run.summary["val"]["loss"] = 0.0
    assert writer.of(HistoryRow)[0].summary == {"val": {"loss": 1.0}}


def test_large_array_assigned_to_summary_becomes_statistics(
    memory_run: Callable[..., Any],
) -> None:
    run, _ = memory_run()
    run.summary["weights"] = np.arange(100, dtype=np.float64)
    stats = run.summary["weights"]
    assert stats["_type"] == "numpy.ndarray"
    assert stats["size"] == 100
    assert stats["min"] == 0.0 and stats["max"] == 99.0
    assert stats["mean"] == pytest.approx(49.5)
    assert set(stats.keys()) >= {"var", "10%", "25%", "75%", "90%"}


def test_summary_keys_hide_internal_wandb_entry(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    run.summary["_wandb"] = {"runtime": 1}
    run.summary["x"] = 1
    assert run.summary.keys() == ["x"]
    assert "_wandb" in run.summary
    assert dict(run.summary.items()) == {"x": 1}
