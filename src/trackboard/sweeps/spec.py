"""The sweep configuration: parsed from a dict, YAML text or a YAML file, and validated.

:func:`parse_sweep_config` is the one entry point. It returns a frozen :class:`SweepSpec`
with every default filled in (metric goal and imputation, hyperband ``eta`` and ``strict``,
distribution parameters), every parameter's distribution named (inferred where the config
left it out, see :mod:`trackboard.sweeps.distributions`), or raises
:class:`~trackboard.errors.SweepConfigError` whose message starts with the offending
field's path, e.g. ``parameters.lr.min: must be less than max (got 0.1 >= 0.01)``.

The keys and their meaning are wandb's (``wandb-api.md`` §6.1). Unlike wandb, which creates
a sweep from a malformed config after printing the violations, trackboard refuses it: an
unknown key or an impossible range is an error, not a warning. ``method: custom`` (external
scheduler engines) is refused too.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import yaml

from trackboard.errors import SweepConfigError
from trackboard.sweeps.distributions import (
    DEFAULTS,
    DISTRIBUTIONS,
    FIELDS,
    GRID_DISTRIBUTIONS,
    POSITIVE_MIN,
    REQUIRED,
    infer_distribution,
    is_int,
    is_number,
)

METHODS: Final = ("grid", "random", "bayes")
GOALS: Final = ("minimize", "maximize")
IMPUTES: Final = ("latest", "best", "worst")
_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_STRING_KEYS: Final = ("program", "name", "description", "entity", "project")
_PASSTHROUGH_KEYS: Final = ("metrics", "scheduler", "kind", "apiVersion", "job", "image_uri")
TOP_LEVEL_KEYS: Final = frozenset(
    {
        "method",
        "parameters",
        "metric",
        "early_terminate",
        "run_cap",
        "command",
        "controller",
        *_STRING_KEYS,
        *_PASSTHROUGH_KEYS,
    }
)


@dataclass(frozen=True)
class ParameterSpec:
    """One searched (or constant) parameter with its distribution and that one's fields.

    Only the fields of ``distribution`` (``distributions.FIELDS``) are meaningful; the
    others keep their defaults. ``min``/``max`` are ints for ``int_uniform``; ``q`` keeps the
    type it was written with (an int ``q`` makes quantised samples ints).
    """

    distribution: str
    value: Any = None
    values: tuple[Any, ...] = ()
    probabilities: tuple[float, ...] = ()
    min: float | None = None
    max: float | None = None
    q: float = 1.0
    mu: float = 0.0
    sigma: float = 1.0
    a: float = 1.0
    b: float = 1.0


@dataclass(frozen=True)
class NestedParameters:
    """A parameter whose value is a dict of other parameters (``{"parameters": {...}}``)."""

    parameters: Mapping[str, Parameter]


Parameter: TypeAlias = ParameterSpec | NestedParameters


@dataclass(frozen=True)
class MetricSpec:
    """The metric a sweep optimises. ``impute_while_running`` is ``None`` for wandb's "false"."""

    name: str
    goal: Literal["minimize", "maximize"] = "minimize"
    target: float | None = None
    impute: Literal["latest", "best", "worst"] = "worst"
    impute_while_running: Literal["latest", "best", "worst"] | None = None


@dataclass(frozen=True)
class HyperbandSpec:
    """``early_terminate`` of type hyperband: bands from ``min_iter``, or ``max_iter`` and ``s``."""

    min_iter: int | None = None
    max_iter: int | None = None
    s: float | None = None
    eta: float = 3.0
    strict: bool = True


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep configuration.

    ``command`` is ``None`` when the config gave none (agents then use wandb's default
    ``${env} ${interpreter} ${program} ${args}``). ``controller`` is ``"local"`` or
    ``"cloud"``. ``extra`` keeps the Launch and scheduler keys (``metrics``, ``scheduler``,
    ``kind``, ``apiVersion``, ``job``, ``image_uri``) unread. ``source`` is the config as
    given, for storing and showing.
    """

    method: Literal["grid", "random", "bayes"]
    parameters: Mapping[str, Parameter]
    metric: MetricSpec | None = None
    early_terminate: HyperbandSpec | None = None
    run_cap: int | None = None
    program: str | None = None
    command: tuple[str, ...] | None = None
    name: str | None = None
    description: str | None = None
    entity: str | None = None
    project: str | None = None
    controller: Literal["local", "cloud"] = "cloud"
    extra: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)


def parse_sweep_config(source: Mapping[str, Any] | str | os.PathLike[str]) -> SweepSpec:
    """Parse and validate a sweep configuration.

    ``source`` is a dict, a path to a YAML file (a ``PathLike``, or a one-line string ending
    in ``.yaml``/``.yml``), or YAML text. Raises :class:`SweepConfigError` naming the field.
    """
    config = _load(source)
    return _sweep(config)


def _load(source: Mapping[str, Any] | str | os.PathLike[str]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        loaded: Any = source
    else:
        text = _yaml_text(source)
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SweepConfigError(f"sweep config: not valid YAML ({exc})") from exc
    if not isinstance(loaded, Mapping):
        raise SweepConfigError(
            f"sweep config: must be a mapping of keys (got {type(loaded).__name__})"
        )
    return loaded


def _yaml_text(source: str | os.PathLike[str]) -> str:
    is_path = not isinstance(source, str) or (
        "\n" not in source and source.strip().endswith((".yaml", ".yml"))
    )
    if not is_path:
        return str(source)
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SweepConfigError(f"sweep config: cannot read {path} ({exc.strerror})") from exc


def _sweep(config: Mapping[str, Any]) -> SweepSpec:
    unknown = sorted(str(k) for k in config if k not in TOP_LEVEL_KEYS)
    if unknown:
        raise SweepConfigError(
            f"{unknown[0]}: not a sweep config key (known: {', '.join(sorted(TOP_LEVEL_KEYS))})"
        )
    method = _method(config.get("method"))
    if "parameters" not in config:
        raise SweepConfigError("parameters: required (a mapping of parameter name to spec)")
    parameters = _parameters(config["parameters"], "parameters")
    metric = _metric(config["metric"]) if config.get("metric") is not None else None
    hyperband = _hyperband(config.get("early_terminate"))
    spec = SweepSpec(
        method=method,
        parameters=parameters,
        metric=metric,
        early_terminate=hyperband,
        run_cap=_run_cap(config.get("run_cap")),
        command=_command(config.get("command")),
        controller=_controller(config.get("controller")),
        extra={k: config[k] for k in _PASSTHROUGH_KEYS if k in config},
        source=dict(config),
        program=_string(config.get("program"), "program"),
        name=_string(config.get("name"), "name"),
        description=_string(config.get("description"), "description"),
        entity=_string(config.get("entity"), "entity"),
        project=_string(config.get("project"), "project"),
    )
    _check_method_needs(spec)
    return spec


def _method(method: Any) -> Literal["grid", "random", "bayes"]:
    if method is None:
        raise SweepConfigError(f"method: required (one of {', '.join(METHODS)})")
    if method == "custom":
        raise SweepConfigError(
            "method: custom needs an external scheduler engine, which trackboard does not "
            f"support (use one of {', '.join(METHODS)})"
        )
    if method == "grid":
        return "grid"
    if method == "random":
        return "random"
    if method == "bayes":
        return "bayes"
    raise SweepConfigError(f"method: must be one of {', '.join(METHODS)} (got {method!r})")


def _parameters(params: Any, where: str) -> dict[str, Parameter]:
    if not isinstance(params, Mapping) or not params:
        raise SweepConfigError(f"{where}: must be a non-empty mapping of name to parameter spec")
    parsed: dict[str, Parameter] = {}
    for name, spec in params.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise SweepConfigError(
                f"{where}.{name}: a parameter name must match {_NAME.pattern} (got {name!r})"
            )
        parsed[name] = _parameter(spec, f"{where}.{name}")
    return parsed


def _parameter(spec: Any, where: str) -> Parameter:
    if not isinstance(spec, Mapping):
        raise SweepConfigError(
            f"{where}: must be a mapping such as {{values: [...]}} or {{min: 0, max: 1}} "
            f"(got {spec!r})"
        )
    if "parameters" in spec:
        extra = sorted(str(k) for k in spec if k != "parameters")
        if extra:
            raise SweepConfigError(
                f"{where}.{extra[0]}: nested parameters take only the `parameters` key"
            )
        return NestedParameters(_parameters(spec["parameters"], f"{where}.parameters"))
    fields = {k: v for k, v in spec.items() if k != "distribution"}
    dist = spec.get("distribution")
    if dist is None:
        dist = infer_distribution(fields)
        if dist is None:
            raise SweepConfigError(_uninferable(fields, where))
    elif dist not in FIELDS:
        raise SweepConfigError(
            f"{where}.distribution: unknown distribution {dist!r} "
            f"(known: {', '.join(DISTRIBUTIONS)})"
        )
    return _distribution_fields(str(dist), fields, where)


def _uninferable(fields: Mapping[str, Any], where: str) -> str:
    keys = ", ".join(sorted(map(str, fields))) or "none"
    if set(fields) == {"min", "max"}:
        return (
            f"{where}.min: min and max must be numbers "
            f"(got {fields['min']!r}, {fields['max']!r}){_yaml_hint(fields['min'], fields['max'])}"
        )
    return (
        f"{where}: cannot infer a distribution from the fields given ({keys}); write one of "
        "value, values, values with probabilities, min with max, or parameters, or name "
        "the distribution"
    )


def _yaml_hint(*values: Any) -> str:
    """A hint for numbers YAML read as text (PyYAML reads ``1e-4`` as a string)."""
    for value in values:
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                continue
            return f"; YAML reads {value} as text, write it as {number!r}"
    return ""


def _distribution_fields(dist: str, fields: Mapping[str, Any], where: str) -> ParameterSpec:
    allowed = FIELDS[dist]
    for key in fields:
        if key not in allowed:
            raise SweepConfigError(
                f"{where}.{key}: not a field of a {dist} parameter "
                f"(allowed: distribution, {', '.join(allowed)})"
            )
    for key in REQUIRED[dist]:
        if key not in fields:
            raise SweepConfigError(f"{where}.{key}: required by a {dist} parameter")
    values: dict[str, Any] = {k: fields.get(k, DEFAULTS.get(k)) for k in allowed}
    _check_values(dist, values, where)
    if "values" in values:
        values["values"] = tuple(values["values"])
    if "probabilities" in values:
        values["probabilities"] = tuple(float(p) for p in values["probabilities"])
    return ParameterSpec(distribution=dist, **values)


def _check_values(dist: str, values: Mapping[str, Any], where: str) -> None:
    for key in ("mu", "sigma", "a", "b", "q", "min", "max"):
        if key in values and not is_number(values[key]):
            raise SweepConfigError(
                f"{where}.{key}: must be a finite number "
                f"(got {values[key]!r}){_yaml_hint(values[key])}"
            )
    if "values" in values:
        _check_list(values["values"], f"{where}.values")
    if "probabilities" in values:
        _check_probabilities(values["probabilities"], len(values["values"]), where)
    if "min" in values:
        _check_bounds(dist, values["min"], values["max"], where)
    for key in ("q", "a", "b"):
        if key in values and values[key] <= 0:
            raise SweepConfigError(f"{where}.{key}: must be greater than 0 (got {values[key]!r})")
    if "sigma" in values and values["sigma"] < 0:
        raise SweepConfigError(f"{where}.sigma: must be at least 0 (got {values['sigma']!r})")


def _check_list(items: Any, where: str) -> None:
    if not isinstance(items, list | tuple) or not items:
        raise SweepConfigError(f"{where}: must be a non-empty list (got {items!r})")


def _check_probabilities(probabilities: Any, count: int, where: str) -> None:
    where = f"{where}.probabilities"
    _check_list(probabilities, where)
    if len(probabilities) != count:
        raise SweepConfigError(
            f"{where}: needs one probability per value ({len(probabilities)} for {count} values)"
        )
    for p in probabilities:
        if not is_number(p) or p < 0:
            raise SweepConfigError(f"{where}: each must be a number of at least 0 (got {p!r})")
    total = math.fsum(probabilities)
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise SweepConfigError(f"{where}: must sum to 1 (got {total!r})")


def _check_bounds(dist: str, low: Any, high: Any, where: str) -> None:
    if dist == "int_uniform":
        for key, bound in (("min", low), ("max", high)):
            if not is_int(bound):
                raise SweepConfigError(
                    f"{where}.{key}: must be an integer for int_uniform (got {bound!r})"
                )
    if low >= high:
        raise SweepConfigError(f"{where}.min: must be less than max (got {low!r} >= {high!r})")
    if dist in POSITIVE_MIN and low <= 0:
        raise SweepConfigError(
            f"{where}.min: must be greater than 0 for {dist}, whose bounds are actual values "
            f"(got {low!r})"
        )


def _metric(metric: Any) -> MetricSpec:
    if isinstance(metric, str):
        raise SweepConfigError(
            f"metric: must be a mapping such as {{name: {metric}, goal: minimize}} (got {metric!r})"
        )
    if not isinstance(metric, Mapping):
        raise SweepConfigError(f"metric: must be a mapping with a name (got {metric!r})")
    known = ("name", "goal", "target", "impute", "impute_while_running")
    for key in metric:
        if key not in known:
            raise SweepConfigError(f"metric.{key}: not a metric key (known: {', '.join(known)})")
    name = metric.get("name")
    if not isinstance(name, str) or not name:
        raise SweepConfigError(f"metric.name: required, a non-empty string (got {name!r})")
    target = metric.get("target")
    if target is not None and not is_number(target):
        raise SweepConfigError(f"metric.target: must be a finite number (got {target!r})")
    while_running = metric.get("impute_while_running", "false")
    return MetricSpec(
        name=name,
        goal=_choice(metric.get("goal", "minimize"), GOALS, "metric.goal"),  # type: ignore[arg-type]
        target=None if target is None else float(target),
        impute=_choice(metric.get("impute", "worst"), IMPUTES, "metric.impute"),  # type: ignore[arg-type]
        impute_while_running=(
            None
            if while_running in (False, "false")
            else _choice(while_running, (*IMPUTES, "false"), "metric.impute_while_running")  # type: ignore[arg-type]
        ),
    )


def _choice(value: Any, choices: tuple[str, ...], where: str) -> str:
    if value not in choices:
        raise SweepConfigError(f"{where}: must be one of {', '.join(choices)} (got {value!r})")
    return str(value)


def _hyperband(early: Any) -> HyperbandSpec | None:
    if early is None:
        return None
    if not isinstance(early, Mapping):
        raise SweepConfigError(f"early_terminate: must be a mapping (got {early!r})")
    known = ("type", "min_iter", "max_iter", "s", "eta", "strict")
    for key in early:
        if key not in known:
            raise SweepConfigError(
                f"early_terminate.{key}: not a hyperband key (known: {', '.join(known)})"
            )
    if early.get("type") != "hyperband":
        raise SweepConfigError(
            f"early_terminate.type: must be hyperband (got {early.get('type')!r})"
        )
    min_iter = _positive_int(early.get("min_iter"), "early_terminate.min_iter")
    max_iter = _positive_int(early.get("max_iter"), "early_terminate.max_iter")
    s = early.get("s")
    if s is not None and (not is_number(s) or s <= 0):
        raise SweepConfigError(f"early_terminate.s: must be a number greater than 0 (got {s!r})")
    if min_iter is None and (max_iter is None or s is None):
        raise SweepConfigError(
            "early_terminate.min_iter: required, unless max_iter and s are both given"
        )
    eta = early.get("eta", 3)
    if not is_number(eta) or eta <= 1:
        raise SweepConfigError(
            f"early_terminate.eta: must be a number greater than 1 (got {eta!r})"
        )
    strict = early.get("strict", True)
    if not isinstance(strict, bool):
        raise SweepConfigError(f"early_terminate.strict: must be true or false (got {strict!r})")
    return HyperbandSpec(
        min_iter=min_iter,
        max_iter=max_iter,
        s=None if s is None else float(s),
        eta=float(eta),
        strict=strict,
    )


def _positive_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not is_int(value) or value < 1:
        raise SweepConfigError(f"{where}: must be an integer of at least 1 (got {value!r})")
    return int(value)


def _run_cap(run_cap: Any) -> int | None:
    return _positive_int(run_cap, "run_cap")


def _command(command: Any) -> tuple[str, ...] | None:
    if command is None:
        return None
    if not isinstance(command, list | tuple) or not command:
        raise SweepConfigError(f"command: must be a non-empty list of strings (got {command!r})")
    for index, item in enumerate(command):
        if not isinstance(item, str):
            raise SweepConfigError(f"command[{index}]: must be a string (got {item!r})")
    return tuple(command)


def _controller(controller: Any) -> Literal["local", "cloud"]:
    if controller is None:
        return "cloud"
    if not isinstance(controller, Mapping) or set(controller) - {"type"}:
        raise SweepConfigError(
            f"controller: must be {{type: local}} or {{type: cloud}} (got {controller!r})"
        )
    kind = controller.get("type", "cloud")
    if kind == "local":
        return "local"
    if kind == "cloud":
        return "cloud"
    raise SweepConfigError(f"controller.type: must be local or cloud (got {kind!r})")


def _string(value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise SweepConfigError(f"{where}: must be a string (got {value!r})")
    return value


def _check_method_needs(spec: SweepSpec) -> None:
    from trackboard.sweeps.search import flatten_parameters, path_name

    flat = flatten_parameters(spec.parameters)
    if spec.method == "grid":
        for path, param in flat.items():
            if param.distribution not in GRID_DISTRIBUTIONS:
                raise SweepConfigError(grid_error(path_name(path), param.distribution))
    if spec.method == "bayes":
        if spec.metric is None:
            raise SweepConfigError("metric: required by method bayes")
        if all(p.distribution == "constant" for p in flat.values()):
            raise SweepConfigError(
                "parameters: method bayes needs at least one parameter that is not constant"
            )
    if spec.early_terminate is not None and spec.metric is None:
        raise SweepConfigError("metric: required by early_terminate")


def grid_error(where: str, distribution: str) -> str:
    """The message for a parameter a grid search cannot enumerate."""
    return (
        f"{where}: a grid search cannot enumerate a {distribution} distribution "
        f"(use {', '.join(sorted(GRID_DISTRIBUTIONS))})"
    )


__all__ = [
    "METHODS",
    "HyperbandSpec",
    "MetricSpec",
    "NestedParameters",
    "Parameter",
    "ParameterSpec",
    "SweepSpec",
    "grid_error",
    "parse_sweep_config",
]
