"""System samples and console output, ingested: series under system/, never history rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from trackboard.errors import InvalidInputError
from trackboard.ingest.apply import apply_records
from trackboard.query.history import exact_rows, scan, system_rows
from trackboard.records import (
    ConsoleOutput,
    Exit,
    HistoryRow,
    Record,
    RunStart,
    SystemSample,
)
from trackboard.store.sql import SqlStore


def _start(session: str = "s1", resumed: bool = False) -> RunStart:
    return RunStart(
        seq=0,
        session=session,
        run_id="r1",
        entity="e",
        project="p",
        start_time=1000.0,
        resumed=resumed,
    )


def _row(seq: int, step: int, loss: float) -> HistoryRow:
    return HistoryRow(seq, step, 1000.0 + step, float(step), {"loss": loss})


def _sample(seq: int, runtime: float, cpu: float, **more: float) -> SystemSample:
    return SystemSample(seq, 1000.0 + runtime, runtime, {"cpu": cpu, **more})


def _first_session() -> list[Record]:
    return [
        _start(),
        _sample(1, 0.4, 10.0, **{"gpu.0.gpu": 50.0}),
        _row(2, 0, 3.0),
        _row(3, 1, 2.0),
        _sample(4, 5.2, 20.0),
        _sample(5, 5.9, 30.0),  # the same second: replaces the previous sample
        _row(6, 2, 1.0),
        ConsoleOutput(7, 1003.0, "stdout", "epoch 2"),
        _sample(8, 100.0, 40.0),
    ]


def test_system_samples_become_series_stepped_by_runtime_seconds(store: SqlStore) -> None:
    result = apply_records(store, _first_session())
    assert result.run is not None
    pk = result.run.pk

    cpu = store.series(pk, "system/cpu")

    assert cpu.steps.tolist() == [0, 5, 100]
    assert cpu.values.tolist() == [10.0, 30.0, 40.0]
    assert cpu.walls.tolist() == pytest.approx([1000.4, 1005.9, 1100.0])
    assert store.series(pk, "system/gpu.0.gpu").values.tolist() == [50.0]


def test_system_samples_never_move_the_last_step_or_the_step_summary(store: SqlStore) -> None:
    run = apply_records(store, _first_session()).run
    assert run is not None

    assert run.last_step == 2
    assert run.summary["_step"] == 2
    assert "system/cpu" not in run.summary and "cpu" not in run.summary


def test_system_samples_never_appear_in_history_rows(store: SqlStore) -> None:
    run = apply_records(store, _first_session()).run
    assert run is not None

    rows = list(scan(store, run.pk))
    exact = exact_rows(store, run.pk)

    assert [r["_step"] for r in rows] == [0, 1, 2]
    assert all(set(r) == {"_step", "_runtime", "_timestamp", "loss"} for r in rows)
    assert exact == rows


def test_a_resumed_session_rewinding_steps_ignores_system_series(store: SqlStore) -> None:
    apply_records(store, _first_session())
    resumed: list[Record] = [
        _start("s2", resumed=True),
        _sample(1, 50.0, 1.0),  # rewinds system/cpu (stored up to 100 s)
        _row(2, 1, 9.0),  # rewinds the history to step 1
        _sample(3, 300.0, 2.0),
        Exit(4, 1300.0, 300.0, 0, "finished"),
    ]

    run = apply_records(store, resumed).run
    assert run is not None

    assert run.last_step == 1
    assert store.series(run.pk, "system/cpu").steps.tolist() == [0, 5, 50, 300]
    assert [r["_step"] for r in scan(store, run.pk)] == [0, 1]


def test_console_output_records_are_stored_as_lines(store: SqlStore) -> None:
    records: list[Record] = [
        _start(),
        ConsoleOutput(1, 1001.0, "stdout", "hello"),
        _row(2, 0, 1.0),
        ConsoleOutput(3, 1002.0, "stderr", "warning: slow"),
    ]

    run = apply_records(store, records).run
    assert run is not None

    lines, total = store.console_lines(run.pk)
    assert total == 2
    assert [(x.n, x.time, x.stream, x.text) for x in lines] == [
        (1, 1001.0, "stdout", "hello"),
        (2, 1002.0, "stderr", "warning: slow"),
    ]
    assert run.last_step == 0


def test_replayed_console_records_are_stored_once(store: SqlStore) -> None:
    records: list[Record] = [_start(), ConsoleOutput(1, 1001.0, "stdout", "once")]
    apply_records(store, records)

    again = apply_records(store, records)

    assert again.applied == 0 and again.skipped == 2
    assert again.run is None
    pk = store.run("e", "p", "r1").pk
    assert store.console_lines(pk)[1] == 1


def test_a_bad_system_value_is_left_out_and_the_batch_kept(store: SqlStore) -> None:
    records: list[Record] = [
        _start(),
        SystemSample(1, 1000.5, 0.5, {"cpu": 5.0, "odd": "text", "x" * 300: 1.0}),  # type: ignore[dict-item]
        SystemSample(2, 1001.0, float("nan"), {"cpu": 6.0}),
        _row(3, 0, 1.0),
    ]

    run = apply_records(store, records).run
    assert run is not None

    assert [k.name for k in store.keys(run.pk)] == ["_runtime", "loss", "system/cpu"]
    assert store.series(run.pk, "system/cpu").values.tolist() == [5.0]


def test_a_second_sampled_in_two_batches_keeps_the_last_sample(store: SqlStore) -> None:
    records: list[Record] = [_start(), _sample(1, 3.1, 1.0), _sample(2, 3.8, 2.0), _row(3, 0, 1.0)]

    run = apply_records(store, records, batch_records=2).run  # the samples in two batches
    assert run is not None

    cpu = store.series(run.pk, "system/cpu")
    assert (cpu.steps.tolist(), cpu.values.tolist()) == ([3], [2.0])
    assert run.last_step == 0


def test_system_rows_are_wandbs_system_stream(store: SqlStore) -> None:
    result = apply_records(store, _first_session())
    assert result.run is not None
    rows, was_sampled = system_rows(store, result.run.pk)
    assert not was_sampled
    assert rows == [
        {
            "_wandb": True,
            "_runtime": 0.0,
            "_timestamp": 1000.4,
            "system.cpu": 10.0,
            "system.gpu.0.gpu": 50.0,
        },
        {"_wandb": True, "_runtime": 5.0, "_timestamp": 1005.9, "system.cpu": 30.0},
        {"_wandb": True, "_runtime": 100.0, "_timestamp": 1100.0, "system.cpu": 40.0},
    ]
    two, was_sampled = system_rows(store, result.run.pk, samples=2)
    assert was_sampled and [r["_runtime"] for r in two] == [0.0, 100.0]


def test_api_history_reads_the_system_stream(root: Path) -> None:
    import trackboard

    run = trackboard.init(project="p", settings={"x_stats_sampling_interval": 0.05})
    run.log({"loss": 1.0})
    run.finish()
    api_run = trackboard.Api().run(f"p/{run.id}")
    frame = api_run.history(stream="system")
    assert len(frame) >= 1 and "system.memory_percent" in frame.columns
    assert frame["_wandb"].all() and (frame["_runtime"] >= 0).all()
    assert list(api_run.history(pandas=False)[0]) == ["_step", "_runtime", "_timestamp", "loss"]
    with pytest.raises(InvalidInputError, match="keys cannot be given with stream='system'"):
        api_run.history(keys=["loss"], stream="system")
    with pytest.raises(InvalidInputError, match="stream must be 'default' or 'system'"):
        api_run.history(stream="events")
