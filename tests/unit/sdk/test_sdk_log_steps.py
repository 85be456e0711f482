"""``log()``'s step and commit rules: wandb-api.md 2.1, reproduced through the run log."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import trackboard
from trackboard.errors import UsageError
from trackboard.records import Exit, HistoryRow

DROP_WARNING = (
    "trackboard: WARNING Tried to log to step 5 that is less than the current step 10. "
    "Steps must be monotonically increasing, so this data will be ignored."
)


def rows(records: Callable[..., list[Any]], run: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(r.step, r.values) for r in records(run, HistoryRow)]


def test_log_reproduces_the_worked_example_of_wandb(
    root: Path, records: Callable[..., list[Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    run = trackboard.init(project="p")
    trackboard.log({"a": 1})
    assert run.step == 1
    trackboard.log({"b": 2}, commit=False)
    trackboard.log({"c": 3}, commit=False)
    assert run.step == 1
    trackboard.log({"d": 4})
    assert run.step == 2
    trackboard.log({"e": 5}, step=10)
    assert run.step == 10
    trackboard.log({"f": 6}, step=10)
    trackboard.log({"g": 7}, step=5)
    trackboard.log({"h": 8})
    assert run.step == 11
    trackboard.log({"i": 9})
    trackboard.finish()

    assert rows(records, run) == [
        (0, {"a": 1}),
        (1, {"b": 2, "c": 3, "d": 4}),
        (10, {"e": 5, "f": 6, "h": 8}),
        (11, {"i": 9}),
    ]
    err = capsys.readouterr().err
    assert DROP_WARNING in err.splitlines()
    assert err.count("Tried to log to step") == 1
    (exit_record,) = records(run, Exit)
    assert exit_record.dropped_steps == 1
    assert exit_record.state == "finished"


def test_log_of_empty_dict_advances_step_without_writing_a_row(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    run = trackboard.init(project="p")
    run.log({})
    run.log({})
    run.log({"a": 1})
    run.finish()
    assert rows(records, run) == [(2, {"a": 1})]


def test_finish_flushes_the_pending_row_of_an_explicit_step(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    run = trackboard.init(project="p")
    run.log({"x": 1}, step=3)
    run.log({"y": 2}, commit=False)
    run.finish()
    assert rows(records, run) == [(3, {"x": 1, "y": 2})]


def test_log_with_step_and_commit_true_writes_the_row_at_once(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.log({"x": 1}, step=2, commit=True)
    assert [(r.step, r.values) for r in writer.of(HistoryRow)] == [(2, {"x": 1})]
    assert run.step == 3


def test_log_merges_later_values_of_a_key_over_earlier_ones_in_one_row(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.log({"x": 1, "y": 1}, commit=False)
    run.log({"x": 2})
    assert [r.values for r in writer.of(HistoryRow)] == [{"x": 2, "y": 1}]


def test_each_dropped_call_prints_one_warning_and_counts_in_exit(
    memory_run: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    run, writer = memory_run()
    run.log({"a": 1}, step=10)
    run.log({"b": 1, "c": 2}, step=5)
    run.log({"b": 1}, step=9)
    run.finish()
    assert capsys.readouterr().err.count("Tried to log to step") == 2
    assert writer.of(Exit)[0].dropped_steps == 2
    assert [r.values for r in writer.of(HistoryRow)] == [{"a": 1}]


def test_row_carries_runtime_and_timestamp_of_the_last_call(
    memory_run: Callable[..., Any],
) -> None:
    before = time.time()
    run, writer = memory_run()
    run.log({"a": 1}, commit=False)
    run.log({"b": 1})
    after = time.time()
    (row,) = writer.of(HistoryRow)
    assert before <= row.timestamp <= after
    assert 0 <= row.runtime <= after - before
    assert "_step" not in row.values and "_runtime" not in row.values


def test_user_step_key_is_dropped_silently(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.log({"_step": 99, "a": 1})
    assert [(r.step, r.values) for r in writer.of(HistoryRow)] == [(0, {"a": 1})]


def test_numpy_integer_step_is_accepted(memory_run: Callable[..., Any]) -> None:
    run, writer = memory_run()
    run.log({"a": 1}, step=np.int64(4), commit=True)
    assert [r.step for r in writer.of(HistoryRow)] == [4]


def test_step_that_is_not_an_integer_raises_type_error(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    with pytest.raises(TypeError, match="step must be an int"):
        run.log({"a": 1}, step=1.5)


def test_log_of_a_non_mapping_raises_type_error(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    with pytest.raises(TypeError, match="must be a dict"):
        run.log([("a", 1)])


def test_log_with_a_non_string_key_raises_type_error_naming_it(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    with pytest.raises(TypeError, match=r"key 3 is not a str"):
        run.log({"a": 1, 3: 2})
    with pytest.raises(TypeError, match=r"\(1, 2\)"):
        run.log({"n": {(1, 2): 1}})
    run.finish()
    assert writer.of(HistoryRow) == []


def test_log_after_finish_raises_usage_error(memory_run: Callable[..., Any]) -> None:
    run, _ = memory_run()
    run.finish()
    with pytest.raises(UsageError, match=r"Run \(abcd1234\) is finished. The call to `log`"):
        run.log({"a": 1})


def test_module_log_before_init_raises_trackboard_error() -> None:
    with pytest.raises(trackboard.Error, match=r"You must call trackboard.init\(\) before"):
        trackboard.log({"a": 1})
