"""Turn a run's records into the changes one ``Store.append`` applies.

Pure functions, no I/O: the same code serves the run-log follower, ``Api()`` catching up and
(later) the HTTP ingest route. Records are applied in ``seq`` order, so what the store ends up
with is exactly what the training process saw: a summary entry set by a history row and then
overwritten by an explicit assignment ends as the assignment, and the other way round.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trackboard.records import (
    RUNTIME_KEY,
    STOP_REASON_KEY,
    SYSTEM_PREFIX,
    ConfigUpdate,
    ConsoleOutput,
    Exit,
    Heartbeat,
    HistoryRow,
    MetricDefinition,
    Record,
    RunStart,
    RunUpdate,
    SummaryUpdate,
    SystemSample,
)
from trackboard.store.base import MAX_KEY_LENGTH, RunChanges, SeriesColumns


@dataclass(frozen=True, slots=True)
class RunIdentity:
    entity: str
    project: str
    run_id: str
    session: str

    @classmethod
    def of(cls, start: RunStart) -> RunIdentity:
        return cls(start.entity, start.project, start.run_id, start.session)


@dataclass
class _SeriesBuilder:
    steps: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)

    def add(self, step: int, value: float, wall: float) -> None:
        steps = self.steps
        if steps and step <= steps[-1]:
            # A lower step inside one batch can only come from two sessions' rows being mixed;
            # keep the series strictly increasing by dropping what the new point rewinds.
            while steps and steps[-1] >= step:
                steps.pop()
                self.values.pop()
                self.walls.pop()
        steps.append(step)
        self.values.append(value)
        self.walls.append(wall)

    def columns(self) -> SeriesColumns:
        return SeriesColumns(
            steps=np.asarray(self.steps, dtype=np.int64),
            values=np.asarray(self.values, dtype=np.float64),
            walls=np.asarray(self.walls, dtype=np.float64),
        )


def build_changes(identity: RunIdentity, records: Sequence[Record]) -> RunChanges:
    """The changes that ``records`` (one session, in seq order) make to the run.

    ``first_seq`` is the first record's seq; a caller that knows records before it were lost
    (a corrupt frame) lowers it to the store's cursor + 1 to say so.
    """
    if not records:
        raise ValueError("build_changes needs at least one record")
    changes = RunChanges(
        entity=identity.entity,
        project=identity.project,
        run_id=identity.run_id,
        session=identity.session,
        first_seq=records[0].seq,
        last_seq=records[-1].seq,
    )
    series: dict[str, _SeriesBuilder] = {}
    summary_set = changes.summary_set
    summary_removed: set[str] = set()
    latest: float | None = None
    saw_exit = False
    last_row: HistoryRow | None = None

    for record in records:
        kind = type(record)
        if kind is HistoryRow:
            assert isinstance(record, HistoryRow)
            _add_row(record, series, changes.other_values)
            if record.summary is None:
                summary_set.update(record.values)
                touched: Iterable[str] = record.values
            else:
                summary_set.update(record.summary)
                touched = record.summary
            if summary_removed:
                summary_removed.difference_update(touched)
            last_row = record
            latest = record.timestamp
        elif kind is SummaryUpdate:
            assert isinstance(record, SummaryUpdate)
            summary_set.update(record.values)
            summary_removed.difference_update(record.values)
            for key in record.removed:
                summary_set.pop(key, None)
                summary_removed.add(key)
        elif kind is ConfigUpdate:
            assert isinstance(record, ConfigUpdate)
            changes.config_set.update(record.values)
            for key in record.removed:
                changes.config_set.pop(key, None)
            changes.config_removed = tuple(
                sorted(set(changes.config_removed).union(record.removed) - set(record.values))
            )
        elif kind is RunStart:
            assert isinstance(record, RunStart)
            changes.start = _start_fields(record)
            changes.state = "running"
            changes.finished_at = None
            latest = record.start_time
        elif kind is MetricDefinition:
            assert isinstance(record, MetricDefinition)
            changes.metrics[record.name] = _metric_fields(record)
        elif kind is RunUpdate:
            assert isinstance(record, RunUpdate)
            changes.meta.update(record.fields)
        elif kind is Heartbeat:
            assert isinstance(record, Heartbeat)
            latest = record.time
            changes.runtime = record.runtime
        elif kind is Exit:
            assert isinstance(record, Exit)
            saw_exit = True
            changes.state = record.state
            changes.exit_code = record.exit_code
            changes.finished_at = record.time
            changes.runtime = record.runtime
            latest = record.time
            if record.dropped_records:
                summary_set["_dropped_records"] = record.dropped_records
            if record.dropped_steps:
                summary_set["_dropped_steps"] = record.dropped_steps
            if record.stop_reason is not None:
                summary_set[STOP_REASON_KEY] = record.stop_reason
        elif kind is SystemSample:
            assert isinstance(record, SystemSample)
            _add_sample(record, series)
            latest = record.time
            if not saw_exit:
                changes.runtime = max(changes.runtime or 0.0, record.runtime)
        elif kind is ConsoleOutput:
            assert isinstance(record, ConsoleOutput)
            changes.console.append((record.time, record.stream, record.text))

    if last_row is not None:
        summary_set["_step"] = last_row.step
        summary_set["_runtime"] = last_row.runtime
        summary_set["_timestamp"] = last_row.timestamp
        if not saw_exit:
            changes.runtime = max(changes.runtime or 0.0, last_row.runtime)
    if changes.state is None and not saw_exit:
        # New records from a live writer: a run wrongly marked crashed comes back to life.
        changes.state = "running"
    changes.summary_removed = tuple(sorted(summary_removed))
    changes.heartbeat_at = latest
    changes.series = {key: builder.columns() for key, builder in series.items()}
    return changes


def _add_row(
    row: HistoryRow,
    series: dict[str, _SeriesBuilder],
    others: list[tuple[int, str, Any]],
) -> None:
    step = row.step
    wall = row.timestamp
    builder = series.get(RUNTIME_KEY)
    if builder is None:
        builder = series[RUNTIME_KEY] = _SeriesBuilder()
    builder.add(step, row.runtime, wall)
    for key, value in row.values.items():
        kind = type(value)
        if kind is float or kind is int or kind is bool:
            builder = series.get(key)
            if builder is None:
                builder = series[key] = _SeriesBuilder()
            builder.add(step, float(value), wall)
        else:
            others.append((step, key, value))


def _add_sample(sample: SystemSample, series: dict[str, _SeriesBuilder]) -> None:
    """A system sample as points of the ``system/<name>`` series at step ``int(runtime)``.

    Steps are whole seconds of runtime, apart from the history's steps: a second sampled twice
    keeps its last sample (the builder drops what a point rewinds). A value that is not a
    number, or a name too long for a key, is left out rather than refusing the batch.
    """
    if not math.isfinite(sample.runtime):
        return
    step = max(0, int(sample.runtime))
    wall = sample.time
    for name, value in sample.values.items():
        kind = type(value)
        if kind is not float and kind is not int:
            continue
        key = SYSTEM_PREFIX + str(name)
        if len(key) > MAX_KEY_LENGTH:
            continue
        builder = series.get(key)
        if builder is None:
            builder = series[key] = _SeriesBuilder()
        builder.add(step, float(value), wall)


def _start_fields(start: RunStart) -> dict[str, Any]:
    return {
        "name": start.name,
        "group": start.group,
        "job_type": start.job_type,
        "tags": tuple(start.tags),
        "notes": start.notes,
        "host": start.host,
        "pid": start.pid,
        "program": start.program,
        "args": tuple(start.args),
        "sweep_id": start.sweep_id,
        "start_time": start.start_time,
        "resumed": start.resumed,
    }


def _metric_fields(metric: MetricDefinition) -> dict[str, Any]:
    return {
        "step_metric": metric.step_metric,
        "step_sync": metric.step_sync,
        "hidden": metric.hidden,
        "summary": list(metric.summary),
        "goal": metric.goal,
    }
