"""Faults: a killed process, a corrupt run log, bad input, resume."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import run_script

import trackboard


def _wait_for(path: Path, text: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


def test_kill_9_keeps_everything_flushed_and_marks_the_run_crashed(root: Path) -> None:
    progress = root.parent / "progress.txt"
    script = root.parent / "train.py"
    script.write_text(
        f"""
import time, trackboard
run = trackboard.init(project="crash")
for step in range(200):
    trackboard.log({{"loss": 1.0 / (step + 1), "step_seen": step}})
open({str(progress)!r}, "w").write("logged 200\\n")
time.sleep(600)
"""
    )
    proc = subprocess.Popen([sys.executable, str(script)], cwd=root.parent)
    try:
        _wait_for(progress, "logged 200")
        time.sleep(2.5)  # the writer flushes at least every second
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    run = trackboard.Api().runs("crash")[0]
    assert run.state == "crashed"
    steps = [r["_step"] for r in run.scan_history(keys=["loss"])]
    assert steps == list(range(200))
    assert run.summary["step_seen"] == 199


def test_corrupt_frame_in_the_middle_is_skipped_and_the_rest_ingested(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_script(
        """
        import trackboard
        run = trackboard.init(project="corrupt", id="c0rrupt1")
        for step in range(300):
            trackboard.log({"x": float(step)})
        run.finish()
        """,
        root.parent,
    )
    log = root / "local" / "corrupt" / "c0rrupt1" / "run.log"
    data = bytearray(log.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = b"\xde\xad\xbe\xef" * 2
    log.write_bytes(bytes(data))
    run = trackboard.Api().run("corrupt/c0rrupt1")
    steps = [r["_step"] for r in run.scan_history(keys=["x"])]
    assert 280 < len(steps) < 300  # one or two rows lost with the damaged frame
    assert steps[0] == 0 and steps[-1] == 299
    assert run.state == "finished"
    assert "corrupt frame" in capsys.readouterr().err


def test_unserialisable_value_raises_and_loses_nothing_logged_before(root: Path) -> None:
    proc = run_script(
        """
        import trackboard
        run = trackboard.init(project="bad", id="badinput")
        trackboard.log({"a": 1.0})
        try:
            trackboard.log({"b": 2.0, "weird": object()})
        except TypeError as exc:
            print("TypeError:", exc)
        try:
            trackboard.log({3: 1.0})
        except TypeError as exc:
            print("TypeError:", exc)
        trackboard.log({"a": 3.0, "nan": float("nan"), "inf": float("-inf")})
        run.finish()
        """,
        root.parent,
    )
    assert "weird" in proc.stdout
    run = trackboard.Api().run("bad/badinput")
    rows = list(run.scan_history())
    assert [r.get("a") for r in rows] == [1.0, 3.0]
    assert all("b" not in r for r in rows)
    assert math.isnan(rows[1]["nan"]) and rows[1]["inf"] == -math.inf


def test_resume_continues_the_step_and_keeps_the_earlier_history(root: Path) -> None:
    for source in (
        """
        import trackboard
        run = trackboard.init(project="res", id="resume01", config={"lr": 0.1})
        for i in range(10):
            trackboard.log({"x": float(i)})
        run.finish()
        """,
        """
        import trackboard
        run = trackboard.init(project="res", id="resume01", resume="must")
        assert run.resumed and run.step == 10, run.step
        assert run.config["lr"] == 0.1
        for i in range(10, 15):
            trackboard.log({"x": float(i)})
        run.finish()
        """,
    ):
        run_script(source, root.parent)
    run = trackboard.Api().run("res/resume01")
    assert [r["_step"] for r in run.scan_history(keys=["x"])] == list(range(15))
    assert [r["x"] for r in run.scan_history(keys=["x"])] == [float(i) for i in range(15)]
    assert run.state == "finished"


def test_reused_id_without_resume_rewrites_from_step_zero_as_wandb(root: Path) -> None:
    for count in (10, 4):
        run_script(
            f"""
            import trackboard
            run = trackboard.init(project="reuse", id="reused01")
            for i in range({count}):
                trackboard.log({{"x": float(i * {count})}})
            run.finish()
            """,
            root.parent,
        )
    run = trackboard.Api().run("reuse/reused01")
    rows = list(run.scan_history(keys=["x"]))
    assert [r["_step"] for r in rows] == [0, 1, 2, 3]
    assert [r["x"] for r in rows] == [0.0, 4.0, 8.0, 12.0]


def test_two_ingesters_in_parallel_apply_every_record_once(root: Path) -> None:
    run_script(
        """
        import trackboard
        for n in range(3):
            run = trackboard.init(project="race", reinit="finish_previous")
            for i in range(3000):
                trackboard.log({"x": float(i)})
            run.finish()
        """,
        root.parent,
    )
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", "import trackboard; trackboard.Api()"], cwd=root.parent
        )
        for _ in range(3)
    ]
    for proc in readers:
        assert proc.wait(timeout=120) == 0
    for run in trackboard.Api().runs("race"):
        steps = [r["_step"] for r in run.scan_history(keys=["x"])]
        assert steps == list(range(3000))
