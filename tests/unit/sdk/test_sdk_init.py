"""``init``/``finish``: layout, names, modes, reinit, globals, context manager (wandb-api.md 1)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trackboard
from trackboard.errors import InvalidInputError
from trackboard.records import Exit, Heartbeat, HistoryRow, RunStart, RunUpdate


def test_run_folder_is_root_entity_project_id(root: Path) -> None:
    run = trackboard.init(project="proj", entity="team")
    assert re.fullmatch(r"[a-z0-9]{8}", run.id)
    run_dir = root / "team" / "proj" / run.id
    assert Path(run.dir) == run_dir / "files" and Path(run.dir).is_dir()
    assert (run_dir / "run.log").is_file()
    assert run.path == f"team/proj/{run.id}"
    assert (run.project, run.entity, run.url, run.offline) == ("proj", "team", None, True)


def test_project_and_entity_default_to_uncategorized_and_local(root: Path) -> None:
    run = trackboard.init()
    assert Path(run.dir).parent == root / "local" / "uncategorized" / run.id


@pytest.mark.parametrize(
    ("env", "use_dir", "expected"),
    [
        ({}, True, "given/trackboard"),
        ({"TRACKBOARD_DIR": "tbdir"}, False, "tbdir"),
        ({"WANDB_DIR": "wbdir"}, False, "wbdir/trackboard"),
        ({}, False, "work/trackboard"),
    ],
)
def test_root_follows_dir_then_environment_then_cwd(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    use_dir: bool,
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, str(tmp_path / value))
    run = trackboard.init(project="p", dir=str(tmp_path / "given") if use_dir else None)
    assert Path(run.dir).parents[3] == tmp_path / expected


def test_run_names_are_adjective_noun_and_count_the_project_runs(root: Path) -> None:
    (root / "local" / "p" / "old1").mkdir(parents=True)
    (root / "local" / "p" / "old2").mkdir()
    run = trackboard.init(project="p")
    assert re.fullmatch(r"[a-z]+-[a-z]+-3", run.name)


def test_explicit_id_and_name_are_used_and_bad_ids_refused(root: Path) -> None:
    run = trackboard.init(project="p", id="my-run_1", name="baseline")
    assert (run.id, run.name) == ("my-run_1", "baseline")
    run.finish()
    for bad in ("a/b", "a:b", "x%y", "q?", "h#", "back\\slash"):
        with pytest.raises(InvalidInputError, match="must not contain"):
            trackboard.init(project="p", id=bad)


def test_run_start_record_describes_the_process(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    before = time.time()
    run = trackboard.init(
        project="p", group="g", job_type="train", tags=["a", "b"], notes="n", name="nm"
    )
    run.finish()
    (start,) = records(run, RunStart)
    assert start.seq == 0 and start.run_id == run.id and start.session == run.session
    assert (start.group, start.job_type, start.tags, start.notes, start.name) == (
        "g",
        "train",
        ("a", "b"),
        "n",
        "nm",
    )
    assert start.pid == os.getpid() and start.host
    assert start.program == sys.argv[0]
    assert start.python == sys.version.split()[0]
    assert before <= start.start_time <= time.time()
    assert (start.resumed, start.starting_step, start.runtime_offset) == (False, 0, 0.0)
    assert [r.seq for r in records(run)] == list(range(len(records(run))))


def test_setting_metadata_after_start_writes_run_updates(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    run = trackboard.init(project="p")
    run.name = "renamed"
    run.tags = ("x", "y")
    run.notes = "note"
    run.finish()
    assert run.tags == ("x", "y") and run.name == "renamed"
    assert [u.fields for u in records(run, RunUpdate)] == [
        {"name": "renamed"},
        {"tags": ["x", "y"]},
        {"notes": "note"},
    ]


def test_init_prints_where_the_run_is_and_how_to_view_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = trackboard.init(project="p", dir=str(tmp_path / "d"))
    err = capsys.readouterr().err
    assert f"trackboard: run {run.name} ({run.id}) logging to {Path(run.dir).parent}" in err
    assert f"trackboard: list runs with: trackboard runs p --dir {tmp_path / 'd'}" in err


def test_silent_setting_prints_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trackboard.init(project="p", settings=trackboard.Settings(silent=True))
    assert capsys.readouterr().err == ""


def test_unsupported_keywords_warn_once_and_are_ignored(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trackboard.init(project="p", save_code=True, sync_tensorboard=True, reinit="create_new")
    trackboard.init(project="p", save_code=True, reinit="create_new")
    err = capsys.readouterr().err
    assert err.count("init(save_code=...) is not supported yet and is ignored") == 1
    assert "init(sync_tensorboard=...)" in err


def test_online_mode_warns_and_records_locally(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = trackboard.init(project="p", mode="online")
    assert "online mode needs a trackboard server" in capsys.readouterr().err
    assert Path(run.dir).is_dir()


def test_context_manager_marks_an_exception_failed_and_reraises(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    run = trackboard.init(project="p")

    def train() -> None:
        with run:
            run.log({"a": 1}, step=4)
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        train()
    (exit_record,) = records(run, Exit)
    assert (exit_record.state, exit_record.exit_code) == ("failed", 1)
    assert [r.step for r in records(run, HistoryRow)] == [4]
    assert trackboard.run is None


def test_context_manager_finishes_cleanly_without_exception(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    with trackboard.init(project="p") as run:
        run.log({"a": 1})
    assert records(run, Exit)[0].state == "finished"


def test_finish_is_idempotent_and_supports_killed_and_preempted(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    first = trackboard.init(project="p")
    first._finish(0, state="killed")
    first.finish()
    second = trackboard.init(project="p")
    second.mark_preempting()
    second.finish(exit_code=1)
    assert [e.state for e in records(first, Exit)] == ["killed"]
    assert [e.state for e in records(second, Exit)] == ["preempted"]


def test_module_globals_follow_the_current_run() -> None:
    assert trackboard.run is None
    with pytest.raises(trackboard.Error, match=r"trackboard.init\(\) before trackboard.config"):
        trackboard.config.lr  # noqa: B018
    run = trackboard.init(project="p", mode="offline", config={"lr": 0.1})
    assert trackboard.run is run
    assert trackboard.config is run.config and trackboard.config.lr == 0.1
    assert trackboard.summary is run.summary
    trackboard.log({"a": 1})
    assert run.summary["a"] == 1
    trackboard.finish()
    assert trackboard.run is None
    with pytest.raises(trackboard.Error):
        trackboard.log({"a": 1})


def test_default_reinit_in_a_script_returns_the_previous_run(root: Path) -> None:
    first = trackboard.init(project="p")
    assert trackboard.init(project="other") is first
    assert trackboard.init(project="p", reinit=False) is first


def test_finish_previous_finishes_the_open_run_first(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    first = trackboard.init(project="p")
    second = trackboard.init(project="p", reinit="finish_previous")
    assert second is not first and trackboard.run is second
    assert records(first, Exit)[0].state == "finished"
    third = trackboard.init(project="p", reinit=True)
    assert third is not second and records(second, Exit)


def test_create_new_leaves_the_module_globals_alone(root: Path) -> None:
    first = trackboard.init(project="p")
    extra = trackboard.init(project="p", reinit="create_new")
    assert extra is not first and trackboard.run is first
    extra.log({"x": 1})
    extra.finish()
    assert trackboard.run is first


def test_notebook_default_reinit_finishes_the_previous_run(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    first = trackboard.init(project="p", config={"lr": 0.1})
    first.config.lr = 0.2  # allow_val_change defaults to True in notebooks
    second = trackboard.init(project="p")
    assert second is not first
    with pytest.raises(trackboard.errors.UsageError):
        first.log({"a": 1})


def test_disabled_mode_writes_nothing_and_ignores_every_call(root: Path) -> None:
    run = trackboard.init(project="p", mode="disabled", config={"lr": 0.1})
    assert run.name == f"dummy-{run.id}" and len(run.id) == 8
    assert run.config.lr == 0.1 and run.config["lr"] == 0.1
    run.log({"a": 1})
    trackboard.log({"a": object()})
    run.summary["x"] = 1
    run.define_metric("loss", summary="min")
    run.watch(None)
    run.anything_else(1, 2)
    run.finish()
    assert not root.exists()
    assert trackboard.run is None


def test_heartbeats_are_written_at_the_configured_interval(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    run = trackboard.init(
        project="p", settings={"heartbeat_interval": 0.05, "flush_interval": 0.01}
    )
    time.sleep(0.4)
    run.log({"a": 1})
    run.finish()
    beats = records(run, Heartbeat)
    assert len(beats) >= 2
    assert all(b.runtime >= 0 for b in beats)
    assert [r.seq for r in records(run)] == list(range(len(records(run))))


def test_save_copies_files_into_the_run_files_folder(root: Path) -> None:
    Path("ckpt").mkdir()
    Path("ckpt/model.pt").write_bytes(b"weights")
    Path("notes.txt").write_text("hi", encoding="utf-8")
    run = trackboard.init(project="p")
    saved = trackboard.save("ckpt/*.pt")
    run.save(str(Path("notes.txt").absolute()))
    files = Path(run.dir)
    assert saved == [str(files / "ckpt" / "model.pt")]
    assert (files / "ckpt" / "model.pt").read_bytes() == b"weights"
    assert (files / "notes.txt").read_text(encoding="utf-8") == "hi"


def test_init_starts_no_subprocess(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a process was started")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)
    run = trackboard.init(project="p")
    run.log({"a": 1.0})
    run.finish()
