from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trackboard.errors import InvalidInputError, SweepConfigError
from trackboard.sweeps.spec import (
    HyperbandSpec,
    MetricSpec,
    NestedParameters,
    ParameterSpec,
    parse_sweep_config,
)

# The sweep of the seed post: random search over optimiser, learning rate, epochs and batch
# size, minimising the validation loss.
SEED_SWEEP = {
    "method": "random",
    "metric": {"name": "val_loss", "goal": "minimize"},
    "parameters": {
        "learning_rate": {"min": 0.0001, "max": 0.1},
        "optimizer": {"values": ["adam", "sgd"]},
        "epochs": {"values": [5, 10, 15]},
        "batch_size": {"values": [32, 64, 128]},
        "dropout": {"values": [0.3, 0.4, 0.5]},
    },
}


def _param(spec: dict[str, Any], method: str = "random") -> ParameterSpec:
    parsed = parse_sweep_config({"method": method, "parameters": {"p": spec}})
    param = parsed.parameters["p"]
    assert isinstance(param, ParameterSpec)
    return param


def _error(config: Any) -> str:
    with pytest.raises(SweepConfigError) as info:
        parse_sweep_config(config)
    return str(info.value)


def _param_error(spec: Any, method: str = "random") -> str:
    return _error({"method": method, "parameters": {"p": spec}})


def test_seed_sweep_config_parses_with_inferred_distributions() -> None:
    spec = parse_sweep_config(SEED_SWEEP)
    assert spec.method == "random"
    assert spec.metric == MetricSpec(name="val_loss", goal="minimize")
    lr = spec.parameters["learning_rate"]
    assert isinstance(lr, ParameterSpec)
    assert (lr.distribution, lr.min, lr.max) == ("uniform", 0.0001, 0.1)
    optimizer = spec.parameters["optimizer"]
    assert isinstance(optimizer, ParameterSpec)
    assert optimizer.distribution == "categorical"
    assert optimizer.values == ("adam", "sgd")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"value": 3}, "constant"),
        ({"value": None}, "constant"),
        ({"values": [1, "a", {"k": 1}, [1, 2]]}, "categorical"),
        ({"values": [1, 2], "probabilities": [0.25, 0.75]}, "categorical_w_probabilities"),
        ({"min": 1, "max": 5}, "int_uniform"),
        ({"min": 1.0, "max": 5}, "uniform"),
        ({"min": 1, "max": 5.5}, "uniform"),
        ({"min": 0.1, "max": 0.5}, "uniform"),
    ],
)
def test_distribution_is_inferred_from_fields_when_not_named(
    fields: dict[str, Any], expected: str
) -> None:
    assert _param(fields).distribution == expected


@pytest.mark.parametrize(
    "fields",
    [{"mu": 0, "sigma": 1}, {"a": 1, "b": 2}, {"min": 1, "max": 2, "q": 1}, {}],
)
def test_fields_that_fit_no_inferable_shape_need_a_distribution(fields: dict[str, Any]) -> None:
    message = _param_error(fields)
    assert message.startswith("parameters.p: cannot infer a distribution")


def test_value_with_values_is_not_inferred() -> None:
    assert _param_error({"value": 1, "values": [1]}).startswith("parameters.p: cannot infer")


def test_booleans_are_not_integer_bounds() -> None:
    assert _param_error({"min": True, "max": 3}).startswith("parameters.p.min:")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"distribution": "q_beta"}, {"a": 1.0, "b": 1.0, "q": 1.0}),
        ({"distribution": "beta", "a": 2, "b": 5}, {"a": 2, "b": 5}),
        ({"distribution": "normal"}, {"mu": 0.0, "sigma": 1.0}),
        ({"distribution": "q_normal", "mu": 3, "sigma": 2, "q": 2}, {"mu": 3, "q": 2}),
        ({"distribution": "log_normal", "mu": -1}, {"mu": -1, "sigma": 1.0}),
        ({"distribution": "q_log_normal", "q": 0.5}, {"q": 0.5, "mu": 0.0}),
        ({"distribution": "uniform", "min": 1, "max": 2}, {"min": 1, "max": 2}),
        ({"distribution": "q_uniform", "min": 0, "max": 10}, {"q": 1.0}),
        ({"distribution": "log_uniform", "min": -5, "max": 0}, {"min": -5}),
        ({"distribution": "inv_log_uniform", "min": 0, "max": 3}, {"max": 3}),
        ({"distribution": "q_log_uniform", "min": 0, "max": 3, "q": 2}, {"q": 2}),
        ({"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1}, {"min": 1e-5}),
        ({"distribution": "inv_log_uniform_values", "min": 1, "max": 100}, {"max": 100}),
        ({"distribution": "q_log_uniform_values", "min": 1, "max": 1024, "q": 8}, {"q": 8}),
        ({"distribution": "int_uniform", "min": -3, "max": 3}, {"min": -3, "max": 3}),
        ({"distribution": "constant", "value": "x"}, {"value": "x"}),
        ({"distribution": "categorical", "values": [1]}, {"values": (1,)}),
        (
            {
                "distribution": "categorical_w_probabilities",
                "values": [1, 2],
                "probabilities": [1, 0],
            },
            {"probabilities": (1.0, 0.0)},
        ),
    ],
)
def test_every_distribution_parses_with_its_fields_and_defaults(
    spec: dict[str, Any], expected: dict[str, Any]
) -> None:
    param = _param(spec)
    assert param.distribution == spec["distribution"]
    for key, value in expected.items():
        assert getattr(param, key) == value
        assert type(getattr(param, key)) is type(value)


def test_int_q_keeps_its_type() -> None:
    assert isinstance(_param({"distribution": "q_uniform", "min": 0, "max": 9, "q": 3}).q, int)


@pytest.mark.parametrize(
    ("spec", "prefix"),
    [
        ({"min": 0.1, "max": 0.01}, "parameters.p.min: must be less than max (got 0.1 >= 0.01)"),
        ({"min": 3, "max": 3}, "parameters.p.min: must be less than max (got 3 >= 3)"),
        (
            {"distribution": "int_uniform", "min": 0.5, "max": 3},
            "parameters.p.min: must be an integer",
        ),
        (
            {"distribution": "log_uniform_values", "min": 0, "max": 1},
            "parameters.p.min: must be greater than 0",
        ),
        (
            {"distribution": "q_log_uniform_values", "min": -1, "max": 1},
            "parameters.p.min: must be greater than 0",
        ),
        (
            {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0},
            "parameters.p.q: must be greater than 0",
        ),
        ({"distribution": "normal", "sigma": -1}, "parameters.p.sigma: must be at least 0"),
        ({"distribution": "beta", "a": 0}, "parameters.p.a: must be greater than 0"),
        ({"distribution": "normal", "mu": "x"}, "parameters.p.mu: must be a finite number"),
        (
            {"distribution": "uniform", "min": float("nan"), "max": 1},
            "parameters.p.min: must be a finite number",
        ),
        (
            {"distribution": "uniform", "min": 0},
            "parameters.p.max: required by a uniform parameter",
        ),
        (
            {"distribution": "uniform", "min": 0, "max": 1, "q": 1},
            "parameters.p.q: not a field of a uniform parameter",
        ),
        (
            {"distribution": "gaussian"},
            "parameters.p.distribution: unknown distribution 'gaussian'",
        ),
        ({"values": []}, "parameters.p.values: must be a non-empty list"),
        ({"values": "abc"}, "parameters.p.values: must be a non-empty list"),
        (
            {"values": [1, 2], "probabilities": [1.0]},
            "parameters.p.probabilities: needs one probability per value",
        ),
        (
            {"values": [1, 2], "probabilities": [0.5, 0.6]},
            "parameters.p.probabilities: must sum to 1",
        ),
        (
            {"values": [1, 2], "probabilities": [-0.5, 1.5]},
            "parameters.p.probabilities: each must be a number of at least 0",
        ),
        (
            {"parameters": {"x": {"value": 1}}, "value": 2},
            "parameters.p.value: nested parameters take only",
        ),
        ({"parameters": {}}, "parameters.p.parameters: must be a non-empty mapping"),
        (
            {"parameters": {"x": {"min": 2, "max": 1}}},
            "parameters.p.parameters.x.min: must be less than max",
        ),
        (0.1, "parameters.p: must be a mapping"),
    ],
)
def test_bad_parameter_is_an_error_naming_the_field(spec: Any, prefix: str) -> None:
    assert _param_error(spec).startswith(prefix)


def test_errors_are_invalid_input_errors() -> None:
    with pytest.raises(InvalidInputError):
        parse_sweep_config({"method": "random"})


def test_nested_parameters_parse_recursively() -> None:
    spec = parse_sweep_config(
        {
            "method": "random",
            "parameters": {
                "optimizer": {
                    "parameters": {
                        "name": {"values": ["adam", "sgd"]},
                        "schedule": {"parameters": {"warmup": {"value": 10}}},
                    }
                }
            },
        }
    )
    optimizer = spec.parameters["optimizer"]
    assert isinstance(optimizer, NestedParameters)
    schedule = optimizer.parameters["schedule"]
    assert isinstance(schedule, NestedParameters)
    assert schedule.parameters["warmup"] == ParameterSpec(distribution="constant", value=10)


@pytest.mark.parametrize(
    ("config", "prefix"),
    [
        ({"parameters": {"p": {"value": 1}}}, "method: required"),
        (
            {"method": "hill", "parameters": {"p": {"value": 1}}},
            "method: must be one of grid, random, bayes",
        ),
        (
            {"method": "custom", "parameters": {"p": {"value": 1}}},
            "method: custom needs an external",
        ),
        ({"method": "random"}, "parameters: required"),
        ({"method": "random", "parameters": {}}, "parameters: must be a non-empty mapping"),
        (
            {"method": "random", "parameters": {"1lr": {"value": 1}}},
            "parameters.1lr: a parameter name must match",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "params": {}},
            "params: not a sweep config key",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "run_cap": 0},
            "run_cap: must be an integer of at least 1",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "run_cap": True},
            "run_cap: must be an integer",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "program": 3},
            "program: must be a string",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "command": "python x.py"},
            "command: must be a non-empty list",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "command": ["python", 3]},
            "command[1]: must be a string",
        ),
        (
            {
                "method": "random",
                "parameters": {"p": {"value": 1}},
                "controller": {"type": "remote"},
            },
            "controller.type: must be local or cloud",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "metric": "loss"},
            "metric: must be a mapping",
        ),
        (
            {"method": "random", "parameters": {"p": {"value": 1}}, "metric": {"goal": "minimize"}},
            "metric.name: required",
        ),
        (
            {
                "method": "random",
                "parameters": {"p": {"value": 1}},
                "metric": {"name": "l", "goal": "min"},
            },
            "metric.goal: must be one of minimize, maximize",
        ),
        (
            {
                "method": "random",
                "parameters": {"p": {"value": 1}},
                "metric": {"name": "l", "target": "x"},
            },
            "metric.target: must be a finite number",
        ),
        (
            {
                "method": "random",
                "parameters": {"p": {"value": 1}},
                "metric": {"name": "l", "impute": "mean"},
            },
            "metric.impute: must be one of",
        ),
        (
            {
                "method": "random",
                "parameters": {"p": {"value": 1}},
                "metric": {"name": "l", "impute_while_running": "x"},
            },
            "metric.impute_while_running: must be one of",
        ),
        (
            {
                "method": "random",
                "parameters": {"p": {"value": 1}},
                "metric": {"name": "l", "step": 1},
            },
            "metric.step: not a metric key",
        ),
        (
            {"method": "bayes", "parameters": {"p": {"values": [1, 2]}}},
            "metric: required by method bayes",
        ),
        (
            {"method": "bayes", "metric": {"name": "l"}, "parameters": {"p": {"value": 1}}},
            "parameters: method bayes needs at least one",
        ),
        (
            {"method": "grid", "parameters": {"p": {"min": 0.0, "max": 1.0}}},
            "parameters.p: a grid search cannot enumerate a uniform",
        ),
    ],
)
def test_bad_sweep_config_is_an_error_naming_the_field(config: dict[str, Any], prefix: str) -> None:
    assert _error(config).startswith(prefix)


def test_metric_fills_wandb_defaults() -> None:
    spec = parse_sweep_config({**SEED_SWEEP, "metric": {"name": "acc"}})
    assert spec.metric == MetricSpec(
        name="acc", goal="minimize", target=None, impute="worst", impute_while_running=None
    )


def test_metric_takes_every_field() -> None:
    metric = {
        "name": "acc",
        "goal": "maximize",
        "target": 0.99,
        "impute": "best",
        "impute_while_running": "latest",
    }
    spec = parse_sweep_config({**SEED_SWEEP, "metric": metric})
    assert spec.metric == MetricSpec("acc", "maximize", 0.99, "best", "latest")


def _hyperband(early: dict[str, Any]) -> HyperbandSpec | None:
    return parse_sweep_config({**SEED_SWEEP, "early_terminate": early}).early_terminate


def test_hyperband_with_min_iter_fills_eta_and_strict() -> None:
    assert _hyperband({"type": "hyperband", "min_iter": 3}) == HyperbandSpec(
        min_iter=3, eta=3.0, strict=True
    )


def test_hyperband_with_max_iter_and_s() -> None:
    early = {"type": "hyperband", "max_iter": 27, "s": 2, "eta": 2, "strict": False}
    assert _hyperband(early) == HyperbandSpec(max_iter=27, s=2.0, eta=2.0, strict=False)


@pytest.mark.parametrize(
    ("early", "prefix"),
    [
        ({"type": "median", "min_iter": 3}, "early_terminate.type: must be hyperband"),
        ({"type": "hyperband"}, "early_terminate.min_iter: required"),
        ({"type": "hyperband", "max_iter": 27}, "early_terminate.min_iter: required"),
        ({"type": "hyperband", "min_iter": 0}, "early_terminate.min_iter: must be an integer"),
        (
            {"type": "hyperband", "min_iter": 3, "eta": 1},
            "early_terminate.eta: must be a number greater than 1",
        ),
        (
            {"type": "hyperband", "min_iter": 3, "strict": "yes"},
            "early_terminate.strict: must be true or false",
        ),
        (
            {"type": "hyperband", "max_iter": 27, "s": -1},
            "early_terminate.s: must be a number greater than 0",
        ),
        (
            {"type": "hyperband", "min_iter": 3, "max": 9},
            "early_terminate.max: not a hyperband key",
        ),
    ],
)
def test_bad_hyperband_is_an_error_naming_the_field(early: dict[str, Any], prefix: str) -> None:
    assert _error({**SEED_SWEEP, "early_terminate": early}).startswith(prefix)


def test_early_terminate_needs_a_metric() -> None:
    config = {k: v for k, v in SEED_SWEEP.items() if k != "metric"}
    message = _error({**config, "early_terminate": {"type": "hyperband", "min_iter": 1}})
    assert message.startswith("metric: required by early_terminate")


def test_top_level_fields_are_kept() -> None:
    spec = parse_sweep_config(
        {
            **SEED_SWEEP,
            "run_cap": 6,
            "program": "train.py",
            "command": ["${env}", "python3", "${program}", "${args_no_hyphens}"],
            "name": "lr sweep",
            "description": "first try",
            "entity": "me",
            "project": "mnist",
            "controller": {"type": "local"},
            "job": "me/mnist/job:v0",
        }
    )
    assert spec.run_cap == 6
    assert spec.program == "train.py"
    assert spec.command == ("${env}", "python3", "${program}", "${args_no_hyphens}")
    assert (spec.name, spec.description, spec.entity, spec.project) == (
        "lr sweep",
        "first try",
        "me",
        "mnist",
    )
    assert spec.controller == "local"
    assert spec.extra == {"job": "me/mnist/job:v0"}
    assert spec.source["run_cap"] == 6


def test_defaults_when_optional_keys_are_absent() -> None:
    spec = parse_sweep_config({"method": "grid", "parameters": {"p": {"values": [1]}}})
    assert spec.metric is None
    assert spec.early_terminate is None
    assert spec.run_cap is None
    assert spec.command is None
    assert spec.controller == "cloud"


SEED_YAML = """\
program: train.py
method: bayes
metric:
  name: val_loss
  goal: minimize
parameters:
  learning_rate:
    distribution: log_uniform_values
    min: 1.0e-4
    max: 0.1
  optimizer:
    values: [adam, sgd]
  epochs:
    value: 10
early_terminate:
  type: hyperband
  min_iter: 3
"""


def test_yaml_text_parses() -> None:
    spec = parse_sweep_config(SEED_YAML)
    assert spec.method == "bayes"
    assert spec.program == "train.py"
    lr = spec.parameters["learning_rate"]
    assert isinstance(lr, ParameterSpec)
    assert (lr.distribution, lr.min, lr.max) == ("log_uniform_values", 1e-4, 0.1)
    assert spec.early_terminate == HyperbandSpec(min_iter=3)


def test_yaml_file_parses_from_path_and_string(tmp_path: Path) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text(SEED_YAML, encoding="utf-8")
    assert parse_sweep_config(path) == parse_sweep_config(str(path))
    assert parse_sweep_config(path).parameters == parse_sweep_config(SEED_YAML).parameters


def test_missing_yaml_file_is_an_error_naming_it(tmp_path: Path) -> None:
    message = _error(tmp_path / "nope.yaml")
    assert message.startswith("sweep config: cannot read")
    assert "nope.yaml" in message


def test_yaml_exponent_without_a_dot_gets_a_hint() -> None:
    message = _error("method: random\nparameters:\n  lr:\n    min: 1e-4\n    max: 0.1\n")
    assert message.startswith("parameters.lr.min: min and max must be numbers")
    assert "write it as 0.0001" in message
    message = _error(
        "method: random\nparameters:\n  lr:\n    distribution: uniform\n"
        "    min: 1e-4\n    max: 0.1\n"
    )
    assert message.startswith("parameters.lr.min: must be a finite number")
    assert "YAML reads 1e-4 as text" in message


def test_malformed_yaml_is_an_error() -> None:
    assert _error("method: [grid\nparameters: {").startswith("sweep config: not valid YAML")


def test_yaml_that_is_not_a_mapping_is_an_error() -> None:
    assert _error("- a\n- b\n").startswith("sweep config: must be a mapping")
