"""``trackboard.Settings``: the keyword settings a script passes as ``init(settings=...)``.

Shaped like ``wandb.Settings``: any keyword is accepted (unknown ones are kept and ignored), and
wandb's names are mapped onto trackboard's (``run_name`` -> ``name``, ``root_dir`` -> ``dir``,
...). The resolved, validated settings are :class:`trackboard.settings.Settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALIASES = {
    "run_name": "name",
    "run_notes": "notes",
    "run_group": "group",
    "run_job_type": "job_type",
    "run_tags": "tags",
    "root_dir": "dir",
    "sweep_param_path": "sweep_param_path",
    "x_stats_sampling_interval": "stats_sampling_interval",
    "_stats_sample_rate_seconds": "stats_sampling_interval",
    "x_disable_stats": "disable_stats",
    "_disable_stats": "disable_stats",
}
"""wandb.Settings field -> the override key :func:`trackboard.settings.resolve` reads."""


class UserSettings:
    """Keyword settings for ``init(settings=...)``; attribute access returns None when unset."""

    def __init__(self, **kwargs: Any) -> None:
        object.__setattr__(self, "_values", dict(kwargs))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        values: dict[str, Any] = object.__getattribute__(self, "_values")
        return values.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._values[name] = value

    def update(self, d: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        self._values.update(d or {}, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Settings({inner})"


def overrides_from(settings: Any) -> dict[str, Any]:
    """``init(settings=...)`` (a dict, a :class:`UserSettings` or None) as resolve overrides."""
    if settings is None:
        return {}
    if isinstance(settings, UserSettings):
        raw = settings.to_dict()
    elif isinstance(settings, Mapping):
        raw = dict(settings)
    elif callable(getattr(settings, "to_dict", None)):
        raw = dict(settings.to_dict())
    else:
        raise TypeError(
            f"settings must be a dict or trackboard.Settings, got {type(settings).__name__}"
        )
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        out[ALIASES.get(key, key)] = value
    return out
