from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trackboard.sweeps.distributions import DISTRIBUTIONS, infer_distribution, sample
from trackboard.sweeps.spec import ParameterSpec, parse_sweep_config

N = 4000


def _param(spec: dict[str, Any]) -> ParameterSpec:
    param = parse_sweep_config({"method": "random", "parameters": {"p": spec}}).parameters["p"]
    assert isinstance(param, ParameterSpec)
    return param


def _draws(spec: dict[str, Any], n: int = N, seed: int = 0) -> list[Any]:
    param = _param(spec)
    rng = np.random.default_rng(seed)
    return [sample(param, rng) for _ in range(n)]


def test_same_seed_gives_same_draws() -> None:
    spec = {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1}
    assert _draws(spec, 50, seed=7) == _draws(spec, 50, seed=7)
    assert _draws(spec, 50, seed=7) != _draws(spec, 50, seed=8)


def test_infer_distribution_returns_none_for_unnamed_shapes() -> None:
    assert infer_distribution({"mu": 0.0}) is None
    assert infer_distribution({"min": "a", "max": "b"}) is None
    assert infer_distribution({"min": 1, "max": 2}) == "int_uniform"


def test_constant_is_always_its_value() -> None:
    assert set(map(repr, _draws({"value": {"k": [1]}}, 20))) == {"{'k': [1]}"}


def test_categorical_is_uniform_over_values_of_any_type() -> None:
    values: list[Any] = ["a", 2, {"k": 1}, [1, 2]]
    draws = _draws({"values": values})
    counts = Counter(values.index(d) for d in draws)
    assert set(counts) == {0, 1, 2, 3}
    for count in counts.values():
        assert abs(count / N - 0.25) < 0.03


def test_categorical_with_probabilities_follows_them() -> None:
    draws = _draws({"values": ["a", "b", "c"], "probabilities": [0.7, 0.0, 0.3]})
    counts = Counter(draws)
    assert counts["b"] == 0
    assert abs(counts["a"] / N - 0.7) < 0.03
    assert abs(counts["c"] / N - 0.3) < 0.03


def test_int_uniform_covers_both_bounds_inclusive_as_ints() -> None:
    draws = _draws({"min": -2, "max": 2})
    assert all(type(d) is int for d in draws)
    assert set(draws) == {-2, -1, 0, 1, 2}
    for count in Counter(draws).values():
        assert abs(count / N - 0.2) < 0.03


def test_uniform_stays_in_range_with_uniform_moments() -> None:
    draws = np.array(_draws({"min": 2.0, "max": 6.0}))
    assert all(isinstance(d, float) for d in draws.tolist())
    assert draws.min() >= 2.0
    assert draws.max() < 6.0
    assert abs(draws.mean() - 4.0) < 0.1
    assert abs(draws.var() - 16 / 12) < 0.1


def test_uniform_with_int_bounds_named_gives_floats() -> None:
    draws = _draws({"distribution": "uniform", "min": 0, "max": 10}, 100)
    assert all(type(d) is float for d in draws)


def test_q_uniform_rounds_to_multiples_of_q() -> None:
    draws = _draws({"distribution": "q_uniform", "min": 0.0, "max": 1.0, "q": 0.25})
    assert all(type(d) is float for d in draws)
    assert set(draws) == {0.0, 0.25, 0.5, 0.75, 1.0}


def test_q_uniform_with_int_q_gives_ints() -> None:
    draws = _draws({"distribution": "q_uniform", "min": 0, "max": 100, "q": 10})
    assert all(type(d) is int for d in draws)
    assert set(draws) == set(range(0, 101, 10))


def test_q_uniform_default_q_gives_integral_floats() -> None:
    draws = _draws({"distribution": "q_uniform", "min": 0.6, "max": 3.4}, 500)
    assert all(type(d) is float and d.is_integer() for d in draws)
    assert set(draws) == {1.0, 2.0, 3.0}


def _log_uniform_checks(draws: list[float], low: float, high: float) -> None:
    logs = np.log(draws)
    assert min(draws) >= low * (1 - 1e-12)
    assert max(draws) <= high * (1 + 1e-12)
    # log-uniform: the logarithm is uniform on [ln low, ln high]
    assert abs(logs.mean() - (math.log(low) + math.log(high)) / 2) < 0.1
    assert abs(np.median(draws) - math.sqrt(low * high)) / math.sqrt(low * high) < 0.1


def test_log_uniform_values_is_log_uniform_between_actual_values() -> None:
    draws = _draws({"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1})
    _log_uniform_checks(draws, 1e-4, 1e-1)


def test_inv_log_uniform_values_is_also_within_actual_values() -> None:
    draws = _draws({"distribution": "inv_log_uniform_values", "min": 1.0, "max": 1000.0})
    _log_uniform_checks(draws, 1.0, 1000.0)


def test_log_uniform_bounds_are_natural_log_exponents() -> None:
    draws = _draws({"distribution": "log_uniform", "min": -3, "max": 1})
    _log_uniform_checks(draws, math.exp(-3), math.exp(1))


def test_inv_log_uniform_is_exp_of_minus_the_exponent() -> None:
    draws = _draws({"distribution": "inv_log_uniform", "min": 0, "max": 2})
    _log_uniform_checks(draws, math.exp(-2), 1.0)


def test_q_log_uniform_values_rounds_to_q() -> None:
    draws = _draws({"distribution": "q_log_uniform_values", "min": 8, "max": 512, "q": 8})
    assert all(type(d) is int and d % 8 == 0 for d in draws)
    assert min(draws) >= 8
    assert max(draws) <= 512
    # far more small values than large ones on a log scale
    assert sum(d <= 64 for d in draws) > sum(d > 64 for d in draws)


def test_q_log_uniform_rounds_exp_of_exponent() -> None:
    draws = _draws({"distribution": "q_log_uniform", "min": 0, "max": 3, "q": 0.5})
    assert all(type(d) is float and (d / 0.5).is_integer() for d in draws)
    assert min(draws) >= 1.0
    assert max(draws) <= round(math.exp(3) / 0.5) * 0.5


def test_normal_has_its_mean_and_standard_deviation() -> None:
    draws = np.array(_draws({"distribution": "normal", "mu": 5, "sigma": 2}))
    assert abs(draws.mean() - 5) < 0.1
    assert abs(draws.std() - 2) < 0.1


def test_normal_defaults_to_standard() -> None:
    draws = np.array(_draws({"distribution": "normal"}))
    assert abs(draws.mean()) < 0.05
    assert abs(draws.std() - 1) < 0.05


def test_q_normal_rounds_to_q() -> None:
    draws = _draws({"distribution": "q_normal", "mu": 0, "sigma": 10, "q": 5})
    assert all(type(d) is int and d % 5 == 0 for d in draws)
    assert abs(np.std(draws) - 10) < 0.5


def test_log_normal_is_exp_of_a_normal() -> None:
    draws = np.array(_draws({"distribution": "log_normal", "mu": 1, "sigma": 0.5}))
    assert draws.min() > 0
    assert abs(np.log(draws).mean() - 1) < 0.05
    assert abs(np.log(draws).std() - 0.5) < 0.05


def test_q_log_normal_rounds_to_q() -> None:
    draws = _draws({"distribution": "q_log_normal", "mu": 3, "sigma": 0.3, "q": 0.5})
    assert all((d / 0.5).is_integer() for d in draws)
    assert abs(np.median(draws) - math.exp(3)) < 1.0


def test_beta_has_its_moments_within_zero_and_one() -> None:
    a, b = 2.0, 5.0
    draws = np.array(_draws({"distribution": "beta", "a": a, "b": b}))
    assert draws.min() >= 0
    assert draws.max() <= 1
    assert abs(draws.mean() - a / (a + b)) < 0.01
    assert abs(draws.var() - a * b / ((a + b) ** 2 * (a + b + 1))) < 0.005


def test_q_beta_rounds_to_q() -> None:
    draws = _draws({"distribution": "q_beta", "a": 1, "b": 1, "q": 0.1})
    assert all(0 <= d <= 1 for d in draws)
    assert all(abs(d * 10 - round(d * 10)) < 1e-9 for d in draws)
    assert len({round(d, 6) for d in draws}) == 11


def test_q_beta_default_q_gives_zero_or_one() -> None:
    assert set(_draws({"distribution": "q_beta"}, 200)) == {0.0, 1.0}


@pytest.mark.parametrize(
    "spec",
    [
        {"distribution": "q_uniform", "min": 0, "max": 10},
        {"distribution": "q_normal"},
        {"distribution": "q_log_normal"},
        {"distribution": "q_beta"},
        {"distribution": "q_log_uniform", "min": 0, "max": 2},
        {"distribution": "q_log_uniform_values", "min": 1, "max": 10},
    ],
)
def test_quantised_with_default_q_gives_integral_floats(spec: dict[str, Any]) -> None:
    draws = _draws(spec, 100)
    assert all(type(d) is float and d.is_integer() for d in draws)


def test_every_distribution_is_in_the_sweeps_docs_table() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "sweeps.md").read_text()
    missing = [d for d in DISTRIBUTIONS if f"| `{d}` |" not in text]
    assert not missing, f"docs/sweeps.md lacks: {missing}"
