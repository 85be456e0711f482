"""Console capture: printed lines become ConsoleOutput records; print() is never disturbed."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

import trackboard
from trackboard.records import ConsoleOutput, Exit, Record
from trackboard.sdk import console_capture
from trackboard.sdk.console_capture import MAX_LINE_CHARS, ConsoleCapture, Line

Records = Callable[..., list[Record]]


def lines_of(found: list[Record]) -> list[tuple[str, str]]:
    return [(r.stream, r.text) for r in found if isinstance(r, ConsoleOutput)]


def test_printed_lines_are_recorded_with_their_stream(
    root: Path, records: Records, capsys: pytest.CaptureFixture[str]
) -> None:
    run = trackboard.init(project="p")
    print("epoch 1 \x1b[32mok\x1b[0m")
    print("disk almost full", file=sys.stderr)
    print()
    sys.stdout.write("two\nlines\n")
    run.finish()

    assert lines_of(records(run)) == [
        ("stdout", "epoch 1 \x1b[32mok\x1b[0m"),
        ("stderr", "disk almost full"),
        ("stdout", ""),
        ("stdout", "two"),
        ("stdout", "lines"),
    ]
    seen = capsys.readouterr()
    assert "epoch 1 \x1b[32mok\x1b[0m\n\ntwo\nlines\n" in seen.out
    assert "disk almost full\n" in seen.err


def test_console_lines_come_before_the_exit_record_in_seq_order(
    root: Path, records: Records
) -> None:
    run = trackboard.init(project="p", settings={"x_disable_stats": True})
    print("hello")
    run.finish()

    found = records(run)
    assert [type(r) for r in found][-2:] == [ConsoleOutput, Exit]
    assert [r.seq for r in found] == list(range(len(found)))


def test_carriage_return_progress_bars_keep_their_last_state(root: Path, records: Records) -> None:
    run = trackboard.init(project="p")
    for percent in (0, 50, 100):
        sys.stdout.write(f"\rtraining {percent:3d}%")
    sys.stdout.write("\n")
    sys.stdout.write("windows line\r\n")
    sys.stdout.write("\rstill drawing 10%\rstill drawing 20%")  # unfinished at finish
    run.finish()

    assert lines_of(records(run)) == [
        ("stdout", "training 100%"),
        ("stdout", "windows line"),
        ("stdout", "still drawing 20%"),
    ]


def test_a_long_line_is_split_into_records_of_the_cap(root: Path, records: Records) -> None:
    run = trackboard.init(project="p")
    print("x" * (MAX_LINE_CHARS * 2 + 10))
    run.finish()

    texts = [text for _, text in lines_of(records(run))]
    assert [len(t) for t in texts] == [MAX_LINE_CHARS, MAX_LINE_CHARS, 10]


def test_streams_are_restored_after_finish(root: Path) -> None:
    before = (sys.stdout, sys.stderr)
    run = trackboard.init(project="p")
    assert sys.stdout is not before[0]

    run.finish()

    assert (sys.stdout, sys.stderr) == before


def test_console_off_captures_nothing(root: Path, records: Records) -> None:
    before = sys.stdout
    run = trackboard.init(project="p", settings={"console": "off"})
    assert sys.stdout is before
    print("not kept")
    run.finish()

    assert lines_of(records(run)) == []


def test_console_off_from_the_environment(
    root: Path, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_CONSOLE", "off")
    run = trackboard.init(project="p")
    print("not kept")
    run.finish()

    assert run.settings.console == "off"
    assert lines_of(records(run)) == []


def test_an_unknown_console_mode_is_refused(root: Path) -> None:
    with pytest.raises(trackboard.errors.InvalidInputError, match="console"):
        trackboard.init(project="p", settings={"console": "loud"})


def test_two_runs_of_one_process_each_capture_while_they_run(root: Path, records: Records) -> None:
    before = sys.stdout
    first = trackboard.init(project="p", reinit="create_new")
    print("both")
    second = trackboard.init(project="p", reinit="create_new")
    print("both again")
    first.finish()
    print("second only")
    assert sys.stdout is not before
    second.finish()
    print("neither")

    assert sys.stdout is before

    def printed(run: object) -> list[str]:
        return [t for stream, t in lines_of(records(run)) if stream == "stdout"]

    assert printed(first) == ["both", "both again"]
    assert printed(second) == ["both again", "second only"]


def test_a_failing_capture_never_breaks_print(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(lines: Iterable[Line]) -> bool:
        raise RuntimeError("the run is gone")

    capture = ConsoleCapture(broken)
    capture.start()
    try:
        print("still printed")
        print("partial", end="")
    finally:
        capture.stop()

    assert capsys.readouterr().out == "still printed\npartial"


def test_writes_the_capture_cannot_take_are_passed_through(
    capsys: pytest.CaptureFixture[str],
) -> None:
    got: list[Line] = []

    def keep(lines: Iterable[Line]) -> bool:
        got.extend(lines)
        return True

    capture = ConsoleCapture(keep)
    capture.start()
    try:
        capture.feed("stdout", "bad \ud800 text\n", 1.0)  # a stream with errors="surrogateescape"
        with pytest.raises(TypeError):
            sys.stdout.write(b"bytes")  # type: ignore[arg-type]
        print("after")
    finally:
        capture.stop()

    assert [text for _, _, text in got][-2:] == ["bad ? text", "after"]
    assert "after" in capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_prints_through_without_holding_lines(root: Path, records: Records) -> None:
    run = trackboard.init(project="p")
    print("parent before")
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:  # the child: its writes pass through, never held for a drain that never comes
        code = 1
        try:
            (capture,) = console_capture._captures
            before = len(capture._lines)
            print("child")
            sys.stdout.flush()
            code = 0 if len(capture._lines) == before else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print("parent after")
    assert os.waitstatus_to_exitcode(status) == 0
    run.finish()

    assert [t for s, t in lines_of(records(run)) if s == "stdout"] == [
        "parent before",
        "parent after",
    ]
