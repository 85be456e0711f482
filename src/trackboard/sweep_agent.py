"""``trackboard.sweep()`` and ``trackboard.agent()``: sweeps on the local root or a server.

A sweep lives in the embedded store of the local root (``<root>/trackboard.db``, the same one
``Api()`` reads), or, when a trackboard server is configured (``TRACKBOARD_BASE_URL``, online
mode), in the server's store. An agent takes runs by claims through a *backend*: the
:class:`LocalBackend` calls :mod:`trackboard.sweeps.claims` on the root's store, the
:class:`HttpBackend` calls the server's claim routes, which call the same functions on the
server's store. Either way the claim transaction runs the pure controller
(:mod:`trackboard.sweeps.controller`), so agents in several processes or on several machines
never get the same parameters. For each claim the agent

* writes ``<root>/sweep-<sweep_id>/config-<run_id>.yaml`` (``wandb_version: 1`` and
  ``{param: {value: v}}``) and sets ``WANDB_SWEEP_ID``, ``WANDB_RUN_ID``,
  ``WANDB_SWEEP_PARAM_PATH``, ``WANDB_PROJECT``, ``WANDB_ENTITY`` and their ``TRACKBOARD_*``
  twins, plus ``TRACKBOARD_DIR`` (the root), so ``init()`` inside the job puts the run in the
  sweep with its parameters locked in ``config``;
* runs the job: ``function()`` in this process (then ``finish()`` if the run is still
  open; an exception fails the job), or, without a function, a subprocess built from the
  sweep's ``command`` (exit code other than 0 fails the job; the subprocess is killed when
  the agent dies, on Linux);
* sends a heartbeat for the claim every ``heartbeat_s`` while the job runs, and marks the
  claim ``finished`` or ``failed`` when it ends (``stopped`` when hyperband stopped it).

With ``early_terminate`` (hyperband) in the sweep, each heartbeat's answer says whether the
agent's run must stop (:func:`~trackboard.sweeps.hyperband.stop_decisions` over the sweep's
runs: a local agent first catches up on the root's logs, the server reads what online runs
uploaded); when it must, the agent prints the decision's reason and

* function mode: asks the run to stop (:meth:`Run.request_stop`): its next ``log()``
  finishes it with state ``killed`` and raises :class:`~trackboard.errors.RunStoppedError`,
  which the agent catches (a function that returns without logging again is finished as
  ``killed`` too);
* program mode: sends SIGTERM to the process, SIGKILL after ``TRACKBOARD_AGENT_KILL_DELAY``
  (or ``WANDB_AGENT_KILL_DELAY``) seconds, default 30.

Either way the claim ends ``stopped`` with the reason, the store shows the run as ``killed``
with the reason under ``_stop_reason`` in its summary, and the job counts as a success for the
failure rules.

With a ``metric`` in the sweep, the controller gets each sweep run's metric (Bayesian search
and ``metric.target`` use them).

An agent that dies stops heartbeating; the next claim by any agent, ``stale_after_s`` after
the last heartbeat, marks its claim ``crashed`` (a grid point is then handed out again, at
most :data:`~trackboard.sweeps.controller.MAX_CRASHES` times). A paused sweep makes agents
wait; a finished or cancelled sweep, or one with nothing left to hand out, makes them exit (a
cancelled sweep's running subprocesses are terminated). Failed jobs stop the agent by wandb's
rules (:class:`FailureRules`). An HTTP agent that cannot reach the server retries with
backoff; a claim whose answer was lost is handed to it again on the retry, never a second
point.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackboard import settings as settings_module
from trackboard.errors import ConflictError, InvalidInputError, RunStoppedError
from trackboard.ingest.follow import RootFollower
from trackboard.sdk.names import new_run_id
from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.store import open_store
from trackboard.store.base import Store, SweepClaim
from trackboard.sweeps import claims as protocol
from trackboard.sweeps.claims import Beat, SweepBackend, Taken
from trackboard.sweeps.controller import RunMetrics
from trackboard.sweeps.macros import expand_command
from trackboard.sweeps.spec import SweepSpec, parse_sweep_config

if TYPE_CHECKING:
    from trackboard.sync.http import ServerClient

LOCAL_STORE_NAME = "trackboard.db"
HEARTBEAT_S = 5.0
"""How often an agent refreshes the claim of its running job."""
STALE_AFTER_S = protocol.STALE_AFTER_S
"""How long after its last heartbeat a claim is marked crashed by the next claim."""
PAUSED_POLL_S = 2.0
FLAPPING_WINDOW_S = 60.0
FLAPPING_FAILURES = 3
MAX_INITIAL_FAILURES = 5
KILL_DELAY_S = 30.0
"""Seconds between SIGTERM and SIGKILL for a stopped program-mode job."""
KILL_DELAY_ENV = ("TRACKBOARD_AGENT_KILL_DELAY", "WANDB_AGENT_KILL_DELAY")


def _store(root: Path) -> Store:
    root.mkdir(parents=True, exist_ok=True)
    return open_store(str(root / LOCAL_STORE_NAME))


def server_client(settings: settings_module.Settings) -> ServerClient | None:
    """The configured trackboard server's client (online mode with a URL), else None."""
    if settings.mode != "online" or not settings.base_url:
        return None
    from trackboard.sync.http import ServerClient

    return ServerClient(settings.base_url, settings.api_key)


def server_entity(settings: settings_module.Settings, entity: str) -> str:
    """The entity of a sweep on the server: the one its runs are uploaded under (the signed-in
    user's in place of the default entity)."""
    from trackboard.sync.uploader import upload_entity

    return upload_entity(entity, settings.user_entity)


def sweep(
    sweep: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | str,
    entity: str | None = None,
    project: str | None = None,
    prior_runs: list[str] | None = None,
    *,
    dir: str | os.PathLike[str] | None = None,
) -> str:
    """Create a sweep; print and return its 8-character id.

    ``sweep`` is a config dict, a callable returning one, YAML text or a YAML file path.
    ``project`` falls back to the config's ``project``, then the settings'. With a server
    configured the sweep is created there; otherwise in the local root's store, where
    ``prior_runs`` are ids of runs of the project (on the server, or in the local root after
    catching up on its logs) whose config and metric seed the search: each becomes a claim of
    the sweep, ``finished`` or ``failed`` as the run ended (a run still going counts as
    ``running``). The runs themselves are not moved into the sweep. An unknown run id is a
    NotFoundError and creates no sweep.
    """
    source = sweep() if callable(sweep) else sweep
    spec = parse_sweep_config(source)
    settings = settings_module.resolve(
        dir=dir, entity=entity or spec.entity, project=project or spec.project
    )
    project_name = settings.project or settings_module.DEFAULT_PROJECT
    client = server_client(settings)
    if client is not None:
        from trackboard.sweeps import remote

        entity_name = server_entity(settings, settings.entity)
        sweep_id = remote.create_sweep(
            client, entity_name, project_name, dict(spec.source), prior_runs
        )
        DEFAULT_PRINTER.info(f"Create sweep with ID: {sweep_id} on {client.base_url}")
        return sweep_id
    import yaml

    text = yaml.safe_dump(dict(spec.source), sort_keys=False)
    store = _store(settings.root)
    try:
        if prior_runs:  # the runs' latest records first
            RootFollower(store, settings.root, warn=DEFAULT_PRINTER.warn).poll()
        seeds = protocol.prior_rows(store, settings.entity, project_name, prior_runs)
        sweep_id = protocol.create_sweep(store, settings.entity, project_name, text)
        protocol.seed_prior_runs(store, spec, sweep_id, seeds)
    finally:
        store.close()
    DEFAULT_PRINTER.info(f"Create sweep with ID: {sweep_id}")
    return sweep_id


def split_sweep_path(path: str, entity: str | None, project: str | None) -> tuple[str, str, str]:
    """``id``, ``project/id`` or ``entity/project/id`` to (entity, project, id)."""
    if not isinstance(path, str) or not path.strip("/"):
        raise InvalidInputError(f"a sweep id like 'entity/project/id' is required: {path!r}")
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) == 4 and parts[2] == "sweeps":
        parts = [parts[0], parts[1], parts[3]]
    if len(parts) > 3:
        raise InvalidInputError(f"sweep path {path!r} must be 'entity/project/id' at most")
    settings = settings_module.resolve(entity=entity, project=project)
    found_entity = parts[0] if len(parts) == 3 else settings.entity
    found_project = parts[-2] if len(parts) >= 2 else settings.project
    return (found_entity, found_project or settings_module.DEFAULT_PROJECT, parts[-1])


def set_sweep_state(
    path: str,
    state: str,
    *,
    entity: str | None = None,
    project: str | None = None,
    dir: str | os.PathLike[str] | None = None,
) -> str:
    """Move the sweep at ``path`` to ``state`` (running, paused, finished, cancelled)."""
    entity, project, sweep_id = split_sweep_path(path, entity, project)
    settings = settings_module.resolve(dir=dir)
    client = server_client(settings)
    if client is not None:
        from trackboard.sweeps import remote

        entity = server_entity(settings, entity)
        return remote.set_sweep_state(client, entity, project, sweep_id, state)
    store = _store(settings.root)
    try:
        return store.set_sweep_state(entity, project, sweep_id, state).state
    finally:
        store.close()


@dataclass
class FailureRules:
    """wandb's rules for stopping an agent whose jobs fail (``check`` says why, or None).

    (a) ``max_consecutive`` failures in a row (a success resets the count); (b) flapping:
    :data:`FLAPPING_FAILURES` failures within the agent's first :data:`FLAPPING_WINDOW_S`
    seconds (unless ``flapping`` is off); (c) more than :data:`MAX_INITIAL_FAILURES`
    failures while no job has succeeded.
    """

    max_consecutive: int | None = None
    flapping: bool = True
    started: float = field(default_factory=time.monotonic)
    failures: int = 0
    consecutive: int = 0
    successes: int = 0

    def record(self, ok: bool, now: float | None = None) -> str | None:
        """Count one job's outcome; the reason to stop the agent, or None."""
        if ok:
            self.successes += 1
            self.consecutive = 0
            return None
        self.failures += 1
        self.consecutive += 1
        elapsed = (time.monotonic() if now is None else now) - self.started
        if self.max_consecutive is not None and self.consecutive >= self.max_consecutive:
            return f"{self.consecutive} consecutive failed runs"
        if self.flapping and elapsed <= FLAPPING_WINDOW_S and self.failures >= FLAPPING_FAILURES:
            return f"{self.failures} failed runs within {FLAPPING_WINDOW_S:.0f} s (flapping)"
        if self.successes == 0 and self.failures > MAX_INITIAL_FAILURES:
            return f"{self.failures} failed runs and none succeeded"
        return None


class LocalBackend:
    """The claim protocol on the local root's store (see the module docstring).

    Before a claim, a heartbeat of a hyperband sweep, and a ``stopped`` claim's end, it catches
    up on the root's run logs, so the controller and hyperband see the runs' metrics and the
    stopped run's row exists to be marked ``killed``.
    """

    def __init__(self, root: Path, entity: str, project: str, sweep_id: str) -> None:
        self.entity, self.project, self.sweep_id = entity, project, sweep_id
        self.store = _store(root)
        try:
            self.spec = parse_sweep_config(self.config())
        except BaseException:
            self.store.close()
            raise
        self._follower = RootFollower(self.store, root, warn=DEFAULT_PRINTER.warn)
        self._lock = threading.Lock()  # the job's heartbeat thread polls too

    def _where(self) -> tuple[Store, str, str, str]:
        return self.store, self.entity, self.project, self.sweep_id

    def _metrics(self) -> RunMetrics:
        if self.spec.metric is None:
            return {}
        with self._lock:
            self._follower.poll()
        return protocol.sweep_metrics(*self._where(), self.spec)

    def config(self) -> str:
        return self.store.sweep(self.entity, self.project, self.sweep_id).config

    def claim(self, agent_id: str, stale_after_s: float) -> Taken:
        return protocol.take_run(
            *self._where(),
            agent_id,
            spec=self.spec,
            metrics=self._metrics(),
            stale_after_s=stale_after_s,
        )

    def beat(self, agent_id: str, run_ids: Sequence[str]) -> Beat:
        metrics = self._metrics() if self.spec.early_terminate is not None else {}
        return protocol.heartbeat(
            *self._where(), agent_id, run_ids, spec=self.spec, metrics=metrics
        )

    def end(self, agent_id: str, run_id: str, state: str, stop_reason: str | None = None) -> None:
        if state == "stopped":
            with self._lock:
                self._follower.poll()
        protocol.end_claim(*self._where(), run_id, agent_id, state, stop_reason)

    def close(self) -> None:
        self.store.close()


def open_backend(
    settings: settings_module.Settings, entity: str, project: str, sweep_id: str
) -> SweepBackend:
    """The server's backend when one is configured (online mode), else the local root's."""
    client = server_client(settings)
    if client is None:
        return LocalBackend(settings.root, entity, project, sweep_id)
    from trackboard.sweeps.remote import HttpBackend

    return HttpBackend(
        client,
        server_entity(settings, entity),
        project,
        sweep_id,
        host=socket.gethostname(),
        warn=DEFAULT_PRINTER.warn,
    )


class Agent:
    """One agent of one sweep; :meth:`run` takes and runs jobs until the sweep stops it."""

    def __init__(
        self,
        path: str,
        function: Callable[[], Any] | None = None,
        *,
        entity: str | None = None,
        project: str | None = None,
        count: int | None = None,
        max_consecutive_failed_runs: int | None = None,
        heartbeat_s: float = HEARTBEAT_S,
        stale_after_s: float = STALE_AFTER_S,
        dir: str | os.PathLike[str] | None = None,
        backend: SweepBackend | None = None,
    ) -> None:
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise InvalidInputError(f"count must be an int >= 1, got {count!r}")
        if max_consecutive_failed_runs is not None and (
            not isinstance(max_consecutive_failed_runs, int) or max_consecutive_failed_runs < 1
        ):
            raise InvalidInputError(
                "max_consecutive_failed_runs must be an int >= 1, got "
                f"{max_consecutive_failed_runs!r}"
            )
        self.entity, self.project, self.sweep_id = split_sweep_path(path, entity, project)
        self.settings = settings_module.resolve(dir=dir)
        self.root = self.settings.root
        self.function = function
        self.count = count
        self.heartbeat_s = min(heartbeat_s, stale_after_s / 3)  # beats well within
        self.stale_after_s = stale_after_s
        self.rules = FailureRules(max_consecutive=max_consecutive_failed_runs)
        self.agent_id = f"{socket.gethostname()}-{os.getpid()}-{new_run_id()}"
        self.backend = backend or open_backend(
            self.settings, self.entity, self.project, self.sweep_id
        )
        try:
            self.spec: SweepSpec = parse_sweep_config(self.backend.config())
        except BaseException:
            self.backend.close()
            raise
        self.jobs = 0

    def run(self) -> int:
        """Run jobs until done; return how many ran."""
        try:
            while self.count is None or self.jobs < self.count:
                claim = self._claim()
                if claim is None:
                    return self.jobs
                outcome = self._run_job(claim)
                self.jobs += 1
                reason = self.rules.record(outcome != "failed")
                if reason is not None:
                    DEFAULT_PRINTER.warn(f"Sweep agent stopping: {reason}.")
                    return self.jobs
            return self.jobs
        finally:
            self.backend.close()

    def _claim(self) -> SweepClaim | None:
        """The next claim; None when the sweep is finished or cancelled. Waits while it is
        paused, or while nothing is left but other agents' runs may still come back."""
        while True:
            taken = self.backend.claim(self.agent_id, self.stale_after_s)
            if taken.claim is not None:
                return taken.claim
            if taken.state not in ("running", "paused"):
                return None
            time.sleep(min(PAUSED_POLL_S, self.heartbeat_s))

    def _param_file(self, claim: SweepClaim) -> Path:
        import yaml

        folder = self.root / f"sweep-{self.sweep_id}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"config-{claim.run_id}.yaml"
        content: dict[str, Any] = {"wandb_version": 1}
        content.update({k: {"value": v} for k, v in claim.params.items()})
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return path

    def _job_env(self, claim: SweepClaim) -> dict[str, str]:
        values = {
            "SWEEP_ID": self.sweep_id,
            "RUN_ID": claim.run_id,
            "SWEEP_PARAM_PATH": str(self._param_file(claim)),
            "PROJECT": self.project,
            "ENTITY": self.entity,
        }
        env = {f"{prefix}_{k}": v for k, v in values.items() for prefix in ("WANDB", "TRACKBOARD")}
        env["TRACKBOARD_DIR"] = str(self.root)
        return env

    def _end(self, claim: SweepClaim, state: str, stop_reason: str | None = None) -> bool:
        """Move the claim; False when it was taken from this agent (marked crashed)."""
        try:
            self.backend.end(self.agent_id, claim.run_id, state, stop_reason)
        except ConflictError as exc:
            DEFAULT_PRINTER.warn(str(exc))
            return False
        return True

    def _beat(self, claim: SweepClaim) -> tuple[Beat, str | None]:
        """One heartbeat: the answer, and hyperband's reason to stop the job (or None)."""
        beat = self.backend.beat(self.agent_id, [claim.run_id])
        if claim.run_id in beat.lost:
            DEFAULT_PRINTER.warn(
                f"run {claim.run_id} of sweep {self.sweep_id} was marked crashed: this agent "
                "missed its heartbeats"
            )
        reason = beat.stop.get(claim.run_id)
        if reason is not None:
            DEFAULT_PRINTER.info(f"Hyperband early termination: {reason}")
        return beat, reason

    def _run_job(self, claim: SweepClaim) -> str:
        """Run one job; its claim's final state: ``finished``, ``failed`` or ``stopped``."""
        DEFAULT_PRINTER.info(f"Agent starting run {claim.run_id} with config: {claim.params}")
        self._end(claim, "running")
        env = self._job_env(claim)
        run_job = self._run_function if self.function else self._run_program
        outcome, reason = run_job(claim, env)
        self._end(claim, outcome, reason)
        return outcome

    def _run_function(self, claim: SweepClaim, env: dict[str, str]) -> tuple[str, str | None]:
        from trackboard.launch import current_run

        assert self.function is not None
        stop = threading.Event()
        stopped: list[str] = []
        beat = threading.Thread(target=self._beat_until, args=(claim, stop, stopped), daemon=True)
        beat.start()
        ok = True
        try:
            with _environ(env):
                try:
                    self.function()
                except RunStoppedError:
                    pass
                except Exception:
                    ok = False
                    traceback.print_exc()
                run = current_run()
                if run is not None:
                    run.finish(exit_code=0 if ok else 1)
        finally:
            stop.set()
            beat.join()
        if stopped:
            return "stopped", stopped[0]
        return ("finished" if ok else "failed"), None

    def _beat_until(self, claim: SweepClaim, stop: threading.Event, stopped: list[str]) -> None:
        """Heartbeat the claim; ask the job's run to stop when hyperband says so."""
        from trackboard.launch import current_run
        from trackboard.sdk.run import Run

        while not stop.wait(self.heartbeat_s):
            _, reason = self._beat(claim)
            if stopped or reason is None:
                continue
            run = current_run()
            if isinstance(run, Run) and run.id == claim.run_id:
                stopped.append(reason)
                run.request_stop(reason)

    def _run_program(self, claim: SweepClaim, env: dict[str, str]) -> tuple[str, str | None]:
        environ = {**os.environ, **env}
        argv = expand_command(
            self.spec.command,
            claim.params,
            program=self.spec.program,
            environ=environ,
        )
        proc = subprocess.Popen(argv, env=environ, preexec_fn=_die_with_parent)
        while True:
            try:
                code = proc.wait(timeout=self.heartbeat_s)
                return ("finished" if code == 0 else "failed"), None
            except subprocess.TimeoutExpired:
                pass
            beat, reason = self._beat(claim)
            if claim.run_id in beat.lost or beat.state == "cancelled":
                proc.terminate()
                proc.wait()
                return "failed", None
            if reason is not None:
                _terminate(proc, kill_delay())
                return "stopped", reason


def kill_delay() -> float:
    """Seconds from SIGTERM to SIGKILL: ``TRACKBOARD_AGENT_KILL_DELAY``, then the wandb name."""
    for name in KILL_DELAY_ENV:
        text = os.environ.get(name)
        if text:
            try:
                value = float(text)
            except ValueError:
                raise InvalidInputError(
                    f"{name} must be a number of seconds, got {text!r}"
                ) from None
            if not math.isfinite(value) or value < 0:
                raise InvalidInputError(f"{name} must be >= 0 seconds, got {text!r}")
            return value
    return KILL_DELAY_S


def _terminate(proc: subprocess.Popen[bytes], delay: float) -> None:
    """SIGTERM ``proc``; SIGKILL it when it is still alive ``delay`` seconds later."""
    proc.terminate()
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _die_with_parent() -> None:
    """In the job's process: receive SIGKILL when the agent dies (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)


@contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for one function-mode job, then restore them."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def agent(
    sweep_id: str,
    function: Callable[[], Any] | None = None,
    entity: str | None = None,
    project: str | None = None,
    count: int | None = None,
    forward_signals: bool = False,
    term_timeout: float | None = None,
    max_consecutive_failed_runs: int | None = None,
    *,
    heartbeat_s: float = HEARTBEAT_S,
    stale_after_s: float = STALE_AFTER_S,
    dir: str | os.PathLike[str] | None = None,
) -> None:
    """Run jobs of the sweep ``sweep_id`` (``id``, ``project/id`` or ``entity/project/id``).

    See the module docstring. ``count`` is the most jobs this agent runs.
    ``forward_signals`` and ``term_timeout`` are accepted and unused.
    """
    Agent(
        sweep_id,
        function,
        entity=entity,
        project=project,
        count=count,
        max_consecutive_failed_runs=max_consecutive_failed_runs,
        heartbeat_s=heartbeat_s,
        stale_after_s=stale_after_s,
        dir=dir,
    ).run()
