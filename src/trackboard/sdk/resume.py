"""Reading an existing run back from its run log, to resume it.

wandb asks its server for the last step, config, summary and runtime of the run; trackboard
reads the run log, which holds all of them. The records are replayed by the rules the ingester
applies (config and summary updates in ``seq`` order, a history row's summary entries), and the
statistics behind ``define_metric`` summaries (min, max, mean, first, last) are rebuilt from
every logged value, so a resumed ``summary="mean"`` keeps averaging over the whole run.

Sessions follow one another in the file. A session that started again from a lower step (an
``id=`` reused without ``resume``) rewinds the history, so the last step is the step of the last
row, not the largest one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackboard.records import (
    ConfigUpdate,
    Exit,
    Heartbeat,
    HistoryRow,
    RunStart,
    RunUpdate,
    SummaryUpdate,
)
from trackboard.runlog import ReadResult, iter_records
from trackboard.sdk.summary import Aggregate

RUN_LOG_NAME = "run.log"
FILES_DIR_NAME = "files"


@dataclass
class StoredRun:
    """What a run log says about its run, as of its last record."""

    run_id: str | None = None
    name: str | None = None
    notes: str | None = None
    group: str | None = None
    job_type: str | None = None
    tags: tuple[str, ...] = ()
    sweep_id: str | None = None
    start_time: float | None = None
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    aggregates: dict[str, Aggregate] = field(default_factory=dict)
    last_step: int | None = None
    runtime: float = 0.0
    state: str = "running"
    sessions: int = 0
    corrupt_frames: int = 0
    torn_tail_bytes: int = 0

    @property
    def next_step(self) -> int:
        """The step a resumed run continues at."""
        return 0 if self.last_step is None else self.last_step + 1


def read_stored_run(path: Path) -> StoredRun:
    """Replay the run log at ``path``; raises RunLogError when it is not a run log."""
    stored = StoredRun()
    result = ReadResult()
    for record in iter_records(path, into=result):
        kind = type(record)
        if kind is HistoryRow:
            assert isinstance(record, HistoryRow)
            _apply_row(stored, record)
        elif kind is ConfigUpdate:
            assert isinstance(record, ConfigUpdate)
            stored.config.update(record.values)
            for key in record.removed:
                stored.config.pop(key, None)
        elif kind is SummaryUpdate:
            assert isinstance(record, SummaryUpdate)
            stored.summary.update(record.values)
            for key in record.removed:
                stored.summary.pop(key, None)
        elif kind is RunStart:
            assert isinstance(record, RunStart)
            _apply_start(stored, record)
        elif kind is RunUpdate:
            assert isinstance(record, RunUpdate)
            _apply_update(stored, record.fields)
        elif kind is Heartbeat:
            assert isinstance(record, Heartbeat)
            stored.runtime = record.runtime
        elif kind is Exit:
            assert isinstance(record, Exit)
            stored.runtime = record.runtime
            stored.state = record.state
    stored.corrupt_frames = result.corrupt_frames
    stored.torn_tail_bytes = result.torn_tail_bytes
    return stored


def _apply_start(stored: StoredRun, start: RunStart) -> None:
    stored.sessions += 1
    stored.state = "running"
    stored.run_id = start.run_id
    if stored.start_time is None:
        stored.start_time = start.start_time
    stored.runtime = start.runtime_offset
    for name in ("name", "notes", "group", "job_type", "sweep_id"):
        value = getattr(start, name)
        if value is not None:
            setattr(stored, name, value)
    if start.tags:
        stored.tags = tuple(start.tags)


def _apply_update(stored: StoredRun, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name == "tags":
            stored.tags = tuple(str(t) for t in value or ())
        elif name in ("name", "notes", "group", "job_type"):
            setattr(stored, name, value)


def _apply_row(stored: StoredRun, row: HistoryRow) -> None:
    stored.last_step = row.step
    stored.runtime = row.runtime
    summary = stored.summary
    if row.summary is None:
        summary.update(row.values)
    else:
        summary.update(row.summary)
    summary["_step"] = row.step
    summary["_runtime"] = row.runtime
    summary["_timestamp"] = row.timestamp
    aggregates = stored.aggregates
    for key, value in row.values.items():
        aggregate = aggregates.get(key)
        if aggregate is None:
            aggregate = aggregates[key] = Aggregate()
        aggregate.add(value)
