"""Expanding a sweep's ``command`` into the argv of one run (wandb's macros, §6.4).

A macro is a whole item of the command list and expands to zero or more argv items;
``${envvar:NAME}`` is the exception, substituted inside any item (with ``NAME`` itself
when the variable is unset). An item that is no known macro is kept as written. Parameter
values are rendered with ``str()`` (``True``, ``{'name': 'adam'}``) except in the JSON
macros, in parameter order.

=============================  ==============================================
macro                          expands to
=============================  ==============================================
``${env}``                     ``/usr/bin/env`` (nothing on Windows)
``${interpreter}``             ``python``
``${program}``                 the sweep's ``program``
``${args}``                    ``--key=value`` per parameter
``${args_no_hyphens}``         ``key=value``
``${args_no_equals}``          ``--key``, ``value``
``${args_no_boolean_flags}``   ``--key=value``; a true boolean ``--key``, a false one nothing
``${args_json}``               one item, the JSON object of the parameters
``${args_json_file}``          the path of a file holding that JSON (the caller writes it)
``${args_append_hydra}``       ``+key=value``
``${args_override_hydra}``     ``++key=value``
=============================  ==============================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from trackboard.errors import InvalidInputError

DEFAULT_COMMAND: Final = ("${env}", "${interpreter}", "${program}", "${args}")
"""The command agents run when a sweep config gives none."""

_ENVVAR: Final = re.compile(r"\$\{envvar:([^}]*)\}")


def _flags(prefix: str, separator: str = "=") -> Callable[[Mapping[str, Any]], list[str]]:
    def render(params: Mapping[str, Any]) -> list[str]:
        return [f"{prefix}{key}{separator}{value}" for key, value in params.items()]

    return render


def _no_equals(params: Mapping[str, Any]) -> list[str]:
    return [item for key, value in params.items() for item in (f"--{key}", str(value))]


def _no_boolean_flags(params: Mapping[str, Any]) -> list[str]:
    argv = []
    for key, value in params.items():
        if value is True:
            argv.append(f"--{key}")
        elif value is not False:
            argv.append(f"--{key}={value}")
    return argv


_ARG_MACROS: Final[Mapping[str, Callable[[Mapping[str, Any]], list[str]]]] = {
    "${args}": _flags("--"),
    "${args_no_hyphens}": _flags(""),
    "${args_no_equals}": _no_equals,
    "${args_no_boolean_flags}": _no_boolean_flags,
    "${args_json}": lambda params: [json.dumps(dict(params))],
    "${args_append_hydra}": _flags("+"),
    "${args_override_hydra}": _flags("++"),
}

MACROS: Final = frozenset(
    {"${env}", "${interpreter}", "${program}", "${args_json_file}", *_ARG_MACROS}
)
"""Every whole-item macro :func:`expand_command` knows."""


def expand_command(
    command: Sequence[str] | None,
    params: Mapping[str, Any],
    *,
    program: str | None = None,
    args_json_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    windows: bool = False,
) -> list[str]:
    """The argv of one run: ``command`` (or :data:`DEFAULT_COMMAND`) with macros expanded.

    ``params`` are the run's top-level parameter values, unwrapped (a nested parameter's
    value is its dict). ``environ`` answers ``${envvar:NAME}`` (empty when ``None``).
    Raises :class:`~trackboard.errors.InvalidInputError` when ``${program}`` is used
    without a ``program`` or ``${args_json_file}`` without a file path.
    """
    env = environ if environ is not None else {}
    argv: list[str] = []
    for item in DEFAULT_COMMAND if command is None else command:
        expanded = _expand_item(item, params, program, args_json_file, windows)
        if expanded is None:
            expanded = [_ENVVAR.sub(lambda m: env.get(m.group(1), m.group(1)), item)]
        argv.extend(expanded)
    return argv


def _expand_item(
    item: str,
    params: Mapping[str, Any],
    program: str | None,
    args_json_file: str | None,
    windows: bool,
) -> list[str] | None:
    """The argv items a whole-item macro expands to, or ``None`` when ``item`` is none."""
    if item == "${env}":
        return [] if windows else ["/usr/bin/env"]
    if item == "${interpreter}":
        return ["python"]
    if item == "${program}":
        if program is None:
            raise InvalidInputError("program: required by ${program} in the sweep's command")
        return [program]
    if item == "${args_json_file}":
        if args_json_file is None:
            raise InvalidInputError("command: ${args_json_file} needs the path of the file")
        return [args_json_file]
    render = _ARG_MACROS.get(item)
    return None if render is None else render(params)


__all__ = ["DEFAULT_COMMAND", "MACROS", "expand_command"]
