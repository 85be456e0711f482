"""Follow every run log under a root and keep a store up to date with them.

The layout is ``<root>/<entity>/<project>/<run_id>/run.log``. One :class:`RootFollower` keeps a
reader per file at the end of its last good frame, so each poll reads only what was appended.
``Api()`` polls once to catch up; ``trackboard ui`` polls every second in a thread.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trackboard.ingest.apply import apply_records
from trackboard.ingest.changes import RunIdentity
from trackboard.ingest.liveness import is_crashed
from trackboard.runlog import RunLogFollower
from trackboard.store.base import RunRow, Store

RUN_LOG_NAME = "run.log"


@dataclass
class PollReport:
    files: int = 0
    records: int = 0
    skipped: int = 0
    corrupt_frames: int = 0
    crashed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class _FileState:
    follower: RunLogFollower
    identity: RunIdentity | None = None
    run: RunRow | None = None
    """The run as the last append or look-up left it; liveness is judged on it."""


def run_logs(root: Path) -> Iterator[Path]:
    """Every run log under ``root``, in entity/project/run order."""
    for entity in _subdirs(root):
        for project in _subdirs(entity):
            for run in _subdirs(project):
                log = run / RUN_LOG_NAME
                if log.is_file():
                    yield log


def _subdirs(path: Path) -> list[Path]:
    try:
        entries = list(os.scandir(path))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(
        (Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")),
        key=lambda p: p.name,
    )


class RootFollower:
    """Applies new records from every run log under ``root`` to ``store``."""

    def __init__(
        self,
        store: Store,
        root: Path,
        *,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.root = Path(root)
        self._files: dict[Path, _FileState] = {}
        self._warn = warn or _stderr
        self._lock = threading.Lock()

    def poll(self) -> PollReport:
        """Read what was appended to every run log since the last poll and apply it."""
        report = PollReport()
        with self._lock:
            for path in run_logs(self.root):
                report.files += 1
                state = self._files.get(path)
                if state is None:
                    state = self._files[path] = _FileState(RunLogFollower(path))
                try:
                    self._poll_file(path, state, report)
                except Exception as exc:  # one bad file must not stop the others
                    report.errors.append(f"{path}: {exc}")
                    self._warn(f"could not ingest {path}: {exc}")
        return report

    def _poll_file(self, path: Path, state: _FileState, report: PollReport) -> None:
        read = state.follower.poll()
        if read.corrupt_frames:
            report.corrupt_frames += read.corrupt_frames
            self._warn(
                f"{path}: skipped {read.corrupt_frames} corrupt frame(s) "
                f"({read.corrupt_bytes} bytes); the records around them were ingested"
            )
        if read.records:
            result = apply_records(self.store, read.records, state.identity)
            state.identity = result.identity
            report.records += result.applied
            report.skipped += result.skipped
            if result.run is not None:
                state.run = result.run
        if state.identity is not None:
            self._check_alive(state, report)

    def _check_alive(self, state: _FileState, report: PollReport) -> None:
        assert state.identity is not None
        if state.run is None:
            ident = state.identity
            try:
                state.run = self.store.run(ident.entity, ident.project, ident.run_id)
            except LookupError:
                return
        if not is_crashed(state.run):
            return
        run = state.run = self.store.run_by_pk(state.run.pk)  # confirm on fresh data
        if is_crashed(run):
            state.run = self.store.update_run(run.pk, state="crashed")
            report.crashed.append(f"{run.entity}/{run.project}/{run.run_id}")

    def remove_folder(self, folder: Path) -> None:
        """Delete a run's folder under the root between polls, and forget its run logs."""
        with self._lock:
            if folder.is_dir():
                shutil.rmtree(folder)
            for path in [p for p in self._files if p.is_relative_to(folder)]:
                del self._files[path]

    def follow(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Poll until ``stop`` is set."""
        while not stop.is_set():
            self.poll()
            stop.wait(interval)


def run_folder(root: Path, entity: str, project: str, run_id: str) -> Path | None:
    """``<root>/<entity>/<project>/<run_id>``; None for a name that would leave that place."""
    parts = (entity, project, run_id)
    if any(part in ("", ".", "..") or "/" in part or "\\" in part for part in parts):
        return None
    return root.joinpath(*parts)


def delete_run(
    store: Store, run: RunRow, root: Path | None, follower: RootFollower | None = None
) -> None:
    """Delete a run from the store and, on a local root, its folder.

    With the root's follower, the folder goes between two of its polls, so the run log is
    never read again and the run cannot come back.
    """
    folder = None if root is None else run_folder(root, run.entity, run.project, run.run_id)
    if folder is not None:
        if follower is not None:
            follower.remove_folder(folder)
        elif folder.is_dir():
            shutil.rmtree(folder)
    store.delete_run(run.pk)


def project_folder(root: Path, entity: str, project: str) -> Path | None:
    """``<root>/<entity>/<project>``; None for a name that would leave that place."""
    if any(part in ("", ".", "..") or "/" in part or "\\" in part for part in (entity, project)):
        return None
    return root.joinpath(entity, project)


def delete_project(
    store: Store,
    entity: str,
    project: str,
    root: Path | None,
    follower: RootFollower | None = None,
) -> None:
    """Delete a project, every run in it and its saved views, and, on a local root, its folder.

    The folder goes first (between two of the follower's polls), so no run log of the project
    is read again and its runs cannot come back. A training process still writing into the
    project makes its run again with what it logs next, as a new run would.
    """
    folder = None if root is None else project_folder(root, entity, project)
    if folder is not None:
        if follower is not None:
            follower.remove_folder(folder)
        elif folder.is_dir():
            shutil.rmtree(folder)
    store.delete_project(entity, project)


def _stderr(message: str) -> None:
    print(f"trackboard: {message}", file=sys.stderr)
