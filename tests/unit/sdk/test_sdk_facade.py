"""The ``trackboard`` module as a stand-in for ``wandb``: names, stubs, lazy parts."""

from __future__ import annotations

from pathlib import Path

import pytest

import trackboard

PROMISED = {
    "Api",
    "Artifact",
    "Audio",
    "Error",
    "Histogram",
    "Html",
    "Image",
    "Run",
    "Settings",
    "Table",
    "Video",
    "agent",
    "alert",
    "config",
    "data_types",
    "define_metric",
    "errors",
    "finish",
    "init",
    "log",
    "log_artifact",
    "log_code",
    "log_model",
    "login",
    "mark_preempting",
    "plot",
    "plot_table",
    "plots",
    "run",
    "save",
    "sklearn",
    "summary",
    "sweep",
    "unwatch",
    "use_artifact",
    "use_model",
    "visualize",
    "watch",
}


def test_public_names_are_the_promised_wandb_names() -> None:
    assert set(trackboard.__all__) == PROMISED
    for name in PROMISED:
        assert hasattr(trackboard, name) or name == "run"
    assert trackboard.__version__ == "0.1.0"


def test_api_is_loaded_on_first_use() -> None:
    from trackboard.api import Api

    assert trackboard.Api is Api
    with pytest.raises(AttributeError):
        trackboard.no_such_name  # noqa: B018


def test_errors_are_reachable_as_in_wandb() -> None:
    assert issubclass(trackboard.errors.UsageError, trackboard.Error)
    assert issubclass(trackboard.errors.ConfigError, trackboard.Error)


def test_login_is_a_no_op_returning_true() -> None:
    assert trackboard.login() is True
    assert trackboard.login(key="abc", relogin=True) is True


def test_alert_prints_with_or_without_a_run(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trackboard.alert(title="Low accuracy", text="acc < 0.1")
    trackboard.init(project="p", settings={"silent": True})
    trackboard.alert("Done", "finished", level="WARN")
    err = capsys.readouterr().err
    assert "ALERT [INFO] Low accuracy: acc < 0.1" in err
    assert "ALERT [WARN] Done: finished" in err


def test_log_code_warns_once_and_records_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    trackboard.log_code(".")
    trackboard.log_code(".")
    err = capsys.readouterr().err
    assert err.count("log_code() is not supported yet") == 1


def test_save_before_init_raises_trackboard_error() -> None:
    with pytest.raises(trackboard.Error, match=r"before trackboard.save\(\)"):
        trackboard.save("*.pt")


def test_settings_object_accepts_wandb_keywords(root: Path) -> None:
    settings = trackboard.Settings(silent=True, start_method="thread", run_name="from-settings")
    assert settings.silent is True and settings.console is None
    run = trackboard.init(project="p", settings=settings)
    assert run.name == "from-settings"
    assert run.settings.extra == {"start_method": "thread"}
