"""``run.config``: wandb's config rules (``research/wandb-api.md`` 1.2).

* Input may be a dict, an ``argparse.Namespace`` or any object with ``__dict__``, absl/TF flags
  (anything with ``flag_values_dict()``), or the path of a YAML file (top-level
  ``{value: ..., desc: ...}`` entries unwrapped, ``wandb_version`` dropped).
* Keys lose leading and trailing ``-`` (``--lr`` -> ``lr``).
  Keys starting with ``_`` are hidden from ``keys()`` and ``items()``.
* Values are made JSON-friendly (:func:`trackboard.sdk.values.config_value`).
* Changing an existing key to a different value raises :class:`ConfigError` unless
  ``allow_val_change`` (per ``update()`` call, or for the whole run from ``init``); setting the
  same value is a no-op.
* Keys merged with :meth:`Config._merge_locked` (sweep parameters) win over everything else;
  later writes to them are ignored with a warning.

Every change is handed to ``emit(values, removed)`` (the run writes a ``ConfigUpdate``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from trackboard.errors import ConfigError, InvalidInputError, UsageError
from trackboard.sdk.values import config_value, same_value

EmitConfig = Callable[[dict[str, Any], tuple[str, ...]], None]
"""``emit(values_set, keys_removed)``, called with the config's lock held."""


def load_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A wandb-style config YAML file as a plain dict."""
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            loaded = yaml.safe_load(f)
    except OSError as exc:
        raise InvalidInputError(f"cannot read config file {os.fspath(path)!r}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise InvalidInputError(
            f"config file {os.fspath(path)!r} is not valid YAML: {exc}"
        ) from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InvalidInputError(
            f"config file {os.fspath(path)!r} must hold a mapping at the top level"
        )
    out: dict[str, Any] = {}
    for key, value in loaded.items():
        if key == "wandb_version":
            continue
        if isinstance(value, dict) and "value" in value and set(value) <= {"value", "desc"}:
            value = value["value"]
        out[str(key)] = value
    return out


def parse_config(
    config: Any,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Whatever ``init(config=...)`` or ``config.update(...)`` accepts, as a plain dict."""
    if include is not None and exclude is not None:
        raise UsageError("Expected at most only one of config_exclude_keys or config_include_keys")
    if config is None:
        params: dict[str, Any] = {}
    elif isinstance(config, str | Path):
        params = load_yaml(config)
    elif isinstance(config, Mapping):
        params = dict(config)
    elif callable(getattr(config, "flag_values_dict", None)):
        params = dict(config.flag_values_dict())
    elif hasattr(config, "__dict__"):
        params = dict(vars(config))
    else:
        raise TypeError(
            "config must be a dict, an argparse.Namespace, an object with attributes, absl "
            f"flags or the path of a YAML file; got {type(config).__name__}"
        )
    if include is not None:
        wanted = set(include)
        params = {k: v for k, v in params.items() if k in wanted}
    if exclude is not None:
        unwanted = set(exclude)
        params = {k: v for k, v in params.items() if k not in unwanted}
    return params


def clean_key(key: Any) -> str:
    """A config key without leading/trailing ``-``.

    A ``.`` is allowed, as wandb allows it; filters look a dotted key up whole before reading
    the dots as nesting.
    """
    text = str(key).strip("-")
    if not text:
        raise InvalidInputError(f"config key {key!r} is empty")
    return text


def _deep_merge(base: Any, update: Any) -> Any:
    if isinstance(base, dict) and isinstance(update, dict):
        merged = dict(base)
        for k, v in update.items():
            merged[k] = _deep_merge(base.get(k), v)
        return merged
    return update


class Config:
    """The run's config; see the module docstring for the rules."""

    __slots__ = ("_allow_val_change", "_emit", "_items", "_lock", "_locked", "_warn")

    def __init__(
        self,
        *,
        allow_val_change: bool = False,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_locked", {})
        object.__setattr__(self, "_emit", None)
        object.__setattr__(self, "_allow_val_change", allow_val_change)
        object.__setattr__(self, "_warn", warn)
        object.__setattr__(self, "_lock", threading.Lock())

    def _bind(self, emit: EmitConfig | None, lock: threading.Lock | None = None) -> None:
        """Start sending changes to ``emit`` (under ``lock``, the run's)."""
        object.__setattr__(self, "_emit", emit)
        if lock is not None:
            object.__setattr__(self, "_lock", lock)

    # reading
    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def keys(self) -> list[str]:
        return [k for k in self._items if not k.startswith("_")]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in self._items.items() if not k.startswith("_")]

    def values(self) -> list[Any]:
        return [v for k, v in self._items.items() if not k.startswith("_")]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def as_dict(self) -> dict[str, Any]:
        """A copy of every item, hidden ones included."""
        return {k: config_value(v) for k, v in self._items.items()}

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            return bool(self._items == other._items)
        if isinstance(other, Mapping):
            return bool(self._items == dict(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __copy__(self) -> Config:
        """A detached copy: same items, changes to it are not recorded."""
        copied = Config(allow_val_change=self._allow_val_change, warn=self._warn)
        copied._items.update(self._items)
        copied._locked.update(self._locked)
        return copied

    def __deepcopy__(self, memo: dict[int, Any]) -> Config:
        copied = self.__copy__()
        copied._items.update({k: config_value(v) for k, v in self._items.items()})
        return copied

    # writing
    def __setitem__(self, key: str, value: Any) -> None:
        self._apply({key: value}, self._allow_val_change)

    def __setattr__(self, name: str, value: Any) -> None:
        self._apply({name: value}, self._allow_val_change)

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._items[key]
            if self._emit is not None:
                self._emit({}, (key,))

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def update(self, d: Any = None, allow_val_change: bool | None = None) -> None:
        """Set the keys of ``d`` (any accepted config input); see the module docstring."""
        allow = self._allow_val_change if allow_val_change is None else allow_val_change
        self._apply(parse_config(d), allow)

    def setdefaults(self, d: Any) -> None:
        """Set only the keys that are not set yet."""
        params = parse_config(d)
        with self._lock:
            missing = {k: v for k, v in params.items() if clean_key(k) not in self._items}
        self._apply(missing, False)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.setdefaults({key: default})
        return self._items.get(clean_key(key))

    def _merge_locked(self, d: Any, user: str = "sweep") -> None:
        """Merge values that win over everything and lock their keys (sweep parameters)."""
        params = {clean_key(k): config_value(v) for k, v in parse_config(d).items()}
        with self._lock:
            changed: dict[str, Any] = {}
            for key, value in params.items():
                merged = _deep_merge(self._items.get(key), value)
                self._locked[key] = user
                if key not in self._items or not same_value(self._items[key], merged):
                    changed[key] = merged
            self._items.update(changed)
            if changed and self._emit is not None:
                self._emit({k: config_value(v) for k, v in changed.items()}, ())

    def _merge_hidden(self, key: str, update: dict[str, Any]) -> None:
        """Deep-merge ``update`` into the hidden item ``key`` (``_wandb``: chart descriptions).

        Not subject to value-change checks or locks: the SDK owns these entries.
        """
        value = config_value(update)
        with self._lock:
            merged = _deep_merge(self._items.get(key), value)
            if key in self._items and same_value(self._items[key], merged):
                return
            self._items[key] = merged
            if self._emit is not None:
                self._emit({key: merged}, ())

    def _apply(self, params: Mapping[Any, Any], allow: bool) -> None:
        """Validate every pair first, then apply and emit them together."""
        converted = [(clean_key(k), config_value(v)) for k, v in params.items()]
        with self._lock:
            changed: dict[str, Any] = {}
            for key, value in converted:
                locker = self._locked.get(key)
                if locker is not None:
                    if not same_value(self._items.get(key), value) and self._warn is not None:
                        self._warn(
                            f"Config item '{key}' was locked by '{locker}' (ignored update)."
                        )
                    continue
                if key in changed:
                    old = changed[key]
                elif key in self._items:
                    old = self._items[key]
                else:
                    changed[key] = value
                    continue
                if same_value(old, value):
                    continue
                if not allow:
                    raise ConfigError(
                        f'Attempted to change value of key "{key}" from {old} to {value}\n'
                        "If you really want to do this, pass allow_val_change=True to "
                        "config.update()"
                    )
                changed[key] = value
            if not changed:
                return
            self._items.update(changed)
            if self._emit is not None:
                self._emit({k: config_value(v) for k, v in changed.items()}, ())
