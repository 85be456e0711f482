"""What only a separate process can show: atexit finishing, exit codes, what importing loads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trackboard.records import Exit, HistoryRow
from trackboard.runlog import read_records


def run_script(source: str, root: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    env["TRACKBOARD_DIR"] = str(root)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def only_run_log(root: Path) -> Path:
    (log,) = root.glob("*/*/*/run.log")
    return log


@pytest.mark.parametrize(
    ("ending", "returncode", "state", "exit_code"),
    [
        ("pass", 0, "finished", 0),
        ("raise RuntimeError('boom')", 1, "failed", 1),
        ("import sys; sys.exit(3)", 3, "failed", 3),
        ("import sys; sys.exit(0)", 0, "finished", 0),
    ],
)
def test_atexit_finishes_an_unfinished_run_with_the_process_outcome(
    tmp_path: Path, ending: str, returncode: int, state: str, exit_code: int
) -> None:
    result = run_script(
        f"""
        import trackboard as wandb
        wandb.init(project="p", resume="auto")
        wandb.log({{"a": 1}}, step=5)
        {ending}
        """,
        tmp_path / "root",
        tmp_path,
    )
    assert result.returncode == returncode, result.stderr
    found = read_records(only_run_log(tmp_path / "root")).records
    (exit_record,) = [r for r in found if isinstance(r, Exit)]
    assert (exit_record.state, exit_record.exit_code) == (state, exit_code)
    assert [r.step for r in found if isinstance(r, HistoryRow)] == [5]
    assert (tmp_path / "root" / "resume-auto.json").exists() == (exit_code != 0)


def test_import_and_logging_plain_values_never_load_numpy(tmp_path: Path) -> None:
    result = run_script(
        """
        import sys
        import trackboard
        assert "numpy" not in sys.modules, "import loaded numpy"
        run = trackboard.init(project="p")
        for step in range(3):
            run.log({"loss": 0.5, "epoch": step, "name": "x", "flag": True, "nest": {"a": 1}})
        run.finish()
        loaded = [m for m in ("numpy", "torch", "sqlite3", "trackboard.store", "trackboard.api")
                  if m in sys.modules]
        assert not loaded, loaded
        """,
        tmp_path / "root",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_log_works_without_a_main_file_as_in_a_notebook(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-"],
        input="import trackboard\nrun = trackboard.init(project='p')\nrun.log({'a': 1})\n",
        cwd=tmp_path,
        env={**os.environ, "TRACKBOARD_DIR": str(tmp_path / "root")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = read_records(only_run_log(tmp_path / "root")).records
    assert isinstance(found[-1], Exit) and found[-1].state == "finished"
