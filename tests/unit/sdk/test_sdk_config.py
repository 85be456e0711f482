"""``run.config``: wandb's rules (wandb-api.md 1.2), checked on the records they write."""

from __future__ import annotations

import argparse
import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import trackboard
from trackboard.errors import ConfigError, UsageError
from trackboard.records import ConfigUpdate
from trackboard.sdk.config import Config, parse_config

CHANGE_MESSAGE = (
    'Attempted to change value of key "lr" from 0.1 to 0.2\n'
    "If you really want to do this, pass allow_val_change=True to config.update()"
)


def test_changing_a_value_raises_config_error_with_wandb_text() -> None:
    config = Config()
    config.lr = 0.1
    with pytest.raises(ConfigError) as caught:
        config.lr = 0.2
    assert str(caught.value) == CHANGE_MESSAGE
    with pytest.raises(ConfigError):
        config["lr"] = 0.2
    with pytest.raises(ConfigError):
        config.update({"lr": 0.2})
    assert config.lr == 0.1


def test_setting_the_same_value_again_is_a_no_op() -> None:
    config = Config()
    sent: list[dict[str, Any]] = []
    config._bind(lambda values, removed: sent.append(values))
    config.update({"lr": 0.1, "nan": float("nan")})
    config.lr = 0.1
    config.update({"nan": float("nan")})
    assert len(sent) == 1


def test_update_with_allow_val_change_changes_the_value() -> None:
    config = Config()
    config.update({"lr": 0.1})
    config.update({"lr": 0.2}, allow_val_change=True)
    assert config["lr"] == 0.2


def test_init_allow_val_change_permits_assignment(root: Path) -> None:
    run = trackboard.init(project="p", config={"lr": 0.1}, allow_val_change=True)
    run.config.lr = 0.3
    assert run.config.lr == 0.3


def test_a_failed_update_changes_nothing() -> None:
    config = Config()
    config.update({"a": 1})
    with pytest.raises(ConfigError):
        config.update({"b": 2, "a": 3})
    assert "b" not in config


def test_sweep_locked_keys_win_and_later_writes_are_ignored_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = Config(warn=lambda message: print(message, file=__import__("sys").stderr))
    config.update({"lr": 0.1, "batch": 32})
    config._merge_locked({"lr": 0.5}, user="sweep")
    assert config.lr == 0.5
    config.update({"lr": 0.9, "batch": 32})
    config.lr = 0.7
    assert config.lr == 0.5
    err = capsys.readouterr().err
    assert "Config item 'lr' was locked by 'sweep' (ignored update)." in err


def test_locked_nested_dicts_are_deep_merged() -> None:
    config = Config()
    config.update({"opt": {"name": "adam", "lr": 0.1}})
    config._merge_locked({"opt": {"lr": 0.5}})
    assert config.opt == {"name": "adam", "lr": 0.5}


def test_leading_dashes_are_stripped_and_dotted_keys_kept_whole() -> None:
    config = Config()
    config.update({"--lr": 0.1, "-x-": 1})
    assert config.keys() == ["lr", "x"]
    config.update({"a.b": 1})
    assert config["a.b"] == 1


def test_underscore_keys_are_hidden_but_readable() -> None:
    config = Config()
    config.update({"_secret": 1, "shown": 2})
    assert config.keys() == ["shown"]
    assert dict(config.items()) == {"shown": 2}
    assert config["_secret"] == 1 and "_secret" in config
    assert config.as_dict() == {"_secret": 1, "shown": 2}


def test_setdefaults_only_adds_missing_keys() -> None:
    config = Config()
    config.update({"a": 1})
    config.setdefaults({"a": 5, "b": 2})
    assert config.as_dict() == {"a": 1, "b": 2}


def test_attribute_and_item_access() -> None:
    config = Config()
    config.update({"lr": 0.1})
    assert config.lr == config["lr"] == config.get("lr") == 0.1
    assert config.get("missing", 3) == 3
    assert not hasattr(config, "missing")
    with pytest.raises(KeyError):
        config["missing"]


def test_argparse_namespace_and_plain_objects_are_accepted() -> None:
    namespace = argparse.Namespace(lr=0.1, epochs=3)

    class Options:
        def __init__(self) -> None:
            self.depth = 4

    class Flags:
        def flag_values_dict(self) -> dict[str, Any]:
            return {"seed": 1}

    assert parse_config(namespace) == {"lr": 0.1, "epochs": 3}
    assert parse_config(Options()) == {"depth": 4}
    assert parse_config(Flags()) == {"seed": 1}
    assert parse_config({"a": 1, "b": 2}, include=["a"]) == {"a": 1}
    assert parse_config({"a": 1, "b": 2}, exclude=["a"]) == {"b": 2}
    with pytest.raises(UsageError):
        parse_config({}, include=["a"], exclude=["b"])


def test_yaml_path_is_loaded_with_value_entries_unwrapped(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "wandb_version: 1\nlr:\n  desc: learning rate\n  value: 0.01\nlayers: [1, 2]\n"
        "opt:\n  name: adam\n",
        encoding="utf-8",
    )
    assert parse_config(str(path)) == {"lr": 0.01, "layers": [1, 2], "opt": {"name": "adam"}}


def test_config_defaults_yaml_in_cwd_is_loaded_first(root: Path) -> None:
    Path("config-defaults.yaml").write_text(
        "lr:\n  value: 0.1\nepochs:\n  value: 10\n", encoding="utf-8"
    )
    run = trackboard.init(project="p", config={"epochs": 3})
    assert run.config.as_dict() == {"lr": 0.1, "epochs": 3}


def test_dataclass_values_and_media_objects(memory_run: Callable[..., Any]) -> None:
    @dataclasses.dataclass
    class Optim:
        lr: float = 0.1

    config = Config()
    config.update({"optim": Optim()})
    assert config.optim == {"lr": 0.1}

    class Image:
        __module__ = "trackboard.media.image"

        def to_json(self, run: Any) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match="media"):
        config.update({"img": Image()})


def test_every_change_writes_a_config_update_with_the_changed_keys(
    memory_run: Callable[..., Any],
) -> None:
    run, writer = memory_run()
    run.config.update({"a": 1, "b": 2})
    run.config.a = 1
    run.config["c"] = [1, 2]
    del run.config["b"]
    updates = [(u.values, u.removed) for u in writer.of(ConfigUpdate)]
    assert updates == [({}, ()), ({"a": 1, "b": 2}, ()), ({"c": [1, 2]}, ()), ({}, ("b",))]


def test_init_config_is_written_right_after_run_start(
    root: Path, records: Callable[..., list[Any]]
) -> None:
    run = trackboard.init(project="p", config=argparse.Namespace(lr=0.1, batch_size=8))
    run.finish()
    kinds = [type(r).__name__ for r in records(run)]
    assert kinds[:2] == ["RunStart", "ConfigUpdate"]
    assert records(run, ConfigUpdate)[0].values == {"lr": 0.1, "batch_size": 8}


def test_copies_of_the_config_are_detached() -> None:
    config = Config()
    sent: list[dict[str, Any]] = []
    config._bind(lambda values, removed: sent.append(values))
    config.update({"opt": {"lr": 0.1}})
    deep = copy.deepcopy(config)
    deep.extra = 1
    deep.opt["lr"] = 0.5
    assert config.opt == {"lr": 0.1} and "extra" not in config
    assert copy.copy(config).as_dict() == {"opt": {"lr": 0.1}}
    assert len(sent) == 1
