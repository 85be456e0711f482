from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from trackboard.errors import SweepConfigError
from trackboard.sweeps.grid import grid_size, grid_values, suggest
from trackboard.sweeps.search import PriorRun
from trackboard.sweeps.spec import ParameterSpec, SweepSpec, parse_sweep_config


def _grid(parameters: dict[str, Any]) -> SweepSpec:
    return parse_sweep_config({"method": "grid", "parameters": parameters})


def _run_all(spec: SweepSpec, runs: list[PriorRun] | None = None) -> list[dict[str, Any]]:
    """Every suggestion until the grid is used up, each becoming a finished run."""
    runs = list(runs or [])
    rng = np.random.default_rng(0)
    suggested = []
    while (suggestion := suggest(spec, runs, rng)) is not None:
        suggested.append(suggestion.params)
        runs.append(PriorRun(config=suggestion.params))
        assert len(suggested) <= 1000
    return suggested


def test_grid_sorts_parameters_by_name_and_varies_the_last_fastest() -> None:
    spec = _grid({"b": {"values": [1, 2]}, "a": {"values": ["y", "x"]}})
    assert _run_all(spec) == [
        {"a": "y", "b": 1},
        {"a": "y", "b": 2},
        {"a": "x", "b": 1},
        {"a": "x", "b": 2},
    ]


def test_grid_orders_nested_parameters_by_path_and_nests_them_for_the_run() -> None:
    spec = _grid(
        {
            "z": {"values": [16, 32]},
            "opt": {
                "parameters": {
                    "name": {"values": ["adam", "sgd"]},
                    "lr": {"values": [0.1, 0.01]},
                }
            },
        }
    )
    assert _run_all(spec)[:3] == [
        {"opt": {"lr": 0.1, "name": "adam"}, "z": 16},
        {"opt": {"lr": 0.1, "name": "adam"}, "z": 32},
        {"opt": {"lr": 0.1, "name": "sgd"}, "z": 16},
    ]
    assert len(_run_all(spec)) == 8


def test_grid_is_exhausted_after_every_combination() -> None:
    spec = _grid({"a": {"values": [1, 2, 3]}, "b": {"values": [True, False]}, "c": {"value": "k"}})
    suggested = _run_all(spec)
    assert len(suggested) == grid_size(spec) == 6
    assert all(s["c"] == "k" for s in suggested)
    runs = [PriorRun(config=s) for s in suggested]
    assert suggest(spec, runs, np.random.default_rng(0)) is None


def test_int_uniform_expands_to_every_integer_including_max() -> None:
    spec = _grid({"n": {"min": 2, "max": 5}})
    assert [s["n"] for s in _run_all(spec)] == [2, 3, 4, 5]


def test_q_uniform_expands_by_q_and_leaves_out_max() -> None:
    param = ParameterSpec(distribution="q_uniform", min=0.0, max=1.0, q=0.25)
    assert grid_values(param) == [0.0, 0.25, 0.5, 0.75]
    int_param = ParameterSpec(distribution="q_uniform", min=0, max=10, q=5)
    assert grid_values(int_param) == [0, 5]
    assert all(type(v) is int for v in grid_values(int_param))


def test_repeated_values_are_suggested_once() -> None:
    spec = _grid({"a": {"values": [1, 1.0, 2, 1]}, "b": {"values": ["x", "x"]}})
    assert grid_size(spec) == 2
    assert _run_all(spec) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]


def test_combinations_of_prior_runs_in_any_state_are_skipped() -> None:
    spec = _grid({"a": {"values": [1, 2]}, "b": {"values": ["x", "y"]}})
    prior = [
        PriorRun(config={"a": 1, "b": "x"}, state="failed"),
        PriorRun(config={"a": 2, "b": "x"}, state="running"),
    ]
    assert _run_all(spec, prior) == [{"a": 1, "b": "y"}, {"a": 2, "b": "y"}]


def test_integral_floats_and_value_wrappers_match_prior_runs() -> None:
    spec = _grid({"a": {"values": [1, 2]}, "lr": {"values": [0.5]}})
    prior = [PriorRun(config={"a": {"value": 1.0}, "lr": 0.5, "unrelated": "kept"})]
    assert _run_all(spec, prior) == [{"a": 2, "lr": 0.5}]


def test_prior_run_missing_a_parameter_does_not_use_a_combination() -> None:
    spec = _grid({"a": {"values": [1]}, "b": {"values": [2]}})
    assert _run_all(spec, [PriorRun(config={"a": 1})]) == [{"a": 1, "b": 2}]


def test_dict_values_match_prior_runs_on_their_own_keys_only() -> None:
    spec = _grid({"opt": {"values": [{"name": "adam"}, {"name": "sgd"}]}})
    prior = [PriorRun(config={"opt": {"name": "adam", "beta": 0.9}})]
    assert _run_all(spec, prior) == [{"opt": {"name": "sgd"}}]


def test_nested_parameters_match_prior_runs_nested_configs() -> None:
    spec = _grid({"opt": {"parameters": {"lr": {"values": [1, 2]}}}})
    prior = [PriorRun(config={"opt": {"lr": 1}})]
    assert _run_all(spec, prior) == [{"opt": {"lr": 2}}]


def test_grid_order_does_not_depend_on_the_generator() -> None:
    spec = _grid({"a": {"values": [3, 1, 2]}})
    first = suggest(spec, [], np.random.default_rng(1))
    second = suggest(spec, [], np.random.default_rng(2))
    assert first is not None
    assert second is not None
    assert first.params == second.params == {"a": 3}


@pytest.mark.parametrize(
    "spec",
    [
        {"min": 0.0, "max": 1.0},
        {"distribution": "normal"},
        {"distribution": "log_uniform_values", "min": 1e-3, "max": 1.0},
        {"values": [1, 2], "probabilities": [0.5, 0.5]},
    ],
)
def test_grid_refuses_distributions_it_cannot_enumerate(spec: dict[str, Any]) -> None:
    with pytest.raises(SweepConfigError, match=r"^parameters\.p: a grid search cannot enumerate"):
        _grid({"ok": {"values": [1]}, "p": spec})


def test_grid_refuses_a_nested_continuous_parameter_naming_its_path() -> None:
    with pytest.raises(SweepConfigError, match=r"^parameters\.o\.parameters\.lr: a grid search"):
        _grid({"o": {"parameters": {"lr": {"distribution": "normal"}}}})


def test_grid_values_refuses_a_hand_built_continuous_parameter() -> None:
    with pytest.raises(SweepConfigError, match="cannot enumerate a beta distribution"):
        grid_values(ParameterSpec(distribution="beta"))
