"""``trackboard sync`` in process: which folders, what it prints, how it fails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sync_helpers import LiveServer

import trackboard
from trackboard.cli import main
from trackboard.sync.command import Progress
from trackboard.sync.uploader import UploadProgress

QUIET = {"x_disable_stats": True, "console": "off"}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _log(project: str, steps: int = 3) -> Path:
    run = trackboard.init(project=project, settings=QUIET, reinit="create_new")
    for step in range(steps):
        run.log({"x": step})
    run.finish()
    return Path(run.dir).parent


def test_sync_without_a_server_says_how_to_configure_one(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync"]) == 2
    assert "pass --url, set TRACKBOARD_BASE_URL or run 'trackboard login URL'" in (
        capsys.readouterr().err
    )


def test_sync_of_a_folder_without_runs_is_an_error(
    root: Path, live: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["sync", "--url", live.url, str(tmp_path / "empty")]) == 2
    assert "no run folders (holding run.log)" in capsys.readouterr().err


def test_sync_takes_run_folders_and_folders_of_runs(
    root: Path, live: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = _log("a"), _log("b")
    third = _log("b")
    assert main(["sync", "--url", live.url, str(first), str(root / "local" / "b")]) == 0
    err = capsys.readouterr().err
    assert "3 of 3 runs uploaded" in err
    for folder in (first, second, third):
        assert f"{folder.parent.name}/{folder.name} uploaded: " in err
    assert {p.name for p in live.store.projects("local")} == {"a", "b"}


def test_progress_redraws_one_line_on_a_terminal() -> None:
    out = _Terminal()
    progress = Progress(out, 2)
    progress.update("local/p/r1", UploadProgress(records=1_234, bytes=5_600_000, files=2))
    assert out.getvalue() == "\r[1/2] local/p/r1: 1,234 records, 2 files, 5.6 MB"
    progress.close()
    assert out.getvalue().endswith("\r")


def test_progress_writes_only_a_line_per_run_elsewhere() -> None:
    out = io.StringIO()
    progress = Progress(out, 1)
    progress.update("local/p/r1", UploadProgress(records=10))
    assert out.getvalue() == ""
