"""Fixtures for the plot tests: an isolated folder per test, runs ended with the test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
