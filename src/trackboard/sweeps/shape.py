"""What the dashboard draws of a sweep's configuration: its method, metric and axes.

:func:`sweep_shape` parses the stored configuration text (validated when the sweep was
created) into plain JSON data, so that :mod:`trackboard.query.sweeps` needs no spec types.

Axes: one per searched parameter (constants are left out), in config order, nested
parameters named ``outer.inner``, with ``scale`` "categorical" when the parameter's
``values`` are not all numbers, "log" for the log distributions, else "linear" (a ``values``
list of numbers is a numeric axis).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from trackboard.errors import SweepConfigError
from trackboard.sweeps.spec import NestedParameters, Parameter, SweepSpec, parse_sweep_config


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _axes_of(parameters: Mapping[str, Parameter], prefix: str) -> list[dict[str, Any]]:
    axes: list[dict[str, Any]] = []
    for name, param in parameters.items():
        full = f"{prefix}{name}"
        if isinstance(param, NestedParameters):
            axes.extend(_axes_of(param.parameters, f"{full}."))
            continue
        if param.distribution == "constant":
            continue
        if not all(_is_number(v) for v in param.values):
            scale = "categorical"
        elif "log" in param.distribution:
            scale = "log"
        else:
            scale = "linear"
        axes.append({"name": full, "distribution": param.distribution, "scale": scale})
    return axes


def spec_shape(spec: SweepSpec) -> dict[str, Any]:
    """``{"method", "name", "metric": {"name", "goal"} | None, "axes": [...], "config"}``."""
    metric = None if spec.metric is None else {"name": spec.metric.name, "goal": spec.metric.goal}
    return {
        "method": spec.method,
        "name": spec.name,
        "metric": metric,
        "axes": _axes_of(spec.parameters, ""),
        "config": dict(spec.source),
    }


def sweep_shape(config_text: str) -> dict[str, Any]:
    """:func:`spec_shape` of a stored configuration (YAML or JSON text).

    A stored text that no longer parses (written by another version) still has a shape, so
    that one sweep cannot break a project's list: no axes and no metric, ``method`` as
    written, and ``"error"`` saying what is wrong with it."""
    try:
        loaded = yaml.safe_load(config_text)
    except yaml.YAMLError as exc:
        loaded, problem = None, f"sweep config: not valid YAML ({exc})"
    else:
        problem = "sweep config: not a mapping of keys"
        try:
            if isinstance(loaded, Mapping):
                return spec_shape(parse_sweep_config(loaded))
        except SweepConfigError as exc:
            problem = str(exc)
    raw = dict(loaded) if isinstance(loaded, Mapping) else {}
    method, name = raw.get("method"), raw.get("name")
    return {
        "method": method if isinstance(method, str) else None,
        "name": name if isinstance(name, str) else None,
        "metric": None,
        "axes": [],
        "config": raw,
        "error": problem,
    }
