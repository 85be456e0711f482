"""Bayesian search: the encoding, the targets, finite spaces, the target, and that it searches."""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pytest

from trackboard.errors import SweepConfigError
from trackboard.sweeps import bayes, random_search
from trackboard.sweeps.search import PriorRun, SearchMethod, next_params, search_method
from trackboard.sweeps.space import Space
from trackboard.sweeps.spec import MetricSpec, ParameterSpec, SweepSpec, parse_sweep_config

OFFSETS = {"relu": 0.0, "gelu": 0.2, "selu": 0.35, "tanh": 0.5, "sigmoid": 1.0}
MIXED: dict[str, Any] = {
    "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
    "layers": {"min": 1, "max": 10},
    "act": {"values": list(OFFSETS)},
}


def _spec(parameters: dict[str, Any], goal: str = "minimize", **metric: Any) -> SweepSpec:
    return parse_sweep_config(
        {
            "method": "bayes",
            "metric": {"name": "loss", "goal": goal, **metric},
            "parameters": parameters,
        }
    )


def _quadratic(params: dict[str, Any]) -> float:
    lr_term = ((math.log10(params["lr"]) + 2.5) / 1.5) ** 2
    return lr_term + ((params["layers"] - 5) / 3) ** 2 + OFFSETS[params["act"]]


def _finished(config: dict[str, Any], metric: float | None, name: str = "") -> PriorRun:
    history = () if metric is None else (metric,)
    return PriorRun(config=config, state="finished", metric=metric, history=history, name=name)


def _best_after(method: SearchMethod, spec: SweepSpec, seed: int, trials: int) -> float:
    rng = np.random.default_rng(seed)
    noise = np.random.default_rng(1000 + seed)
    runs: list[PriorRun] = []
    for i in range(trials):
        suggestion = method(spec, runs, rng)
        assert suggestion is not None
        observed = _quadratic(suggestion.params) + float(noise.normal(0.0, 0.1))
        runs.append(_finished(suggestion.params, observed, str(i)))
    best = min(runs, key=lambda run: run.metric or math.inf)
    return _quadratic(dict(best.config))


def test_bayes_is_the_search_method_for_bayes() -> None:
    assert search_method("bayes") is bayes.suggest


def test_log_uniform_features_are_linear_in_the_logarithm() -> None:
    space = Space.from_spec(_spec({"lr": MIXED["lr"]}))
    (dim,) = space.dimensions
    assert dim.features(10**-2.5) == pytest.approx([0.5])
    assert dim.features(1e-5) == pytest.approx([0.0])


def test_int_features_are_ordinal_and_categoricals_one_hot_at_unit_distance() -> None:
    space = Space.from_spec(_spec({"act": MIXED["act"], "layers": MIXED["layers"]}))
    relu, tanh = space.features(["relu", 1]), space.features(["tanh", 10])
    assert relu[-1] == 0.0 and tanh[-1] == 1.0
    assert math.dist(relu[:-1], tanh[:-1]) == pytest.approx(1.0)
    assert space.features(["unknown", 5.5])[:-1] == [0.0] * 5


def test_suggestions_respect_log_int_and_categorical_parameters() -> None:
    spec = _spec(MIXED)
    rng = np.random.default_rng(3)
    runs: list[PriorRun] = []
    for i in range(12):
        suggestion = bayes.suggest(spec, runs, rng)
        assert suggestion is not None
        params = suggestion.params
        assert 1e-5 <= params["lr"] <= 1.0 and isinstance(params["lr"], float)
        assert isinstance(params["layers"], int) and 1 <= params["layers"] <= 10
        assert params["act"] in OFFSETS
        runs.append(_finished(params, _quadratic(params), str(i)))
    assert set(suggestion.info) >= {"predicted_value", "expected_improvement", "warnings"}


def test_nested_parameters_and_constants_come_back_nested() -> None:
    spec = _spec(
        {
            "opt": {"parameters": {"lr": MIXED["lr"], "name": {"value": "adam"}}},
            "layers": MIXED["layers"],
        }
    )
    rng = np.random.default_rng(0)
    runs = [_finished({"opt": {"lr": 0.01, "name": "adam"}, "layers": 3}, 1.0)]
    runs.append(_finished({"opt": {"lr": 0.1, "name": "adam"}, "layers": 7}, 2.0))
    suggestion = bayes.suggest(spec, runs, rng)
    assert suggestion is not None
    assert set(suggestion.params) == {"opt", "layers"}
    assert suggestion.params["opt"]["name"] == "adam"
    assert 1e-5 <= suggestion.params["opt"]["lr"] <= 1.0


def test_finite_space_never_repeats_a_configuration_and_ends_when_exhausted() -> None:
    spec = _spec({"act": {"values": ["a", "b", "c"]}, "n": {"min": 1, "max": 3}})
    rng = np.random.default_rng(1)
    runs = [
        PriorRun(config={"act": "a", "n": 1.0}, state="failed", name="failed"),
        PriorRun(config={"act": "b", "n": 2}, state="running", name="running"),
    ]
    seen = {("a", 1), ("b", 2)}
    while (suggestion := bayes.suggest(spec, runs, rng)) is not None:
        key = (suggestion.params["act"], suggestion.params["n"])
        assert key not in seen
        seen.add(key)
        runs.append(_finished(suggestion.params, float(len(runs)), str(len(runs))))
    assert len(seen) == 9


def test_finite_space_too_large_to_list_still_never_repeats() -> None:
    spec = _spec({"act": {"values": ["a", "b", "c"]}, "n": {"min": 1, "max": 3}})
    settings = bayes.BayesSettings(enumerate_limit=4, prior_candidates=20, local_candidates=10)
    rng = np.random.default_rng(5)
    runs: list[PriorRun] = []
    while (suggestion := bayes.suggest_with(spec, runs, rng, settings)) is not None:
        assert all(suggestion.params != run.config for run in runs)
        runs.append(_finished(suggestion.params, float(suggestion.params["n"]), str(len(runs))))
    assert len(runs) == 9


def test_quantised_space_counts_as_finite() -> None:
    spec = _spec({"x": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.5}})
    rng = np.random.default_rng(2)
    runs: list[PriorRun] = []
    while (suggestion := bayes.suggest(spec, runs, rng)) is not None:
        runs.append(_finished(suggestion.params, suggestion.params["x"], str(len(runs))))
    assert sorted(run.config["x"] for run in runs) == [0.0, 0.5, 1.0]


@pytest.mark.parametrize(
    ("goal", "metric", "done"),
    [("minimize", 0.1, True), ("maximize", 0.1, False), ("maximize", 0.9, True)],
)
def test_target_reached_ends_the_search(goal: str, metric: float, done: bool) -> None:
    spec = _spec({"x": {"min": 0.0, "max": 1.0}}, goal=goal, target=0.5)
    runs = [_finished({"x": 0.2}, metric), _finished({"x": 0.7}, 0.4)]
    rng = np.random.default_rng(0)
    assert (bayes.suggest(spec, runs, rng) is None) is done
    assert (next_params(spec, runs, rng) is None) is done


def test_failed_runs_are_imputed_with_the_worst_value_and_running_ones_are_pending() -> None:
    space = Space.from_spec(_spec({"x": {"min": 0.0, "max": 1.0}}))
    runs = [
        PriorRun(config={"x": 0.1}, state="finished", metric=0.2, history=(0.9, 0.2)),
        PriorRun(config={"x": 0.2}, state="failed", history=(0.5,)),
        PriorRun(config={"x": 0.3}, state="finished"),
        PriorRun(config={"x": 0.4}, state="running", metric=0.3, history=(0.3,)),
    ]
    data = bayes.observations(space, MetricSpec(name="loss"), runs)
    assert data.values == [[0.1], [0.2], [0.3]]
    assert data.targets == [0.2, 0.9, 0.9]
    assert data.pending == [[0.4]]
    latest = MetricSpec(name="loss", impute="latest", impute_while_running="best")
    assert bayes.observations(space, latest, runs).targets == [0.2, 0.5, 0.9, 0.3]


def test_maximize_targets_are_negated() -> None:
    space = Space.from_spec(_spec({"x": {"min": 0.0, "max": 1.0}}))
    runs = [_finished({"x": 0.1}, 0.8), PriorRun(config={"x": 0.2}, state="crashed")]
    data = bayes.observations(space, MetricSpec(name="acc", goal="maximize"), runs)
    assert data.targets == [-0.8, -0.8]


def test_only_failed_runs_with_nothing_logged_fall_back_to_random_starts() -> None:
    spec = _spec(MIXED)
    runs = [PriorRun(config={"lr": 0.01, "layers": 2, "act": "relu"}, state="failed")] * 3
    suggestion = bayes.suggest(spec, runs, np.random.default_rng(0))
    assert suggestion is not None
    assert suggestion.info["warnings"] == ["random start"]


def test_a_running_run_at_the_best_candidate_moves_the_next_suggestion_elsewhere() -> None:
    spec = _spec(MIXED)
    configs = [
        {"lr": 10 ** (-1 - i / 2), "layers": 2 + i, "act": act}
        for i, act in enumerate(["relu", "gelu", "tanh", "relu", "selu", "relu"])
    ]
    runs = [_finished(config, _quadratic(config), str(i)) for i, config in enumerate(configs)]
    first = bayes.suggest(spec, runs, np.random.default_rng(4))
    assert first is not None and "predicted_value" in first.info
    running = PriorRun(config=first.params, state="running", name="running")
    second = bayes.suggest(spec, [*runs, running], np.random.default_rng(4))
    assert second is not None
    assert second.params != first.params


def test_spec_without_a_metric_is_refused_with_a_clear_error() -> None:
    spec = SweepSpec(method="bayes", parameters={"x": ParameterSpec("uniform", min=0.0, max=1.0)})
    with pytest.raises(SweepConfigError, match=r"^metric: required"):
        bayes.suggest(spec, [], np.random.default_rng(0))


def test_beats_random_search_on_a_noisy_quadratic_over_fixed_seeds() -> None:
    spec = _spec(MIXED)
    seeds = range(3)
    searched = [_best_after(bayes.suggest, spec, seed, 20) for seed in seeds]
    drawn = [_best_after(random_search.suggest, spec, seed, 20) for seed in seeds]
    assert statistics.median(searched) < statistics.median(drawn)
    assert statistics.median(searched) < 0.2


def test_every_distribution_is_encoded_and_suggested_within_its_support() -> None:
    parameters = {
        "cw": {
            "distribution": "categorical_w_probabilities",
            "values": [1, 2, 3],
            "probabilities": [0.2, 0.3, 0.5],
        },
        "qu": {"distribution": "q_uniform", "min": 0, "max": 10, "q": 2},
        "lu": {"distribution": "log_uniform", "min": -5, "max": 0},
        "ilu": {"distribution": "inv_log_uniform", "min": 0, "max": 5},
        "qlu": {"distribution": "q_log_uniform", "min": 0, "max": 5, "q": 1},
        "iluv": {"distribution": "inv_log_uniform_values", "min": 1e-4, "max": 1.0},
        "qluv": {"distribution": "q_log_uniform_values", "min": 1, "max": 1000, "q": 1},
        "n": {"distribution": "normal", "mu": 1, "sigma": 2},
        "qn": {"distribution": "q_normal", "q": 0.5},
        "ln": {"distribution": "log_normal"},
        "qln": {"distribution": "q_log_normal", "q": 1},
        "b": {"distribution": "beta", "a": 2, "b": 5},
        "qb": {"distribution": "q_beta", "q": 0.1},
    }
    spec = _spec(parameters)
    rng = np.random.default_rng(0)
    runs: list[PriorRun] = []
    for i in range(8):
        suggestion = bayes.suggest(spec, runs, rng)
        assert suggestion is not None
        runs.append(_finished(suggestion.params, float(rng.random()), str(i)))
    params = suggestion.params
    assert "predicted_value" in suggestion.info
    assert set(params) == set(parameters)
    assert params["cw"] in (1, 2, 3) and params["qu"] in range(0, 11, 2)
    assert math.exp(-5) <= params["lu"] <= 1.0 and math.exp(-5) <= params["ilu"] <= 1.0
    assert 1e-4 <= params["iluv"] <= 1.0 and 0 <= params["b"] <= 1 and params["ln"] > 0
    assert all(isinstance(params[k], int) for k in ("qlu", "qluv", "qln", "qu"))
    assert 1 <= params["qluv"] <= 1000
