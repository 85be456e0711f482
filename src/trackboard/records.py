"""The records a run is made of, one frozen dataclass per kind.

A run's history is a sequence of records. The SDK writes them to the run log, the ingester
applies them to a store, and the uploader sends them over HTTP; every layer speaks these types
and nothing else. This module is stdlib only: the encoding lives in ``trackboard.runlog``.

Every record carries ``seq``: a counter from 0 within one *writer session* (one process that
opened the run: a first start, a resume, a sweep retry). A session begins with a
:class:`RunStart` naming it, so ``(run_id, session, seq)`` identifies a record everywhere and
makes ingest and upload idempotent.

Values inside records are plain JSON-like data (``None``, ``bool``, ``int``, ``float`` including
NaN and infinities, ``str``, lists and string-keyed dicts of those). The SDK converts numpy and
torch values before a record is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

JSONValue: TypeAlias = Any
"""A value made of None, bool, int, float, str, list and dict[str, ...]."""


@dataclass(frozen=True, slots=True)
class RunStart:
    """First record of every writer session; the run's identity and metadata at that time."""

    seq: int
    session: str
    run_id: str
    entity: str
    project: str
    start_time: float
    name: str | None = None
    group: str | None = None
    job_type: str | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None
    host: str | None = None
    pid: int | None = None
    program: str | None = None
    args: tuple[str, ...] = ()
    python: str | None = None
    sweep_id: str | None = None
    resumed: bool = False
    starting_step: int = 0
    runtime_offset: float = 0.0


@dataclass(frozen=True, slots=True)
class ConfigUpdate:
    """Top-level config keys set (``values``) and removed (``removed``) since the last update."""

    seq: int
    values: dict[str, JSONValue]
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One committed history row.

    ``values`` holds the logged keys, nested dicts already flattened to dotted keys; it never
    contains the automatic ``_step``, ``_runtime`` and ``_timestamp``, which are the fields.

    ``summary`` is what this row does to the run summary, applied as "set these top-level keys".
    ``None`` (the usual case: every key logged flat, no ``define_metric`` summary rule) means
    ``summary[key] = value`` for every key of ``values``. A dict means exactly those top-level
    entries are set and every other key is left alone; the SDK sends one when

    * a ``define_metric`` summary rule applies to a key of the row: the entry is the dict of the
      requested statistics (``{"loss": {"min": 0.1}}``); keys with summary ``"none"`` are absent;
      keys of the row without a rule are in it with their value;
    * a key came from a nested dict (``log({"a": {"b": 1}})`` gives the history key ``"a.b"``):
      the summary stays nested, so the entry is the *whole* merged top-level dict as the SDK
      holds it after this row (``{"a": {"b": 1, "c": 2}}``, keeping ``a.c`` logged earlier).

    A key logged flat that contains a dot (``log({"a.b": 1})``) stays a flat summary key. The SDK
    computes the entries, so the summary survives a crash with the history.
    """

    seq: int
    step: int
    timestamp: float
    runtime: float
    values: dict[str, JSONValue]
    summary: dict[str, JSONValue] | None = None


@dataclass(frozen=True, slots=True)
class SummaryUpdate:
    """Summary keys set (nested values allowed) and removed since the last update."""

    seq: int
    values: dict[str, JSONValue]
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    """What ``define_metric`` declared for a key or a ``prefix*`` glob.

    Written for every ``define_metric`` call (the definition merged with earlier calls for the
    same name), and once for each key a glob is first applied to (that key's own definition).
    ``name`` and ``step_metric`` are history keys: dotted, with wandb's ``\\.`` escapes removed.
    """

    seq: int
    name: str
    step_metric: str | None = None
    step_sync: bool | None = None
    hidden: bool | None = None
    summary: tuple[str, ...] = ()
    goal: str | None = None


@dataclass(frozen=True, slots=True)
class RunUpdate:
    """Run metadata changed after start: any of name, tags, notes, group, job_type."""

    seq: int
    fields: dict[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The writer is alive; written every 30 s so a dead process can be told from a slow one."""

    seq: int
    time: float
    runtime: float


@dataclass(frozen=True, slots=True)
class Exit:
    """The run ended. ``state`` is one of finished, failed, killed, crashed, preempted."""

    seq: int
    time: float
    runtime: float
    exit_code: int
    state: str
    dropped_records: int = 0
    dropped_steps: int = 0
    stop_reason: str | None = None
    """Why the sweep's early termination stopped the run (state ``killed``), else None."""


@dataclass(frozen=True, slots=True)
class SystemSample:
    """One sample of the machine and the process (CPU, memory, disk, network, GPU).

    ``values`` maps wandb's system metric names (``cpu``, ``memory_percent``, ``gpu.0.gpu``...)
    to numbers; ingest stores each as the series ``system/<name>`` at step ``int(runtime)``.
    """

    seq: int
    time: float
    runtime: float
    values: dict[str, float]


@dataclass(frozen=True, slots=True)
class ConsoleOutput:
    """One line the script wrote to ``stream`` ("stdout" or "stderr"), without its newline.

    A carriage-return progress bar is collapsed to its last state; a line longer than the SDK's
    cap comes as several records."""

    seq: int
    time: float
    stream: str
    text: str


Record: TypeAlias = (
    RunStart
    | ConfigUpdate
    | HistoryRow
    | SummaryUpdate
    | MetricDefinition
    | RunUpdate
    | Heartbeat
    | Exit
    | SystemSample
    | ConsoleOutput
)

RECORD_TYPES: tuple[type[Record], ...] = (
    RunStart,
    ConfigUpdate,
    HistoryRow,
    SummaryUpdate,
    MetricDefinition,
    RunUpdate,
    Heartbeat,
    Exit,
    SystemSample,
    ConsoleOutput,
)
"""Every record kind, in the order of their wire tags (index = tag). Append only."""

RUNTIME_KEY = "_runtime"
"""Stored, every history row adds a point to this series: its steps are the run's row steps and
its wall times the rows' ``_timestamp``, so reads page over it."""

STOP_REASON_KEY = "_stop_reason"
"""Stored, an :class:`Exit`'s ``stop_reason`` is this key of the run's summary."""

SYSTEM_PREFIX = "system/"
"""Stored, the series of a :class:`SystemSample` value ``name`` is ``system/<name>``; its steps
are seconds of runtime, so it never counts as a history row or moves the run's last step."""

RUN_STATES = ("running", "finished", "failed", "crashed", "killed", "preempted")
