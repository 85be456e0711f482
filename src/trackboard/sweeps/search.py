"""The interface every search method implements, and the nested-parameter paths they share.

A search method is a module with one function::

    def suggest(spec: SweepSpec, runs: Sequence[PriorRun], rng: np.random.Generator)
        -> Suggestion | None

It reads the sweep's parsed configuration and every run the sweep has created so far (any
state) and returns the parameters of the next run, or ``None`` when it has nothing left to
propose (a grid that is used up). It must be pure: no I/O, no clock, randomness only from
``rng``. ``grid``, ``random_search`` and ``bayes`` implement it; :func:`next_params` picks
one by ``spec.method`` and adds the rules that end every sweep (``run_cap``,
``metric.target``).

Nested parameters (``{"opt": {"parameters": {"lr": {...}}}}``) are handled as flat
*paths*: tuples of names such as ``("opt", "lr")``. :func:`flatten_parameters` turns the
spec's tree into ``{path: ParameterSpec}``, :func:`nest_values` turns ``{path: value}``
back into the nested config a run receives (``{"opt": {"lr": 0.01}}``), and
:func:`config_value` reads one path out of a prior run's config.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from trackboard.errors import InvalidInputError

if TYPE_CHECKING:
    import numpy as np

    from trackboard.sweeps.spec import Parameter, ParameterSpec, SweepSpec

ParamPath = tuple[str, ...]
"""A parameter's place in the (possibly nested) config: ``("optimizer", "lr")``."""

RUN_STATES: Final = frozenset({"pending", "running", "finished", "failed", "crashed", "killed"})
TERMINAL_STATES: Final = frozenset({"finished", "failed", "crashed", "killed"})


class _Missing:
    """Type of :data:`MISSING`."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""What :func:`config_value` returns when a run's config has no value at a path."""


@dataclass(frozen=True)
class PriorRun:
    """A run the sweep already created, as a search method sees it.

    ``config`` is the config the run received: nested dicts for nested parameters, no
    ``{"value": ...}`` wrappers. ``state`` is one of :data:`RUN_STATES`. ``metric`` is the
    run's best value of ``spec.metric.name`` over its history and summary (the minimum for
    ``minimize``, the maximum for ``maximize``), or ``None`` when it never logged a finite
    one. ``history`` holds the finite values of the metric in the order they were logged
    (one per hyperband iteration; ``history[-1]`` is the latest). ``name`` is the run id.
    """

    config: Mapping[str, Any]
    state: str = "finished"
    metric: float | None = None
    history: tuple[float, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if self.state not in RUN_STATES:
            raise InvalidInputError(
                f"run state: must be one of {', '.join(sorted(RUN_STATES))} (got {self.state!r})"
            )


@dataclass(frozen=True)
class Suggestion:
    """The next run's parameters, nested as the run receives them (``{"opt": {"lr": 0.1}}``).

    ``info`` carries whatever the method wants to show about its choice (bayes: predicted
    value, its standard deviation, expected improvement, success probability, warnings).
    """

    params: dict[str, Any]
    info: Mapping[str, Any] = field(default_factory=dict)


class SearchMethod(Protocol):
    """The signature of a search method's ``suggest`` (see the module docstring)."""

    def __call__(
        self, spec: SweepSpec, runs: Sequence[PriorRun], rng: np.random.Generator
    ) -> Suggestion | None: ...


_METHOD_MODULES: Final = {
    "grid": "trackboard.sweeps.grid",
    "random": "trackboard.sweeps.random_search",
    "bayes": "trackboard.sweeps.bayes",
}


def search_method(method: str) -> SearchMethod:
    """The ``suggest`` function of ``method`` (``grid``, ``random`` or ``bayes``)."""
    try:
        module_name = _METHOD_MODULES[method]
    except KeyError:
        raise InvalidInputError(
            f"method: must be one of {', '.join(_METHOD_MODULES)} (got {method!r})"
        ) from None
    suggest: SearchMethod = importlib.import_module(module_name).suggest
    return suggest


def next_params(
    spec: SweepSpec, runs: Sequence[PriorRun], rng: np.random.Generator
) -> Suggestion | None:
    """The parameters of the sweep's next run, or ``None`` when the sweep creates no more.

    The sweep is done when it has ``run_cap`` runs, when any run's ``metric`` reached
    ``metric.target`` (``<=`` for minimize, ``>=`` for maximize), or when its search method
    returns ``None``.
    """
    if spec.run_cap is not None and len(runs) >= spec.run_cap:
        return None
    if target_reached(spec, runs):
        return None
    return search_method(spec.method)(spec, runs, rng)


def target_reached(spec: SweepSpec, runs: Sequence[PriorRun]) -> bool:
    """Whether some run's metric reached ``spec.metric.target`` (False without a target)."""
    metric = spec.metric
    if metric is None or metric.target is None:
        return False
    target = metric.target
    for run in runs:
        if run.metric is None:
            continue
        if metric.goal == "maximize" and run.metric >= target:
            return True
        if metric.goal == "minimize" and run.metric <= target:
            return True
    return False


def flatten_parameters(parameters: Mapping[str, Parameter]) -> dict[ParamPath, ParameterSpec]:
    """Every leaf parameter of ``parameters`` by path, sorted by path.

    ``{"b": x, "a": {"parameters": {"d": y, "c": z}}}`` gives
    ``{("a", "c"): z, ("a", "d"): y, ("b",): x}``.
    """
    from trackboard.sweeps.spec import NestedParameters

    flat: dict[ParamPath, ParameterSpec] = {}

    def visit(prefix: ParamPath, params: Mapping[str, Parameter]) -> None:
        for name, param in params.items():
            path = (*prefix, name)
            if isinstance(param, NestedParameters):
                visit(path, param.parameters)
            else:
                flat[path] = param

    visit((), parameters)
    return dict(sorted(flat.items()))


def nest_values(values: Mapping[ParamPath, Any]) -> dict[str, Any]:
    """The nested config holding ``values``: ``{("a", "b"): 1}`` gives ``{"a": {"b": 1}}``.

    Dict and list values are copied, so a run's config never shares them with the spec.
    """
    nested: dict[str, Any] = {}
    for path, value in values.items():
        node = nested
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = copy.deepcopy(value) if isinstance(value, dict | list) else value
    return nested


def config_value(config: Mapping[str, Any], path: ParamPath) -> Any:
    """The value at ``path`` in a run's config, or :data:`MISSING`.

    A value stored with wandb's ``{"value": v}`` wrapper at the top level is unwrapped.
    """
    node: Any = config
    for depth, name in enumerate(path):
        if not isinstance(node, Mapping) or name not in node:
            return MISSING
        node = node[name]
        if depth == 0 and _is_value_wrapper(node):
            node = node["value"]
    return node


def path_name(path: ParamPath) -> str:
    """The path as it appears in error messages and docs: ``parameters.opt.parameters.lr``."""
    return "parameters." + ".parameters.".join(path)


def _is_value_wrapper(node: Any) -> bool:
    return isinstance(node, Mapping) and set(node) == {"value"}


__all__ = [
    "MISSING",
    "RUN_STATES",
    "TERMINAL_STATES",
    "ParamPath",
    "PriorRun",
    "SearchMethod",
    "Suggestion",
    "config_value",
    "flatten_parameters",
    "nest_values",
    "next_params",
    "path_name",
    "search_method",
    "target_reached",
]
