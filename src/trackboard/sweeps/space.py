"""The search space as a model sees it: each parameter mapped to features in the unit cube.

A :class:`Space` holds one :class:`Dimension` per searched parameter (constants are kept
apart and added to every configuration). A dimension knows three things about its parameter:

* ``sample(rng)``: a draw from the parameter's prior (its distribution);
* ``features(value)``: the value as model inputs, each in ``[0, 1]``. Uniform and quantised
  uniform values are scaled linearly between ``min`` and ``max``; log-uniform ones (all four
  kinds, exponents or values) linearly in the logarithm; normal and log-normal ones through
  their CDF; beta values are already in ``[0, 1]``; ``int_uniform`` is ordinal,
  ``(v - min) / (max - min)``. Categoricals are one-hot, scaled by ``1/sqrt(2)`` so that any
  two different values are at distance 1, like the two ends of a numeric axis. A value the
  parameter cannot produce (a prior run from an edited sweep, a missing value) maps to the
  middle of a numeric axis or to no category;
* ``perturb(value, scale, rng)``: a value near ``value`` (numeric axes move by a normal step
  of ``scale`` in feature units; a categorical is redrawn with probability ``scale``).

Discrete parameters (categoricals, ``int_uniform`` and bounded quantised ones) also list
their finite ``choices``; a space whose every dimension is discrete is *finite*, and then a
configuration is identified by its tuple of choice indexes (:func:`index_key`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from trackboard.sweeps.distributions import is_int, sample
from trackboard.sweeps.grid import value_key
from trackboard.sweeps.search import (
    MISSING,
    ParamPath,
    config_value,
    flatten_parameters,
    nest_values,
)

if TYPE_CHECKING:
    from trackboard.sweeps.spec import ParameterSpec, SweepSpec

_CATEGORICAL: Final = frozenset({"categorical", "categorical_w_probabilities"})
_ONE_HOT: Final = 1.0 / math.sqrt(2.0)
_STANDARD: Final = NormalDist()
_CDF_EDGE: Final = 1e-9

MAX_CHOICES: Final = 100_000
"""A discrete axis with more values than this is treated as continuous (never exhausted)."""


@dataclass(frozen=True)
class Dimension:
    """One searched parameter; see the module docstring for the mapping to features."""

    path: ParamPath
    param: ParameterSpec

    @property
    def is_categorical(self) -> bool:
        return self.param.distribution in _CATEGORICAL

    @property
    def width(self) -> int:
        """How many features the parameter takes (one per category, else one)."""
        return len(self.param.values) if self.is_categorical else 1

    def sample(self, rng: np.random.Generator) -> Any:
        return sample(self.param, rng)

    def features(self, value: Any) -> list[float]:
        """The value's features, each in ``[0, 1]`` (see the module docstring)."""
        if self.is_categorical:
            row = [0.0] * self.width
            index = self.category_index(value)
            if index is not None:
                row[index] = _ONE_HOT
            return row
        unit = self._to_unit(value)
        return [0.5 if unit is None else min(1.0, max(0.0, unit))]

    def perturb(self, value: Any, scale: float, rng: np.random.Generator) -> Any:
        """A value near ``value``: a normal step of ``scale`` on the unit axis, clipped."""
        if self.is_categorical:
            return self.sample(rng) if rng.random() < scale else value
        unit = self._to_unit(value)
        if unit is None:
            return self.sample(rng)
        moved = min(1.0, max(0.0, unit + float(rng.normal(0.0, scale))))
        return self._from_unit(moved)

    def category_index(self, value: Any) -> int | None:
        """The position of ``value`` among a categorical's values, or ``None``."""
        return None if value is MISSING else self._category_keys.get(choice_key(value))

    @cached_property
    def _category_keys(self) -> dict[str, int]:
        keys: dict[str, int] = {}
        for index, value in enumerate(self.param.values):
            keys.setdefault(choice_key(value), index)
        return keys

    def choices(self) -> list[Any] | None:
        """Every value a discrete parameter can take, or ``None`` for a continuous one."""
        p = self.param
        dist = p.distribution
        if self.is_categorical:
            return list(p.values)
        if dist == "int_uniform":
            low, high = int(_bound(p.min)), int(_bound(p.max))
            return list(range(low, high + 1)) if high - low < MAX_CHOICES else None
        if not dist.startswith("q_") or dist in {"q_normal", "q_log_normal"}:
            return None
        low_value, high_value = self._from_unit_raw(0.0), self._from_unit_raw(1.0)
        first, last = round(low_value / p.q), round(high_value / p.q)
        if last - first >= MAX_CHOICES:
            return None
        return [self._quantise_steps(k) for k in range(first, last + 1)]

    def _to_unit(self, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            return None
        x = float(value)
        if not math.isfinite(x):
            return None
        p = self.param
        base = p.distribution.removeprefix("q_")
        if base in {"uniform", "int_uniform"}:
            return _scale(x, _bound(p.min), _bound(p.max))
        if base == "beta":
            return x
        if base in {"normal", "log_normal"}:
            if base == "log_normal":
                if x <= 0:
                    return 0.0
                x = math.log(x)
            return _STANDARD.cdf((x - p.mu) / p.sigma)
        if x <= 0:
            return 0.0
        log_x = math.log(x)
        if base == "log_uniform":
            return _scale(log_x, _bound(p.min), _bound(p.max))
        if base == "inv_log_uniform":
            return _scale(-log_x, _bound(p.min), _bound(p.max))
        return _scale(log_x, math.log(_bound(p.min)), math.log(_bound(p.max)))

    def _from_unit(self, unit: float) -> Any:
        """The parameter value at ``unit`` on its axis, quantised or rounded as sampled."""
        raw = self._from_unit_raw(unit)
        p = self.param
        if p.distribution == "int_uniform":
            return int(min(_bound(p.max), max(_bound(p.min), round(raw))))
        if p.distribution.startswith("q_"):
            return self._quantise_steps(round(raw / p.q))
        return raw

    def _from_unit_raw(self, unit: float) -> float:
        p = self.param
        base = p.distribution.removeprefix("q_")
        if base in {"uniform", "int_uniform"}:
            low, high = _bound(p.min), _bound(p.max)
            return min(high, max(low, _lerp(unit, low, high)))
        if base == "beta":
            return unit
        if base in {"normal", "log_normal"}:
            clipped = min(1.0 - _CDF_EDGE, max(_CDF_EDGE, unit))
            x = p.mu + p.sigma * _STANDARD.inv_cdf(clipped)
            return math.exp(x) if base == "log_normal" else x
        if base == "log_uniform":
            return math.exp(_lerp(unit, _bound(p.min), _bound(p.max)))
        if base == "inv_log_uniform":
            return math.exp(-_lerp(unit, _bound(p.min), _bound(p.max)))
        low, high = _bound(p.min), _bound(p.max)
        return min(high, max(low, math.exp(_lerp(unit, math.log(low), math.log(high)))))

    def _quantise_steps(self, steps: int) -> int | float:
        q = self.param.q
        return steps * int(q) if is_int(q) else steps * float(q)


@dataclass(frozen=True)
class Space:
    """The searched dimensions of a sweep (sorted by path) and its constants."""

    dimensions: tuple[Dimension, ...]
    constants: Mapping[ParamPath, Any]

    @classmethod
    def from_spec(cls, spec: SweepSpec) -> Space:
        flat = flatten_parameters(spec.parameters)
        dims = tuple(Dimension(path, p) for path, p in flat.items() if p.distribution != "constant")
        constants = {path: p.value for path, p in flat.items() if p.distribution == "constant"}
        return cls(dimensions=dims, constants=constants)

    @property
    def width(self) -> int:
        """The number of features of a configuration."""
        return sum(d.width for d in self.dimensions)

    @property
    def groups(self) -> list[slice]:
        """The feature columns of each dimension, in order (a model's length-scale groups)."""
        slices, start = [], 0
        for dim in self.dimensions:
            slices.append(slice(start, start + dim.width))
            start += dim.width
        return slices

    def values_of(self, config: Mapping[str, Any]) -> list[Any]:
        """A run config's value for each dimension (:data:`MISSING` where it has none)."""
        return [config_value(config, d.path) for d in self.dimensions]

    def features(self, values: Sequence[Any]) -> list[float]:
        row: list[float] = []
        for dim, value in zip(self.dimensions, values, strict=True):
            row.extend(dim.features(value))
        return row

    def feature_matrix(self, rows: Sequence[Sequence[Any]]) -> np.ndarray:
        """Features of many configurations: an array of shape ``(len(rows), width)``."""
        return np.array([self.features(r) for r in rows], dtype=float).reshape(-1, self.width)

    def sample(self, rng: np.random.Generator) -> list[Any]:
        return [d.sample(rng) for d in self.dimensions]

    def params(self, values: Sequence[Any]) -> dict[str, Any]:
        """The nested config a run receives for ``values`` (constants included)."""
        flat = dict(self.constants)
        flat.update({d.path: v for d, v in zip(self.dimensions, values, strict=True)})
        return nest_values(dict(sorted(flat.items())))

    def choices(self) -> list[list[Any]] | None:
        """Each dimension's choices when every dimension is discrete, else ``None``."""
        axes = []
        for dim in self.dimensions:
            values = dim.choices()
            if values is None:
                return None
            axes.append(values)
        return axes


def axis_lookups(axes: Sequence[Sequence[Any]]) -> list[dict[str, int]]:
    """For each axis of a finite space, its values' :func:`choice_key` to their index."""
    lookups = []
    for axis in axes:
        lookup: dict[str, int] = {}
        for index, value in enumerate(axis):
            lookup.setdefault(choice_key(value), index)
        lookups.append(lookup)
    return lookups


def index_key(values: Sequence[Any], lookups: Sequence[Mapping[str, int]]) -> tuple[int, ...]:
    """The choice indexes of ``values`` in a finite space (-1 for a value not on an axis)."""
    return tuple(
        -1 if value is MISSING else lookup.get(choice_key(value), -1)
        for value, lookup in zip(values, lookups, strict=True)
    )


def choice_key(value: Any) -> str:
    """The form two parameter values are compared by: numbers by value (``2.0`` is ``2``),
    strings as they are, anything else as grid search compares it."""
    if isinstance(value, str):
        return "s:" + value
    if isinstance(value, bool | np.bool_) or value is None:
        return f"c:{value!r}"
    if isinstance(value, int | float | np.number):
        number = float(value)
        return "n:" + (repr(int(number)) if number.is_integer() else repr(number))
    return "y:" + value_key(value)


def _bound(bound: float | None) -> float:
    if bound is None:
        raise ValueError("a bounded distribution is missing min or max")
    return float(bound)


def _scale(x: float, low: float, high: float) -> float:
    return 0.5 if high <= low else (x - low) / (high - low)


def _lerp(unit: float, low: float, high: float) -> float:
    return low + unit * (high - low)


__all__ = ["MAX_CHOICES", "Dimension", "Space", "axis_lookups", "choice_key", "index_key"]
