"""Resuming a run from its run log (wandb-api.md 1.3, read locally instead of from a server)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trackboard
from trackboard.errors import UsageError
from trackboard.records import ConfigUpdate, HistoryRow, RunStart


def first_session(**init: Any) -> Any:
    run = trackboard.init(project="p", id="keep1234", config={"lr": 0.1}, **init)
    run.define_metric("loss", summary="min,mean")
    for step, loss in enumerate((4.0, 2.0, 3.0)):
        run.log({"loss": loss, "acc": step / 10}, step=step)
    run.summary["best"] = 7
    run.name = "renamed"
    return run


def test_resume_never_refuses_an_existing_run(root: Path) -> None:
    first_session().finish()
    with pytest.raises(UsageError, match="already exists"):
        trackboard.init(project="p", id="keep1234", resume="never")
    fresh = trackboard.init(project="p", id="other123", resume="never")
    assert not fresh.resumed


def test_resume_must_refuses_a_missing_run_or_id(root: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        trackboard.init(project="p", id="missing1", resume="must")
    with pytest.raises(UsageError, match="needs the id"):
        trackboard.init(project="p", resume="must")


def test_resume_allow_continues_step_config_summary_and_runtime(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    first = first_session()
    first.finish()
    run = trackboard.init(project="p", id="keep1234", resume="allow", config={"lr": 0.5})
    assert run.resumed and run.step == 3
    assert run.name == "renamed"
    assert run.config.lr == 0.1
    assert run.summary["best"] == 7 and run.summary["acc"] == 0.2
    run.define_metric("loss", summary="min,mean")
    run.log({"loss": 1.0})
    assert run.summary["loss"] == {"min": 1.0, "mean": 2.5}
    run.finish()
    starts = records(run, RunStart)
    assert len(starts) == 2 and starts[0].session != starts[1].session
    assert starts[1].resumed and starts[1].starting_step == 3
    assert starts[1].runtime_offset > 0
    rows = records(run, HistoryRow)
    assert [r.step for r in rows] == [0, 1, 2, 3]
    assert rows[-1].runtime >= starts[1].runtime_offset
    assert records(run, ConfigUpdate)[-1].values == {"lr": 0.1}


def test_resume_allow_starts_a_new_run_when_the_id_is_unknown(root: Path) -> None:
    run = trackboard.init(project="p", id="brandnew", resume="allow")
    assert not run.resumed and run.step == 0


def test_reusing_an_id_without_resume_writes_a_new_session_from_step_0(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    first_session().finish()
    run = trackboard.init(project="p", id="keep1234")
    assert not run.resumed and run.step == 0 and run.name == "renamed"
    assert "lr" not in run.config
    run.log({"loss": 9.0})
    run.finish()
    assert [r.step for r in records(run, HistoryRow)] == [0, 1, 2, 0]


def test_resume_auto_continues_the_run_that_did_not_finish(root: Path) -> None:
    crashed = trackboard.init(project="p", resume="auto")
    crashed.log({"a": 1})
    assert json.loads((root / "resume-auto.json").read_text())["run_id"] == crashed.id
    crashed.finish(exit_code=1)
    assert (root / "resume-auto.json").exists()
    again = trackboard.init(project="p", resume=True)
    assert again.id == crashed.id and again.resumed and again.step == 1
    again.finish()
    assert not (root / "resume-auto.json").exists()
    fresh = trackboard.init(project="p", resume="auto")
    assert fresh.id != crashed.id and not fresh.resumed


def test_resume_from_environment_variable(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first_session().finish()
    monkeypatch.setenv("WANDB_RESUME", "must")
    monkeypatch.setenv("WANDB_RUN_ID", "keep1234")
    run = trackboard.init(project="p")
    assert run.resumed and run.id == "keep1234"


def test_unknown_resume_value_is_a_usage_error(root: Path) -> None:
    with pytest.raises(UsageError, match="resume must be one of"):
        trackboard.init(project="p", resume="sometimes")
