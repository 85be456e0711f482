"""Parameter distributions: which fields each takes, how one is inferred, how one is sampled.

The names, fields and defaults are wandb's (``wandb-api.md`` §6.2). A parameter written
without ``distribution`` is inferred from its fields alone:

========================  =============================================
fields                    distribution
========================  =============================================
``value``                 ``constant``
``values``                ``categorical``
``values, probabilities`` ``categorical_w_probabilities``
``min, max`` (both ints)  ``int_uniform``
``min, max`` (a float)    ``uniform``
``parameters``            nested parameters (no distribution)
========================  =============================================

Every other distribution must be named. Sampling draws from a ``numpy`` Generator and
returns plain Python values: ``int`` for ``int_uniform`` and for quantised distributions
whose ``q`` is an ``int``, ``float`` for the other numeric ones, and the listed value itself
for ``constant`` and the categoricals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np

if TYPE_CHECKING:
    from trackboard.sweeps.spec import ParameterSpec

_BOUNDS: Final = ("min", "max")
_NORMAL: Final = ("mu", "sigma")
_BETA: Final = ("a", "b")

FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "constant": ("value",),
    "categorical": ("values",),
    "categorical_w_probabilities": ("values", "probabilities"),
    "int_uniform": _BOUNDS,
    "uniform": _BOUNDS,
    "q_uniform": (*_BOUNDS, "q"),
    "log_uniform": _BOUNDS,
    "inv_log_uniform": _BOUNDS,
    "q_log_uniform": (*_BOUNDS, "q"),
    "log_uniform_values": _BOUNDS,
    "inv_log_uniform_values": _BOUNDS,
    "q_log_uniform_values": (*_BOUNDS, "q"),
    "normal": _NORMAL,
    "q_normal": (*_NORMAL, "q"),
    "log_normal": _NORMAL,
    "q_log_normal": (*_NORMAL, "q"),
    "beta": _BETA,
    "q_beta": (*_BETA, "q"),
}
"""The fields each distribution accepts besides ``distribution``."""

DISTRIBUTIONS: Final = tuple(FIELDS)

REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    name: tuple(f for f in fields if f in {"value", "values", "probabilities", "min", "max"})
    for name, fields in FIELDS.items()
}
"""The fields a distribution cannot do without; the others have :data:`DEFAULTS`."""

DEFAULTS: Final[Mapping[str, Any]] = {"q": 1.0, "mu": 0.0, "sigma": 1.0, "a": 1.0, "b": 1.0}

DEPRECATED: Final = frozenset({"log_uniform", "inv_log_uniform", "q_log_uniform"})
"""wandb's v1 log distributions, whose ``min``/``max`` are natural-log exponents."""

POSITIVE_MIN: Final = frozenset(
    {"log_uniform_values", "inv_log_uniform_values", "q_log_uniform_values"}
)
"""Distributions whose ``min`` is an actual value and must be greater than 0."""

GRID_DISTRIBUTIONS: Final = frozenset({"constant", "categorical", "int_uniform", "q_uniform"})
"""The distributions a grid search can enumerate."""


def infer_distribution(fields: Mapping[str, Any]) -> str | None:
    """The distribution a parameter written without ``distribution`` has, or ``None``.

    ``fields`` is the parameter as written. ``None`` means the fields fit no inferable
    shape (the caller reports which fields it saw). Booleans do not count as ints.
    """
    keys = set(fields)
    if keys == {"value"}:
        return "constant"
    if keys == {"values"}:
        return "categorical"
    if keys == {"values", "probabilities"}:
        return "categorical_w_probabilities"
    if keys == {"min", "max"}:
        low, high = fields["min"], fields["max"]
        if is_int(low) and is_int(high):
            return "int_uniform"
        if is_number(low) and is_number(high):
            return "uniform"
    return None


def is_int(value: Any) -> bool:
    """Whether ``value`` is an integer literal (not a bool, not an integral float)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def is_number(value: Any) -> bool:
    """Whether ``value`` is a finite int or float (not a bool)."""
    if is_int(value):
        return True
    return isinstance(value, float | np.floating) and math.isfinite(value)


def sample(param: ParameterSpec, rng: np.random.Generator) -> Any:
    """One draw from ``param``'s distribution (see the module docstring for the types)."""
    dist = param.distribution
    if dist == "constant":
        return param.value
    if dist == "categorical":
        return param.values[int(rng.integers(len(param.values)))]
    if dist == "categorical_w_probabilities":
        return param.values[_weighted_index(param.probabilities, rng)]
    if dist == "int_uniform":
        return int(rng.integers(int(_req(param.min)), int(_req(param.max)) + 1))
    return _quantise(param, _continuous(param, rng))


def _continuous(param: ParameterSpec, rng: np.random.Generator) -> float:
    """A draw of the unquantised continuous distribution behind ``param``."""
    base = param.distribution.removeprefix("q_")
    if base in {"normal", "log_normal", "beta"}:
        return _shaped(base, param, rng)
    low, high = _req(param.min), _req(param.max)
    if base == "uniform":
        return float(rng.uniform(low, high))
    if base == "log_uniform":
        return math.exp(rng.uniform(low, high))
    if base == "inv_log_uniform":
        return math.exp(-rng.uniform(low, high))
    if base == "log_uniform_values":
        return math.exp(rng.uniform(math.log(low), math.log(high)))
    if base == "inv_log_uniform_values":
        return math.exp(-rng.uniform(-math.log(high), -math.log(low)))
    raise ValueError(f"unknown distribution {param.distribution!r}")


def _shaped(base: str, param: ParameterSpec, rng: np.random.Generator) -> float:
    if base == "normal":
        return float(rng.normal(param.mu, param.sigma))
    if base == "log_normal":
        return float(rng.lognormal(param.mu, param.sigma))
    return float(rng.beta(param.a, param.b))


def _quantise(param: ParameterSpec, value: float) -> int | float:
    """``round(value / q) * q`` for ``q_`` distributions (an int when ``q`` is an int)."""
    if not param.distribution.startswith("q_"):
        return value
    q = param.q
    steps = float(np.round(value / q))
    if is_int(q):
        return int(steps) * int(q)
    return steps * float(q)


def _weighted_index(probabilities: tuple[float, ...], rng: np.random.Generator) -> int:
    """An index drawn with the given probabilities (by their cumulative sums)."""
    cumulative = np.cumsum(probabilities)
    index = int(np.searchsorted(cumulative, rng.uniform(0.0, cumulative[-1]), side="right"))
    return min(index, len(probabilities) - 1)


def _req(bound: float | None) -> float:
    if bound is None:
        raise ValueError("a bounded distribution is missing min or max")
    return bound


__all__ = [
    "DEFAULTS",
    "DEPRECATED",
    "DISTRIBUTIONS",
    "FIELDS",
    "GRID_DISTRIBUTIONS",
    "POSITIVE_MIN",
    "REQUIRED",
    "infer_distribution",
    "is_int",
    "is_number",
    "sample",
]
