"""``Run``: one run being recorded, wandb-shaped (``research/wandb-api.md`` 1 and 2).

A run turns calls into records and hands them to its writer (``Run(writer=...)``), which owns
the disk. ``log()`` never waits on I/O: it converts the values, runs the step rules
(:mod:`trackboard.sdk.history`), and on a commit builds a :class:`HistoryRow` and calls
``writer.submit``. Plain rows (str keys; float, int, bool, str or None values; no
``define_metric`` rules) take a fast path that allocates nothing but the row and its record.

Records of one writer session are numbered from 0 (``seq``): a :class:`RunStart`, the initial
:class:`ConfigUpdate`, then whatever the run does, and :class:`Exit` at ``finish()``. A
:class:`Heartbeat` is added every ``settings.heartbeat_interval`` seconds from the writer's
thread, so one lock keeps ``seq`` in file order.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from trackboard.errors import InvalidInputError, RunStoppedError, UsageError
from trackboard.records import (
    ConfigUpdate,
    ConsoleOutput,
    Exit,
    Heartbeat,
    HistoryRow,
    MetricDefinition,
    Record,
    RunUpdate,
    SummaryUpdate,
    SystemSample,
)
from trackboard.sdk.artifacts import Artifact, log_artifact, use_artifact
from trackboard.sdk.config import Config
from trackboard.sdk.files import save_files
from trackboard.sdk.history import History, Paths, as_step
from trackboard.sdk.identity import RunIdentity, RunSpec
from trackboard.sdk.media_binding import bind_media, file_writer
from trackboard.sdk.metrics import Metric, MetricRegistry, declare
from trackboard.sdk.printer import DEFAULT_PRINTER, Printer
from trackboard.sdk.summary import Summary, SummaryState
from trackboard.sdk.values import (
    FAST_NO_INT,
    FAST_TYPES,
    MediaBinder,
    convert_row,
    ints_in_range,
    is_chart,
)
from trackboard.settings import Settings

if TYPE_CHECKING:
    from trackboard.sdk.watch import Watcher

MAX_KEY_LENGTH = 256
MAX_KEYS = 10_000
_time = time.time


class Writer(Protocol):
    """What a run needs from its run log writer."""

    @property
    def dropped(self) -> int: ...

    def submit(self, record: Record) -> None: ...

    def close(self, timeout: float = 30.0) -> bool: ...


class Run(RunIdentity):
    """A run being recorded; returned by ``trackboard.init()``."""

    def __init__(
        self,
        *,
        writer: Writer,
        settings: Settings,
        spec: RunSpec,
        config: Config | None = None,
        printer: Printer = DEFAULT_PRINTER,
        on_finish: Callable[[Run, int], None] | None = None,
        start_time: float | None = None,
        finish_timeout: float = 30.0,
    ) -> None:
        self._lock = threading.Lock()
        self._writer = writer
        self._submit = writer.submit
        self._settings = settings
        self._spec = spec
        self._printer = printer
        self._on_finish = on_finish
        self._finish_timeout = finish_timeout
        self._session = secrets.token_hex(8)
        self._seq = 0
        self._finished = False
        self._preempting = False
        self._stop_reason: str | None = None
        self._start_time = _time() if start_time is None else start_time
        self._t0 = self._start_time - spec.runtime_offset
        self._heartbeat_interval = settings.heartbeat_interval
        self._next_heartbeat = time.monotonic() + self._heartbeat_interval
        self._seen: set[str] = set()
        self._registry: MetricRegistry | None = None
        self._watcher: Watcher | None = None
        self._media_files: Any = None  # the background FileWriter, made by the first media value
        self._before_exit: list[Callable[[], None]] = []
        self._history = History(self._emit_row, spec.starting_step)
        self._state = SummaryState(spec.summary)
        self._state.aggregates.update(spec.aggregates)
        self._summary = Summary(
            self._state, self._emit_summary, self._lock, self._media_binder("summary")
        )
        self._config = config if config is not None else Config()
        self._config._bind(self._emit_config, self._lock)
        with self._lock:
            self._emit(spec.start_record(self._session, self._start_time))
            self._emit(ConfigUpdate(seq=self._seq, values=self._config.as_dict()))

    # ----------------------------------------------------------------------------- records
    def _emit(self, record: Record) -> None:
        """Hand a record to the writer; the caller holds the lock and numbered it ``_seq``."""
        self._seq += 1
        self._submit(record)

    def _emit_row(self, step: int, ts: float, values: dict[str, Any], paths: Paths | None) -> None:
        runtime = ts - self._t0
        state = self._state
        if paths is None and self._registry is None:
            state.data.update(values)
            summary = None
        else:
            summary = self._apply_metrics(values, paths)
        data = state.data
        data["_step"] = step
        data["_runtime"] = runtime
        data["_timestamp"] = ts
        seq = self._seq
        self._seq = seq + 1
        self._submit(HistoryRow(seq, step, ts, runtime, values, summary))

    def _apply_metrics(self, values: dict[str, Any], paths: Paths | None) -> dict[str, Any] | None:
        registry = self._registry
        if registry is not None:
            registry.sync_steps(values)
        summary = self._state.apply_row(values, paths, registry)
        if registry is not None:
            for metric in registry.take_expanded():
                self._emit_metric(metric)
        return summary

    def _emit_metric(self, metric: Metric) -> None:
        self._emit(
            MetricDefinition(
                seq=self._seq,
                name=metric.name,
                step_metric=metric.step_metric,
                step_sync=metric.step_sync,
                hidden=metric.hidden,
                summary=metric.summary,
                goal=metric.goal,
            )
        )

    def _emit_config(self, values: dict[str, Any], removed: tuple[str, ...]) -> None:
        if self._finished:
            self._printer.warn_once(f"run {self.id} is finished; config changes are not recorded")
            return
        self._emit(ConfigUpdate(seq=self._seq, values=values, removed=removed))

    def _emit_summary(self, values: dict[str, Any], removed: tuple[str, ...]) -> None:
        if self._finished:
            self._printer.warn_once(f"run {self.id} is finished; summary changes are not recorded")
            return
        self._emit(SummaryUpdate(seq=self._seq, values=values, removed=removed))

    def _on_tick(self) -> None:
        """Called on the writer's thread every flush interval: heartbeats."""
        if time.monotonic() < self._next_heartbeat:
            return
        self._next_heartbeat = time.monotonic() + self._heartbeat_interval
        with self._lock:
            if self._finished:
                return
            now = _time()
            self._emit(Heartbeat(seq=self._seq, time=now, runtime=now - self._t0))

    def _emit_system(self, when: float, values: dict[str, float]) -> bool:
        """Record a system metrics sample (the monitor's thread); False once finished."""
        with self._lock:
            if self._finished:
                return False
            self._emit(SystemSample(self._seq, when, when - self._t0, values))
            return True

    def _emit_console(self, lines: Iterable[tuple[float, str, str]]) -> bool:
        """Record captured ``(time, stream, text)`` lines, in order; False once finished."""
        with self._lock:
            if self._finished:
                return False
            for when, stream, text in lines:
                self._emit(ConsoleOutput(self._seq, when, stream, text))
            return True

    def _add_before_exit(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` once at finish, before the exit record (stop a monitor, flush output)."""
        self._before_exit.append(hook)

    def _run_before_exit(self) -> None:
        hooks, self._before_exit = self._before_exit, []
        for hook in hooks:
            try:
                hook()
            except Exception as exc:
                self._printer.warn(f"run {self.id}: {exc!r} while finishing")

    # ------------------------------------------------------------------------------- log
    def log(
        self,
        data: Mapping[str, Any],
        step: int | None = None,
        commit: bool | None = None,
        sync: bool | None = None,
    ) -> None:
        """Log a row of values; wandb's step and commit rules (``research/wandb-api.md`` 2.1).

        After :meth:`request_stop` the call logs nothing: it finishes the run as ``killed``
        and raises :class:`~trackboard.errors.RunStoppedError`.
        """
        if self._stop_reason is not None:
            self._stop()
        now = _time()
        if (
            type(data) is dict
            and self._seen.issuperset(data)
            and (
                FAST_NO_INT.issuperset(map(type, data.values()))
                or (
                    FAST_TYPES.issuperset(map(type, data.values())) and ints_in_range(data.values())
                )
            )
        ):
            values: dict[str, Any] = data
            paths: Paths | None = None
        else:
            values, paths = self._convert(data, step)
        if step is not None and type(step) is not int:
            step = as_step(step)
        with self._lock:
            if self._finished:
                raise UsageError(
                    f"Run ({self._spec.run_id}) is finished. The call to `log` will be ignored. "
                    "Please make sure that you are using an active run."
                )
            current = self._history.step
            if self._history.add(values, paths, step, commit, now):
                return
        self._printer.warn(
            f"Tried to log to step {step} that is less than the current step {current}. "
            "Steps must be monotonically increasing, so this data will be ignored."
        )

    def _convert(self, data: Any, step: Any = None) -> tuple[dict[str, Any], Paths | None]:
        if not isinstance(data, Mapping):
            raise TypeError(
                f"trackboard.log: data must be a dict (a Mapping), got {type(data).__name__}"
            )
        if any(is_chart(v) for v in data.values()):
            data = self._log_charts(data)
        values, paths = convert_row(data, self._media_binder(step))
        if not self._seen.issuperset(values):
            self._admit_keys(values)
        return values, paths

    def _log_charts(self, data: Mapping[Any, Any]) -> dict[Any, Any]:
        """``data`` with each chart replaced by its table(s); the chart descriptions are merged
        into the hidden ``_wandb`` config entry (``research/wandb-api.md`` 5.1)."""
        out: dict[Any, Any] = {}
        for key, value in data.items():
            if is_chart(value):
                history, hidden = value.chart_entries(str(key))
                out.update(history)
                self._config._merge_hidden("_wandb", hidden)
            else:
                out[key] = value
        return out

    def _media_binder(self, step: Any) -> MediaBinder:
        """Binds media to the step of the row they join: ``log()``'s ``step``, else the
        current step; ``"summary"`` for summary assignments."""

        def bind(key: str, value: Any) -> Any:
            if isinstance(step, str):
                row_step: int | str = step
            else:
                row_step = self._history.step if step is None else as_step(step)
            if self._media_files is None:
                self._media_files = file_writer()
            return bind_media(
                key, value, Path(self.dir), row_step, self._printer.warn, self._media_files
            )

        return bind

    def _admit_keys(self, keys: Iterable[str]) -> None:
        seen = self._seen
        new = [k for k in keys if k not in seen]
        for key in new:
            if len(key) > MAX_KEY_LENGTH:
                raise InvalidInputError(
                    f"trackboard.log: key {key!r} is {len(key)} characters long; keys may have "
                    f"at most {MAX_KEY_LENGTH} characters"
                )
        if len(seen) + len(new) > MAX_KEYS:
            raise InvalidInputError(
                f"trackboard.log: a run may have at most {MAX_KEYS} distinct keys; this call "
                f"would add {len(new)} new ones (first: {new[0]!r}) to {len(seen)}"
            )
        seen.update(new)

    def define_metric(
        self,
        name: str,
        step_metric: str | Metric | None = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        overwrite: bool | None = None,
        **kwargs: Any,
    ) -> Metric:
        """Declare a metric's x-axis, visibility and summary (``research/wandb-api.md`` 2.6)."""
        for key in kwargs:
            self._printer.warn_once(f"define_metric({key}=...) is not supported and is ignored")
        metric = declare(
            name, step_metric, step_sync, hidden, summary, goal, warn=self._printer.warn_once
        )
        with self._lock:
            if self._finished:
                raise UsageError(f"Run ({self.id}) is finished; define_metric is not possible")
            if self._registry is None:
                self._registry = MetricRegistry()
            merged = self._registry.define(metric, bool(overwrite))
            self._emit_metric(merged)
        return merged

    # ---------------------------------------------------------------------------- finish
    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        """Flush the pending row, write the exit record and close the run log. Idempotent.

        A run asked to stop (:meth:`request_stop`) finishes as ``killed``.
        """
        state = "killed" if self._stop_reason is not None else None
        self._finish(0 if exit_code is None else int(exit_code), state)

    def _finish(self, exit_code: int, state: str | None = None) -> None:
        """Finish with an explicit ``state`` (``killed`` for a stopped run) if given."""
        if not self._finished:
            self._run_before_exit()
        with self._lock:
            if self._finished:
                return
            self._history.flush()
            if self._media_files is not None and not self._media_files.drain(self._finish_timeout):
                self._printer.warn(
                    f"run {self.id}: not every media file was written within "
                    f"{self._finish_timeout:g} s"
                )
            if state is None:
                if exit_code == 0:
                    state = "finished"
                else:
                    state = "preempted" if self._preempting else "failed"
            now = _time()
            self._emit(
                Exit(
                    seq=self._seq,
                    time=now,
                    runtime=now - self._t0,
                    exit_code=exit_code,
                    state=state,
                    dropped_records=self._writer.dropped,
                    dropped_steps=self._history.dropped_steps,
                    stop_reason=self._stop_reason,
                )
            )
            self._finished = True
        if self._watcher is not None:
            self._watcher.unwatch()
        if not self._writer.close(timeout=self._finish_timeout):
            self._printer.warn(
                f"run {self.id}: not every record reached {self._spec.run_dir / 'run.log'} "
                f"within {self._finish_timeout:g} s"
            )
        if self._on_finish is not None:
            self._on_finish(self, exit_code)

    def request_stop(self, reason: str) -> None:
        """Ask the run to stop (sweep early termination); safe from any thread.

        The run's next :meth:`log` finishes it with state ``killed`` and raises
        :class:`~trackboard.errors.RunStoppedError` carrying ``reason``.
        """
        self._stop_reason = reason

    def _stop(self) -> None:
        reason = self._stop_reason or "stopped"
        self._finish(0, state="killed")
        raise RunStoppedError(f"Run ({self._spec.run_id}) was stopped: {reason}")

    def mark_preempting(self) -> None:
        """The run is about to be preempted: a non-zero exit then counts as ``preempted``."""
        self._preempting = True

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish(exit_code=0 if exc_type is None else 1)

    # ----------------------------------------------------------------------------- files
    def save(
        self,
        glob_str: str | None = None,
        base_path: str | None = None,
        policy: str = "live",
    ) -> list[str]:
        """Copy files into the run's ``files/`` folder (``run.dir``); the copies' paths."""
        if glob_str is None:
            self._printer.warn_once("save() needs a file path or glob; nothing was saved")
            return []
        return save_files(glob_str, Path(self.dir), base_path, policy)

    def log_code(self, root: str | None = ".", name: str | None = None, **kwargs: Any) -> None:
        """Not supported yet: warns once and records nothing."""
        self._printer.warn_once("log_code() is not supported yet; no code was saved")

    def alert(self, title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
        """Print an alert (there is no notification service)."""
        label = getattr(level, "value", level) or "INFO"
        self._printer.write(f"trackboard: ALERT [{label}] {title}: {text}")

    def watch(
        self,
        models: Any,
        criterion: Any = None,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: int | None = None,
        log_graph: bool = False,
    ) -> None:
        """Log histograms of PyTorch models' parameters and/or gradients every ``log_freq`` calls.

        The keys are ``parameters/<prefix><name>`` and ``gradients/<prefix><name>``; the
        histograms join the next row logged (``research/wandb-api.md`` 3,
        :mod:`trackboard.sdk.watch`). ValueError for a bad ``log`` or ``log_freq``, TypeError
        for a model that is not a ``torch.nn.Module``.
        """
        if self._finished:
            raise UsageError(f"Run ({self.id}) is finished; watch() is not possible")
        self._watching().watch(models, criterion, log, log_freq, idx, log_graph)

    def unwatch(self, models: Any = None) -> None:
        """Remove the hooks ``watch()`` put on ``models`` (a module or a list), or on all.

        A model this run is not watching is skipped with a warning.
        """
        for model in self._watching().unwatch(models):
            self._printer.warn(f"unwatch: {type(model).__name__} is not being watched; ignored")

    def _watching(self) -> Watcher:
        from trackboard.sdk.watch import Watcher

        with self._lock:
            if self._watcher is None:
                self._watcher = Watcher(self._log_watched, self._set_watched_summary)
            return self._watcher

    def _log_watched(self, values: dict[str, Any]) -> None:
        """Merge ``watch()``'s histograms into the pending row without committing it."""
        now = _time()
        with self._lock:
            if self._finished:
                return
            if not self._seen.issuperset(values):
                self._admit_keys(values)
            self._history.add(values, None, None, False, now)

    def _set_watched_summary(self, key: str, value: Any) -> None:
        if not self._finished:
            self._summary[key] = value

    # ------------------------------------------------------------------------- artifacts
    def log_artifact(
        self,
        artifact_or_path: Artifact | str | os.PathLike[str],
        name: str | None = None,
        type: str | None = None,
        aliases: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
    ) -> Artifact:
        """Store a new version of an artifact (or a file or folder made into one)."""
        artifact = artifact_or_path
        if not isinstance(artifact, Artifact):
            path = Path(artifact)
            artifact = Artifact(name or f"run-{self.id}-{path.name}", type or "unspecified")
            if path.is_dir():
                artifact.add_dir(path)
            else:
                artifact.add_file(path)
        return log_artifact(self._spec.run_dir.parent, artifact, self.id, tuple(aliases or ()))

    def use_artifact(
        self,
        artifact_or_name: Artifact | str,
        type: str | None = None,
        aliases: Sequence[str] | None = None,
        use_as: str | None = None,
    ) -> Artifact:
        """A logged artifact version: ``name``, ``name:alias``, ``name:v3``, or an Artifact."""
        if isinstance(artifact_or_name, Artifact):
            if artifact_or_name.version is None:
                return self.log_artifact(artifact_or_name, aliases=aliases)
            artifact_or_name = artifact_or_name.qualified_name
        project_dir = self._spec.run_dir.parent
        return use_artifact(
            project_dir.parent.parent, self.entity, self.project, artifact_or_name, type
        )

    def log_model(
        self,
        path: str | os.PathLike[str],
        name: str | None = None,
        aliases: Sequence[str] | None = None,
    ) -> Artifact:
        """Store a model file or folder as a ``model`` artifact."""
        return self.log_artifact(
            path, name=name or f"run-{self.id}-model", type="model", aliases=aliases
        )

    def use_model(self, name: str) -> str:
        """Download a ``model`` artifact; the path of its files."""
        return self.use_artifact(name, type="model").download()

    # ------------------------------------------------------------------------ properties
    @property
    def step(self) -> int:
        return self._history.step

    @property
    def config(self) -> Config:
        return self._config

    @property
    def summary(self) -> Summary:
        return self._summary

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def start_time(self) -> float:
        return self._start_time

    @property
    def session(self) -> str:
        """This writer session's id (the ``session`` of every record this process writes)."""
        return self._session

    def _set_meta(self, name: str, value: Any) -> None:
        with self._lock:
            setattr(self._spec, name, value)
            if self._finished:
                self._printer.warn_once(f"run {self.id} is finished; {name} is not recorded")
                return
            wire = list(value) if isinstance(value, tuple) else value
            self._emit(RunUpdate(seq=self._seq, fields={name: wire}))

    def __repr__(self) -> str:
        return f"<Run {self.path} ({self._spec.name})>"
