"""Training processes streaming runs to a team server, and the store's count of what arrived.

Each writer logs values given by a formula (exact in binary floating point), so the check at
the end compares every stored point with what was logged: each step once, each value equal.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from team_faultkit import wait_until

from trackboard.store import open_store
from trackboard.store.base import RunRow, Store

WRITER = """
import os, sys, time
import trackboard

index, run_id, project = int(sys.argv[1]), sys.argv[2], sys.argv[3]
keys, steps, rate = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
progress, hold = sys.argv[7], sys.argv[8] == "hold"
run = trackboard.init(project=project, id=run_id, name=run_id, settings={"flush_interval": 0.2})
names = [f"k{k}" for k in range(keys)]
start = time.monotonic()
for step in range(steps):
    # The same formula as Load.values: exact in binary floating point. No step= argument: each
    # call commits its row at once, so a kill -9 after the last call loses no row.
    run.log({name: step * 0.25 + k * 1000.0 + index for k, name in enumerate(names)})
    if rate > 0:
        wait = start + (step + 1) / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
with open(progress, "w") as out:
    out.write("logged\\n")
if hold:
    time.sleep(600)  # killed here
run.finish()
"""


@dataclass(frozen=True)
class Load:
    """``runs`` training processes, each logging ``keys`` floats per step for ``steps`` steps at
    ``rate`` steps per second (0: as fast as it can), to one project."""

    project: str
    runs: int
    keys: int
    steps: int
    rate: float = 0.0

    @property
    def run_ids(self) -> list[str]:
        return [f"w{index:03d}" for index in range(self.runs)]

    @property
    def key_names(self) -> list[str]:
        return [f"k{k}" for k in range(self.keys)]

    @property
    def points(self) -> int:
        return self.runs * self.keys * self.steps

    def values(self, index: int, key: int) -> npt.NDArray[np.float64]:
        """What writer ``index`` logs for key ``key`` at steps 0, 1, ... (as WRITER does)."""
        steps = np.arange(self.steps, dtype=np.float64)
        return steps * 0.25 + key * 1000.0 + index


def writer_env(root: Path, base_url: str, api_key: str | None = None) -> dict[str, str]:
    """The environment of a training process in online mode: its own root (the run logs, the
    source of truth), the server's URL, no inherited trackboard or wandb settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    env.update(
        TRACKBOARD_DIR=str(root),
        TRACKBOARD_BASE_URL=base_url,
        TRACKBOARD_SILENT="true",
        TRACKBOARD_X_DISABLE_STATS="true",
        TRACKBOARD_CONSOLE="off",
    )
    if api_key:
        env["TRACKBOARD_API_KEY"] = api_key
    return env


class Writers:
    """The training processes of a :class:`Load`, started together. ``hold`` keeps each alive
    after its last step (before ``finish``) so a test can kill it there."""

    def __init__(self, load: Load, folder: Path, env: dict[str, str], *, hold: bool = False):
        self.load = load
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        script = folder / "writer.py"
        script.write_text(WRITER)
        self.procs: list[subprocess.Popen[bytes]] = []
        for index, run_id in enumerate(load.run_ids):
            shape = (load.keys, load.steps, load.rate, self.progress(run_id))
            argv = [sys.executable, str(script), str(index), run_id, load.project]
            argv += [*map(str, shape), "hold" if hold else "finish"]
            with (folder / f"{run_id}.out").open("wb") as out:
                self.procs.append(
                    subprocess.Popen(
                        argv, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT
                    )
                )

    def progress(self, run_id: str) -> Path:
        return self.folder / f"{run_id}.logged"

    def all_logged(self) -> bool:
        return all(self.progress(run_id).exists() for run_id in self.load.run_ids)

    def output(self, run_id: str) -> str:
        return (self.folder / f"{run_id}.out").read_text(errors="replace")[-3000:]

    def wait(self, timeout: float) -> None:
        """Wait for every process to exit; fail naming any that failed or hung."""
        deadline = time.monotonic() + timeout
        for run_id, proc in zip(self.load.run_ids, self.procs, strict=True):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(
                    f"writer {run_id} still running after {timeout:g} s:\n{self.output(run_id)}"
                ) from None
            assert proc.returncode == 0, f"writer {run_id} failed:\n{self.output(run_id)}"

    def kill(self) -> None:
        """``kill -9`` every writer still running."""
        for proc in self.procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
        for proc in self.procs:
            proc.wait(30)


def project_runs(store: Store, project: str) -> dict[str, RunRow]:
    """The runs of ``project`` under whichever entity the server filed them."""
    runs: dict[str, RunRow] = {}
    for row in store.projects():
        if row.name == project:
            runs.update({run.run_id: run for run in store.runs(row.entity, project)})
    return runs


def stored_points(db: str, load: Load) -> int:
    """Points of the load's keys in the store now (-1 while the store cannot be reached: a
    database that is down fails in the driver or in the store, whichever sees it first)."""
    try:
        store = open_store(db)
    except Exception:
        return -1
    try:
        total = 0
        for run in project_runs(store, load.project).values():
            wanted = set(load.key_names)
            total += sum(k.count for k in store.keys(run.pk) if k.name in wanted)
        return total
    except Exception:
        return -1
    finally:
        with contextlib.suppress(Exception):
            store.close()


def drain(db: str, load: Load, timeout: float) -> int:
    """Wait (bounded) until the store holds every point of the load; the count at the end."""
    seen = [-1]

    def complete() -> bool:
        seen[0] = stored_points(db, load)
        return seen[0] >= load.points

    with contextlib.suppress(AssertionError):
        wait_until(complete, timeout, "drain")
    return seen[0]


def exactly_once_problems(db: str, load: Load) -> list[str]:
    """Compare every stored series of the load with what was logged: each step once, each value
    exact. The problems found (empty: exactly once), at most 20 of them plus a total."""
    store = open_store(db)
    problems: list[str] = []
    lost = duplicated = wrong = 0
    try:
        runs = project_runs(store, load.project)
        missing_runs = sorted(set(load.run_ids) - set(runs))
        if missing_runs:
            problems.append(f"runs not in the store: {', '.join(missing_runs)}")
        expected_steps = np.arange(load.steps, dtype=np.int64)
        for index, run_id in enumerate(load.run_ids):
            if run_id not in runs:
                lost += load.keys * load.steps
                continue
            for k, key in enumerate(load.key_names):
                series = store.series(runs[run_id].pk, key)
                steps = series.steps
                unique = np.unique(steps)
                duplicated += len(steps) - len(unique)
                lost += len(np.setdiff1d(expected_steps, unique))
                if len(steps) == load.steps and np.array_equal(steps, expected_steps):
                    bad = int(np.count_nonzero(series.values != load.values(index, k)))
                    wrong += bad
                    if bad:
                        problems.append(f"{run_id}/{key}: {bad} values differ from those logged")
                else:
                    problems.append(
                        f"{run_id}/{key}: {len(steps)} points, {len(unique)} distinct steps, "
                        f"expected steps 0..{load.steps - 1} once each"
                    )
    finally:
        store.close()
    if problems:
        shown = problems[:20]
        shown.append(f"in all: {lost} points lost, {duplicated} duplicated, {wrong} wrong")
        return shown
    return []
