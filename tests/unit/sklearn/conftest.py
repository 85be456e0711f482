"""Fixtures for the ``trackboard.sklearn`` tests: a fresh offline run, its charts read back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sklearn_helpers import Session

from trackboard import launch


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No TRACKBOARD_*/WANDB_* variables leak in; cwd is a fresh folder; runs end with the test."""
    for name in list(os.environ):
        if name.startswith(("TRACKBOARD_", "WANDB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRACKBOARD_SILENT", "true")
    monkeypatch.chdir(tmp_path)
    yield
    for run in reversed(launch.active_runs()):
        run.finish()


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return Session(tmp_path)
