"""``trackboard login`` and ``trackboard sync``: the command-line side of online mode.

``sync`` runs the uploader of online mode (:mod:`trackboard.sync.uploader`) to completion over
run folders: the server's cursors decide what is sent, so running it twice, or after the
training process uploaded part of a run, stores every record once. ``--clean`` deletes a run
folder only after the server confirmed all of it and the run has finished.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from trackboard import settings as settings_module
from trackboard.errors import RemoteError, RunLogError, TransportError, UsageError
from trackboard.records import Exit, RunStart
from trackboard.runlog import iter_records
from trackboard.sdk.resume import RUN_LOG_NAME
from trackboard.sync.http import ServerClient
from trackboard.sync.login import ask_key, login
from trackboard.sync.uploader import (
    STATE_FILE,
    Uploader,
    UploadProgress,
    is_uploaded,
    upload_entity,
)

AddParser = Callable[[str, str], argparse.ArgumentParser]
MAX_FAILURES = 5
"""Failed tries in a row before a run is reported as not uploaded (about 8 s of backoff)."""


def add_commands(add: AddParser) -> None:
    """Register ``login`` and ``sync`` with the CLI's ``add(name, help)``."""
    p = add("login", "check a trackboard server's URL and API key and save them for online runs")
    p.add_argument("url", help="the server, e.g. https://tracker.example.com")
    p.add_argument("--key", help="the API key (asked for, hidden, when left out)")
    p.set_defaults(func=cmd_login)

    p = add("sync", "upload run folders to the trackboard server (what is not there yet)")
    p.add_argument(
        "paths",
        nargs="*",
        help="run folders, or folders holding them (default: every run under the root "
        "not fully uploaded)",
    )
    p.add_argument("--url", help="the server (default: as online runs find it)")
    p.add_argument("--key", help="the API key for --url (default: the saved one)")
    p.add_argument(
        "--include-synced",
        action="store_true",
        help="check runs already uploaded against the server again and resend their files",
    )
    p.add_argument(
        "--clean",
        action="store_true",
        help="delete each local run folder once the server has all of it (asks first)",
    )
    p.add_argument("--yes", "-y", action="store_true", help="do not ask before --clean deletes")
    p.set_defaults(func=cmd_sync)


# ---------------------------------------------------------------------------------- login
def cmd_login(args: argparse.Namespace) -> int:
    key = args.key
    if key is None:
        key = ask_key(args.url, getpass.getpass)
    result = login(args.url, key)
    who = f"as {result.user}" if result.user else "(the server checks no keys)"
    print(f"trackboard: logged in to {result.base_url} {who}; saved in {result.path}")
    return 0


# ---------------------------------------------------------------------------------- sync
@dataclass
class _Outcome:
    folder: Path
    label: str
    error: str | None = None
    records: int = 0
    files: int = 0
    bytes: int = 0
    finished: bool = False
    unreachable: bool = False


def cmd_sync(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.url:
        overrides["base_url"] = args.url
    if args.key:
        overrides["api_key"] = args.key
    settings = settings_module.resolve(dir=args.dir, overrides=overrides)
    if not settings.base_url:
        raise UsageError(
            "no trackboard server to sync to: pass --url, set TRACKBOARD_BASE_URL "
            "or run 'trackboard login URL'"
        )
    client = ServerClient(settings.base_url, settings.api_key)
    explicit = bool(args.paths)
    folders = (
        _expand([Path(p) for p in args.paths]) if explicit else list(run_folders(settings.root))
    )
    if not explicit and not args.include_synced:
        folders = [f for f in folders if not is_uploaded(f, client.host)]
    if explicit and not folders:
        raise UsageError(f"no run folders (holding {RUN_LOG_NAME}) in {' '.join(args.paths)}")
    progress = Progress(sys.stderr, len(folders))
    outcomes: list[_Outcome] = []
    for folder in folders:
        outcome = _sync_one(folder, client, settings.user_entity, args.include_synced, progress)
        outcomes.append(outcome)
        if outcome.unreachable:  # the next runs would only wait for the same dead server
            outcomes += [
                _Outcome(f, str(f), "not tried: the server is unreachable")
                for f in folders[len(outcomes) :]
            ]
            break
    progress.close()
    failed = [o for o in outcomes if o.error]
    for outcome in failed:
        print(f"trackboard: error: {outcome.label}: {outcome.error}", file=sys.stderr)
    done = len(outcomes) - len(failed)
    print(
        f"trackboard: {done} of {len(outcomes)} runs uploaded to {client.base_url}"
        + (f"; {len(failed)} failed" if failed else ""),
        file=sys.stderr,
    )
    if args.clean:
        _clean([o for o in outcomes if not o.error], args.yes)
    return 1 if failed else 0


def _sync_one(
    folder: Path,
    client: ServerClient,
    user_entity: str | None,
    include_synced: bool,
    progress: Progress,
) -> _Outcome:
    outcome = _Outcome(folder, str(folder))
    try:
        start, finished = _identity(folder)
    except (RunLogError, UsageError) as exc:
        outcome.error = str(exc)
        progress.run_done(outcome)
        return outcome
    entity = upload_entity(start.entity, user_entity)
    outcome.label = f"{entity}/{start.project}/{start.run_id}"
    outcome.finished = finished
    if include_synced:
        (folder / STATE_FILE).unlink(missing_ok=True)
    uploader = Uploader(folder, client, entity, start.project, start.run_id)

    def show(step: UploadProgress) -> None:
        progress.update(outcome.label, step)

    try:
        uploader.run_to_completion(max_failures=MAX_FAILURES, on_progress=show)
    except RemoteError as exc:
        outcome.error = str(exc)
        outcome.unreachable = isinstance(exc, TransportError)
    else:
        left = uploader.pending()
        if not left.empty:
            outcome.error = f"{left.records} records and {left.files} files are not confirmed"
    outcome.records = uploader.progress.records
    outcome.files = uploader.progress.files
    outcome.bytes = uploader.progress.bytes
    progress.run_done(outcome)
    return outcome


def _identity(folder: Path) -> tuple[RunStart, bool]:
    """The run's first ``RunStart``, and whether its last session ended with ``Exit``."""
    start: RunStart | None = None
    last: Any = None
    for record in iter_records(folder / RUN_LOG_NAME):
        if start is None and isinstance(record, RunStart):
            start = record
        last = record
    if start is None:
        raise UsageError(f"{folder / RUN_LOG_NAME} has no run start record: nothing to upload")
    return start, isinstance(last, Exit)


def _clean(outcomes: list[_Outcome], yes: bool) -> None:
    """Delete the run folders the server has all of; never one of a run still going."""
    ready = []
    for outcome in outcomes:
        if not outcome.finished:
            print(
                f"trackboard: keeping {outcome.folder}: the run has not finished",
                file=sys.stderr,
            )
        else:
            ready.append(outcome)
    if not ready:
        return
    if not yes:
        if not sys.stdin.isatty():
            print(
                f"trackboard: not deleting {len(ready)} uploaded run folders: "
                "pass --yes to delete without asking",
                file=sys.stderr,
            )
            return
        answer = input(f"Delete {len(ready)} uploaded run folders from this machine? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            return
    for outcome in ready:
        shutil.rmtree(outcome.folder)
        print(f"trackboard: deleted {outcome.folder}", file=sys.stderr)


def run_folders(root: Path) -> Iterator[Path]:
    """Every run folder under ``root`` (``<entity>/<project>/<run_id>/run.log``), in order."""
    for entity in _subdirs(root):
        for project in _subdirs(entity):
            for run in _subdirs(project):
                if (run / RUN_LOG_NAME).is_file():
                    yield run


def _expand(paths: list[Path]) -> list[Path]:
    """Run folders named, or under the folders named (a root, an entity or a project)."""
    out: list[Path] = []
    for path in paths:
        path = path.expanduser().absolute()
        if (path / RUN_LOG_NAME).is_file():
            out.append(path)
            continue
        if not path.is_dir():
            raise UsageError(f"{path} is not a run folder or a folder of runs")
        for depth in range(3):
            found = sorted(p.parent for p in path.glob("/".join(["*"] * (depth + 1)) + "/run.log"))
            if found:
                out.extend(found)
                break
    return list(dict.fromkeys(out))


def _subdirs(path: Path) -> list[Path]:
    try:
        entries = list(os.scandir(path))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(Path(e.path) for e in entries if e.is_dir() and not e.name.startswith("."))


# ---------------------------------------------------------------------------------- progress
class Progress:
    """Runs, records and bytes on stderr: one line redrawn on a terminal, a line per run
    otherwise."""

    def __init__(self, stream: IO[str], total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._width = 0

    def update(self, label: str, step: UploadProgress) -> None:
        if self.tty:
            self._draw(
                f"[{self.done + 1}/{self.total}] {label}: {step.records:,} records, "
                f"{step.files:,} files, {_size(step.bytes)}"
            )

    def run_done(self, outcome: _Outcome) -> None:
        self.done += 1
        status = "failed" if outcome.error else "uploaded"
        line = (
            f"trackboard: [{self.done}/{self.total}] {outcome.label} {status}: "
            f"{outcome.records:,} records, {outcome.files:,} files, {_size(outcome.bytes)}"
        )
        if self.tty:
            self._draw("")
        self._write(line + "\n")

    def close(self) -> None:
        if self.tty and self._width:
            self._draw("")

    def _draw(self, text: str) -> None:
        self._write("\r" + text.ljust(self._width))
        self._width = len(text)
        if not text:
            self._write("\r")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


__all__ = ["add_commands", "cmd_login", "cmd_sync", "run_folders"]
