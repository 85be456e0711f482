from __future__ import annotations

import json
from pathlib import Path

import pytest

from trackboard.errors import InvalidInputError
from trackboard.sweeps.macros import DEFAULT_COMMAND, MACROS, expand_command

PARAMS = {"lr": 0.01, "epochs": 5, "opt": {"name": "adam"}, "amp": True, "ema": False}


def test_default_command_runs_python_on_the_program_with_args() -> None:
    assert expand_command(None, {"lr": 0.01, "epochs": 5}, program="train.py") == [
        "/usr/bin/env",
        "python",
        "train.py",
        "--lr=0.01",
        "--epochs=5",
    ]
    assert DEFAULT_COMMAND == ("${env}", "${interpreter}", "${program}", "${args}")


def test_env_expands_to_nothing_on_windows() -> None:
    assert expand_command(None, {"a": 1}, program="t.py", windows=True) == [
        "python",
        "t.py",
        "--a=1",
    ]


def test_args_render_values_with_str() -> None:
    assert expand_command(["${args}"], PARAMS) == [
        "--lr=0.01",
        "--epochs=5",
        "--opt={'name': 'adam'}",
        "--amp=True",
        "--ema=False",
    ]


def test_args_no_hyphens() -> None:
    assert expand_command(["${args_no_hyphens}"], {"lr": 0.01, "amp": True}) == [
        "lr=0.01",
        "amp=True",
    ]


def test_args_no_equals_gives_two_items_per_parameter() -> None:
    assert expand_command(["${args_no_equals}"], {"lr": 0.01, "n": 3}) == [
        "--lr",
        "0.01",
        "--n",
        "3",
    ]


def test_args_no_boolean_flags_turns_true_into_a_flag_and_drops_false() -> None:
    assert expand_command(["${args_no_boolean_flags}"], PARAMS) == [
        "--lr=0.01",
        "--epochs=5",
        "--opt={'name': 'adam'}",
        "--amp",
    ]


def test_args_no_boolean_flags_keeps_ones_and_zeros() -> None:
    assert expand_command(["${args_no_boolean_flags}"], {"a": 1, "b": 0}) == ["--a=1", "--b=0"]


def test_args_json_is_one_item_holding_the_json_object() -> None:
    argv = expand_command(["python", "t.py", "${args_json}"], PARAMS)
    assert argv[:2] == ["python", "t.py"]
    assert len(argv) == 3
    assert json.loads(argv[2]) == PARAMS


def test_args_json_file_is_the_given_path() -> None:
    path = "wandb/sweep-abc/config-run1.json"
    argv = expand_command(
        ["${program}", "--config", "${args_json_file}"], PARAMS, program="t.py", args_json_file=path
    )
    assert argv == ["t.py", "--config", path]


def test_args_json_file_without_a_path_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match=r"args_json_file"):
        expand_command(["${args_json_file}"], PARAMS)


def test_program_macro_without_a_program_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match=r"^program: required by \$\{program\}"):
        expand_command(None, PARAMS)


def test_hydra_macros_prefix_plus_signs() -> None:
    assert expand_command(["${args_append_hydra}", "${args_override_hydra}"], {"a": 1}) == [
        "+a=1",
        "++a=1",
    ]


def test_envvar_is_substituted_inside_items() -> None:
    argv = expand_command(
        ["${envvar:PY}", "--out=${envvar:OUT}/x", "${envvar:UNSET}"],
        {},
        environ={"PY": "python3.12", "OUT": "/data"},
    )
    assert argv == ["python3.12", "--out=/data/x", "UNSET"]


def test_envvar_in_parameter_values_is_left_alone() -> None:
    argv = expand_command(["${args}"], {"a": "${envvar:HOME}"}, environ={"HOME": "/h"})
    assert argv == ["--a=${envvar:HOME}"]


def test_items_that_are_not_macros_stay_as_written() -> None:
    assert expand_command(["nohup", "${args}x", "${unknown}", "${args}"], {"a": 1}) == [
        "nohup",
        "${args}x",
        "${unknown}",
        "--a=1",
    ]


def test_empty_params_expand_to_no_items() -> None:
    assert expand_command(["${args}", "${args_json}"], {}) == ["{}"]


def test_every_documented_macro_is_known() -> None:
    assert {
        "${env}",
        "${interpreter}",
        "${program}",
        "${args}",
        "${args_no_hyphens}",
        "${args_no_equals}",
        "${args_no_boolean_flags}",
        "${args_json}",
        "${args_json_file}",
        "${args_append_hydra}",
        "${args_override_hydra}",
    } == MACROS


def test_every_macro_is_in_the_sweeps_docs() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "sweeps.md").read_text()
    missing = [m for m in sorted(MACROS) if f"`{m}`" not in text]
    assert not missing, f"docs/sweeps.md lacks: {missing}"
