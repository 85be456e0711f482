"""Hyperparameter sweeps: the configuration, its distributions and the search methods.

``import trackboard`` does not import this package; the sweep commands and the controller
load it when they need it.
"""

from __future__ import annotations

from trackboard.errors import SweepConfigError
from trackboard.sweeps.macros import DEFAULT_COMMAND, expand_command
from trackboard.sweeps.search import (
    PriorRun,
    Suggestion,
    flatten_parameters,
    nest_values,
    next_params,
)
from trackboard.sweeps.spec import (
    HyperbandSpec,
    MetricSpec,
    NestedParameters,
    ParameterSpec,
    SweepSpec,
    parse_sweep_config,
)

__all__ = [
    "DEFAULT_COMMAND",
    "HyperbandSpec",
    "MetricSpec",
    "NestedParameters",
    "ParameterSpec",
    "PriorRun",
    "Suggestion",
    "SweepConfigError",
    "SweepSpec",
    "expand_command",
    "flatten_parameters",
    "nest_values",
    "next_params",
    "parse_sweep_config",
]
