"""Fixtures for the SDK tests: an isolated root per test, records read back, in-memory runs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from trackboard import launch
from trackboard.records import Record
from trackboard.runlog import read_records
from trackboard.sdk.identity import RunSpec
from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.sdk.run import Run
from trackboard.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No TRACKBOARD_*/WANDB_* variables leak in; cwd is a fresh folder; runs end with the test."""
    for name in list(os.environ):
        if name.startswith(("TRACKBOARD_", "WANDB_")):
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    DEFAULT_PRINTER._once.clear()
    yield
    for run in reversed(launch.active_runs()):
        run.finish()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A root given by TRACKBOARD_DIR."""
    path = tmp_path / "root"
    monkeypatch.setenv("TRACKBOARD_DIR", str(path))
    return path


def run_log(run: Any) -> Path:
    return Path(run.dir).parent / "run.log"


@pytest.fixture
def records() -> Callable[..., list[Record]]:
    """``records(run, kind=None)``: the records in the run's log (finish the run first)."""

    def read(run: Any, kind: type | None = None) -> list[Record]:
        found = read_records(run_log(run)).records
        return [r for r in found if kind is None or isinstance(r, kind)]

    return read


class MemoryWriter:
    """A writer keeping records in a list: for tests of a run's logic without a file."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.dropped = 0
        self.closed = False

    def submit(self, record: Record) -> None:
        assert not self.closed, "a record was submitted after close"
        self.records.append(record)

    def close(self, timeout: float | None = 30.0) -> bool:
        self.closed = True
        return True

    def of(self, kind: type) -> list[Any]:
        return [r for r in self.records if isinstance(r, kind)]


@pytest.fixture
def memory_run(tmp_path: Path) -> Callable[..., tuple[Run, MemoryWriter]]:
    """``memory_run(**spec_fields)``: a Run writing to a :class:`MemoryWriter`."""

    def make(**fields: Any) -> tuple[Run, MemoryWriter]:
        writer = MemoryWriter()
        spec = RunSpec(
            **{
                "run_id": "abcd1234",
                "entity": "local",
                "project": "p",
                "name": "test-run-1",
                "run_dir": tmp_path / "run",
                **fields,
            }
        )
        run = Run(writer=writer, settings=Settings(root=tmp_path), spec=spec)
        return run, writer

    return make
