"""Shared fixtures: a private root per test, scripts run in a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh trackboard root, set as TRACKBOARD_DIR so init, Api and the CLI all find it."""
    path = tmp_path / "root"
    for name in list(os.environ):
        if name.startswith(("TRACKBOARD_", "WANDB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRACKBOARD_DIR", str(path))
    monkeypatch.setenv("TRACKBOARD_SILENT", "true")
    monkeypatch.chdir(tmp_path)
    return path


def run_script(
    source: str, cwd: Path, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a Python script in a fresh interpreter with this test's environment."""
    script = cwd / "script.py"
    script.write_text(textwrap.dedent(source))
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"script failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc
