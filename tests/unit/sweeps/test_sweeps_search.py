from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from trackboard.errors import InvalidInputError
from trackboard.sweeps.search import (
    MISSING,
    PriorRun,
    config_value,
    flatten_parameters,
    nest_values,
    next_params,
)
from trackboard.sweeps.spec import ParameterSpec, SweepSpec, parse_sweep_config


def _spec(**extra: Any) -> SweepSpec:
    return parse_sweep_config(
        {"method": "random", "parameters": {"lr": {"min": 0.0, "max": 1.0}}, **extra}
    )


def test_flatten_parameters_gives_sorted_paths_of_leaves() -> None:
    spec = parse_sweep_config(
        {
            "method": "random",
            "parameters": {
                "b": {"value": 1},
                "a": {"parameters": {"d": {"value": 2}, "c": {"parameters": {"e": {"value": 3}}}}},
            },
        }
    )
    flat = flatten_parameters(spec.parameters)
    assert list(flat) == [("a", "c", "e"), ("a", "d"), ("b",)]
    assert flat[("a", "d")] == ParameterSpec(distribution="constant", value=2)


def test_nest_values_rebuilds_the_config() -> None:
    assert nest_values({("a", "c", "e"): 3, ("a", "d"): 2, ("b",): 1}) == {
        "a": {"c": {"e": 3}, "d": 2},
        "b": 1,
    }


def test_nest_values_copies_containers() -> None:
    shared = {"k": [1]}
    nested = nest_values({("a",): shared})
    nested["a"]["k"].append(2)
    assert shared == {"k": [1]}


def test_config_value_reads_paths_and_reports_missing() -> None:
    config = {"a": {"value": {"b": 2}}, "c": 1}
    assert config_value(config, ("a", "b")) == 2
    assert config_value(config, ("c",)) == 1
    assert config_value(config, ("c", "d")) is MISSING
    assert config_value(config, ("x",)) is MISSING


def test_next_params_stops_at_run_cap() -> None:
    spec = _spec(run_cap=2)
    rng = np.random.default_rng(0)
    runs = [PriorRun(config={"lr": 0.5})]
    assert next_params(spec, runs, rng) is not None
    assert next_params(spec, [*runs, *runs], rng) is None


@pytest.mark.parametrize(
    ("goal", "best", "done"),
    [
        ("minimize", 0.1, True),
        ("minimize", 0.3, False),
        ("maximize", 0.3, True),
        ("maximize", 0.1, False),
    ],
)
def test_next_params_stops_when_a_run_reaches_the_target(
    goal: str, best: float, done: bool
) -> None:
    spec = _spec(metric={"name": "loss", "goal": goal, "target": 0.2})
    runs = [
        PriorRun(config={"lr": 0.5}, metric=best),
        PriorRun(config={"lr": 0.1}, state="running"),
    ]
    result = next_params(spec, runs, np.random.default_rng(0))
    assert (result is None) == done


def test_next_params_random_samples_every_parameter_with_constants() -> None:
    spec = parse_sweep_config(
        {
            "method": "random",
            "parameters": {
                "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
                "opt": {"parameters": {"name": {"values": ["adam", "sgd"]}, "wd": {"value": 0}}},
            },
        }
    )
    rng = np.random.default_rng(3)
    for _ in range(50):
        suggestion = next_params(spec, [], rng)
        assert suggestion is not None
        params = suggestion.params
        assert set(params) == {"lr", "opt"}
        assert 1e-4 <= params["lr"] <= 1e-1
        assert params["opt"]["name"] in {"adam", "sgd"}
        assert params["opt"]["wd"] == 0


def test_prior_run_refuses_an_unknown_state() -> None:
    with pytest.raises(InvalidInputError, match="run state: must be one of"):
        PriorRun(config={}, state="done")


def test_importing_trackboard_does_not_import_sweeps() -> None:
    code = (
        "import sys, trackboard; print(any(m.startswith('trackboard.sweeps') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
