"""Grid search: every combination of the parameters' values, in wandb's order, each once.

Only ``constant``, ``categorical``, ``int_uniform`` (every integer of ``[min, max]``) and
``q_uniform`` (``min, min + q, ...`` below ``max``, so ``max`` itself is left out) can be
enumerated; any other distribution is a :class:`~trackboard.errors.SweepConfigError`
naming the parameter. Parameters are taken sorted by path and combined like nested loops,
the last path varying fastest; each parameter's values keep their listed order, with
repeats dropped.

A combination is used when some prior run, in any state, holds it: values are compared by
their YAML form, an integral float equals the int (``1.0`` is ``1``), and a dict value
matches a run's dict on the candidate's own keys only. When every combination is used,
:func:`suggest` returns ``None`` and the sweep is complete.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from trackboard.errors import SweepConfigError
from trackboard.sweeps.distributions import GRID_DISTRIBUTIONS, is_int
from trackboard.sweeps.search import (
    MISSING,
    ParamPath,
    PriorRun,
    Suggestion,
    config_value,
    flatten_parameters,
    nest_values,
    path_name,
)
from trackboard.sweeps.spec import ParameterSpec, grid_error

if TYPE_CHECKING:
    from trackboard.sweeps.spec import SweepSpec


def suggest(
    spec: SweepSpec, runs: Sequence[PriorRun], rng: np.random.Generator
) -> Suggestion | None:
    """The first combination no prior run holds, or ``None`` when all are used.

    ``rng`` is unused: the grid's order is fixed.
    """
    axes = grid_axes(spec)
    used = _used(axes, runs)
    for combo in itertools.product(*(range(len(values)) for values in axes.values())):
        if combo not in used:
            chosen = {
                path: values[i] for (path, values), i in zip(axes.items(), combo, strict=True)
            }
            return Suggestion(params=nest_values(chosen))
    return None


def grid_size(spec: SweepSpec) -> int:
    """How many distinct combinations the grid holds."""
    return int(np.prod([len(values) for values in grid_axes(spec).values()], dtype=np.int64))


def grid_axes(spec: SweepSpec) -> dict[ParamPath, list[Any]]:
    """Each parameter's distinct grid values, by path in the grid's (sorted) order."""
    return {
        path: _distinct(grid_values(param, path_name(path)))
        for path, param in flatten_parameters(spec.parameters).items()
    }


def grid_values(param: ParameterSpec, where: str = "parameter") -> list[Any]:
    """The values a grid search takes for ``param``, in order (repeats kept)."""
    dist = param.distribution
    if dist not in GRID_DISTRIBUTIONS:
        raise SweepConfigError(grid_error(where, dist))
    if dist == "constant":
        return [param.value]
    if dist == "categorical":
        return list(param.values)
    low, high = param.min, param.max
    assert low is not None and high is not None  # a parsed spec always has both
    if dist == "int_uniform":
        return list(range(int(low), int(high) + 1))
    steps = np.arange(low, high, param.q)
    if is_int(low) and is_int(high) and is_int(param.q):
        return [int(x) for x in steps]
    return [float(x) for x in steps]


def value_key(value: Any) -> str:
    """The form two grid values are compared by (integral floats as ints, keys sorted)."""
    normal = _normalise(value)
    try:
        return yaml.safe_dump(normal, sort_keys=True)
    except yaml.YAMLError:
        return repr(normal)


def _normalise(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if is_int(value):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return int(number) if number.is_integer() else number
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def _distinct(values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    distinct = []
    for value in values:
        key = value_key(value)
        if key not in seen:
            seen.add(key)
            distinct.append(value)
    return distinct


class _Axis:
    """Finds which of one parameter's grid values a run's value is."""

    def __init__(self, values: list[Any]) -> None:
        self._by_key = {value_key(v): i for i, v in enumerate(values) if not isinstance(v, Mapping)}
        self._dicts = [(i, v) for i, v in enumerate(values) if isinstance(v, Mapping)]

    def index_of(self, value: Any) -> int | None:
        if value is MISSING:
            return None
        if isinstance(value, Mapping):
            for i, candidate in self._dicts:
                known = {k: value[k] for k in candidate if k in value}
                if value_key(known) == value_key(candidate):
                    return i
            return None
        return self._by_key.get(value_key(value))


def _used(axes: dict[ParamPath, list[Any]], runs: Sequence[PriorRun]) -> set[tuple[int, ...]]:
    """The combinations (as value indexes) that prior runs hold."""
    finders = [(path, _Axis(values)) for path, values in axes.items()]
    used: set[tuple[int, ...]] = set()
    for run in runs:
        combo = []
        for path, axis in finders:
            index = axis.index_of(config_value(run.config, path))
            if index is None:
                break
            combo.append(index)
        else:
            used.add(tuple(combo))
    return used


__all__ = ["grid_axes", "grid_size", "grid_values", "suggest", "value_key"]
