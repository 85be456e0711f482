"""The run summary: what it holds after each row, and the dict-like ``run.summary``.

Rules (``research/wandb-api.md`` 2.5, 2.6):

* by default every logged key's summary entry is its last value; keys that came from nested
  dicts stay nested (``log({"a": {"b": 1}})`` -> ``summary["a"]["b"] == 1``);
* a key with ``define_metric(summary="min,max,...")`` gets a dict of those statistics over every
  value logged for it (min, max and mean over numbers only, NaN skipped); ``"none"`` leaves it out;
* an explicit assignment replaces the entry until the next row that logs the key (the statistics
  keep counting underneath);
* the summary also carries ``_step``, ``_runtime`` and ``_timestamp`` of the last row.

Containers in the summary are never changed in place: every change copies the path it touches,
so a dict already handed to a record stays as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from trackboard.sdk.history import Paths
from trackboard.sdk.metrics import MetricRegistry
from trackboard.sdk.values import MediaBinder, convert_summary_value

HIDDEN_KEYS = frozenset({"_wandb"})

EmitSummary = Callable[[dict[str, Any], tuple[str, ...]], None]
"""``emit(values_set, keys_removed)``, called with the run's lock held."""


class Aggregate:
    """Running statistics of one key's logged values."""

    __slots__ = ("count", "first", "has_first", "last", "max", "min", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.min: float | None = None
        self.max: float | None = None
        self.first: Any = None
        self.has_first = False
        self.last: Any = None

    def add(self, value: Any) -> None:
        if not self.has_first:
            self.first, self.has_first = value, True
        self.last = value
        if type(value) in (int, float) and value == value:
            self.count += 1
            self.total += value
            if self.min is None or value < self.min:
                self.min = value
            if self.max is None or value > self.max:
                self.max = value

    def entry(self, ops: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for op in ops:
            if op == "min" and self.min is not None:
                out["min"] = self.min
            elif op == "max" and self.max is not None:
                out["max"] = self.max
            elif op == "mean" and self.count:
                out["mean"] = self.total / self.count
            elif op == "first" and self.has_first:
                out["first"] = self.first
            elif op == "last" and self.has_first:
                out["last"] = self.last
        return out


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """``data[p0][p1]... = value``, copying every nested dict on the way (never in place)."""
    if len(path) == 1:
        data[path[0]] = value
        return
    head = data.get(path[0])
    child = dict(head) if isinstance(head, dict) else {}
    set_path(child, path[1:], value)
    data[path[0]] = child


def _set_fresh(data: dict[str, Any], path: tuple[str, ...], value: Any, fresh: set[int]) -> None:
    """:func:`set_path` that copies each nested dict only once per row (tracked in ``fresh``)."""
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not (isinstance(child, dict) and id(child) in fresh):
            child = dict(child) if isinstance(child, dict) else {}
            fresh.add(id(child))
            node[part] = child
        node = child
    node[path[-1]] = value


def delete_path(data: dict[str, Any], path: tuple[str, ...]) -> None:
    """Remove ``data[p0][p1]...``, copying the nested dicts on the way; KeyError if absent."""
    if len(path) == 1:
        del data[path[0]]
        return
    head = data[path[0]]
    if not isinstance(head, dict):
        raise KeyError(path[1])
    child = dict(head)
    delete_path(child, path[1:])
    data[path[0]] = child


class SummaryState:
    """The summary's values plus the statistics behind ``define_metric`` summaries."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = dict(data or {})
        self.aggregates: dict[str, Aggregate] = {}

    def apply_row(
        self, values: dict[str, Any], paths: Paths | None, registry: MetricRegistry | None
    ) -> dict[str, Any] | None:
        """Update the summary for a flushed row; return ``HistoryRow.summary`` for it.

        None when the plain rule holds (each key's entry is its value, top-level); otherwise
        the top-level entries to set, with a nested key's whole top-level dict.
        """
        data = self.data
        entries: dict[str, Any] = {}
        tops: set[str] = set()
        fresh: set[int] = set()  # ids of nested dicts copied for this row: changed in place
        special = paths is not None
        for key, value in values.items():
            metric = registry.lookup(key) if registry is not None else None
            entry = value
            if metric is not None and metric.summary:
                special = True
                aggregate = self.aggregates.get(key)
                if aggregate is None:
                    aggregate = self.aggregates[key] = Aggregate()
                aggregate.add(value)
                if "none" in metric.summary:
                    continue
                entry = aggregate.entry(metric.summary)
                if not entry:
                    continue
            path = paths.get(key) if paths is not None else None
            if path is None:
                data[key] = entry
                entries[key] = entry
            else:
                _set_fresh(data, path, entry, fresh)
                tops.add(path[0])
        if not special:
            return None
        for top in tops:
            entries[top] = data[top]
        return entries


def _wrap(summary: Summary, path: tuple[str, ...], value: Any) -> Any:
    if isinstance(value, dict):
        return SummarySubDict(summary, path)
    if isinstance(value, list):
        return list(value)
    return value


class Summary:
    """``run.summary``: dict-like; assignment, ``update`` and ``del`` are written to the run."""

    __slots__ = ("_bind", "_emit", "_lock", "_state")

    def __init__(
        self,
        state: SummaryState,
        emit: EmitSummary,
        lock: threading.Lock,
        bind: MediaBinder | None = None,
    ) -> None:
        """``bind`` stores media assigned to the summary (their files named ``..._summary_...``)."""
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_emit", emit)
        object.__setattr__(self, "_lock", lock)
        object.__setattr__(self, "_bind", bind)

    # reading
    def __getitem__(self, key: str) -> Any:
        return _wrap(self, (key,), self._state.data[key])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"summary has no key {name!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return key in self._state.data

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def keys(self) -> list[str]:
        return [k for k in self._state.data if k not in HIDDEN_KEYS]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self[k]) for k in self.keys()]

    def values(self) -> list[Any]:
        return [self[k] for k in self.keys()]

    def _as_dict(self) -> dict[str, Any]:
        """A plain (deep) copy of everything, hidden keys included."""
        plain: dict[str, Any] = _plain(self._state.data)
        return plain

    as_dict = _as_dict

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k!r}: {self._state.data[k]!r}' for k in self.keys())}}}"

    # writing
    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delitem__(self, key: str) -> None:
        self._delete((key,))

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def update(self, d: Mapping[str, Any] | None = None, /, **kwargs: Any) -> None:
        """Set several keys at once (one summary record)."""
        items = {**(d or {}), **kwargs}
        converted: dict[str, Any] = {}
        for key, value in items.items():
            if not isinstance(key, str):
                raise TypeError(f"summary keys must be str, got {key!r}")
            converted[key] = convert_summary_value(key, value, self._bind)
        if converted:
            with self._lock:
                self._state.data.update(converted)
                self._emit(converted, ())

    def _set(self, path: tuple[str, ...], value: Any) -> None:
        converted = convert_summary_value(".".join(path), value, self._bind)
        with self._lock:
            set_path(self._state.data, path, converted)
            self._emit({path[0]: self._state.data[path[0]]}, ())

    def _delete(self, path: tuple[str, ...]) -> None:
        with self._lock:
            delete_path(self._state.data, path)
            if len(path) == 1:
                self._emit({}, path)
            else:
                self._emit({path[0]: self._state.data[path[0]]}, ())

    def _lookup(self, path: tuple[str, ...]) -> Any:
        value: Any = self._state.data
        for part in path:
            if not isinstance(value, dict):
                raise KeyError(part)
            value = value[part]
        return value


class SummarySubDict:
    """A live view of a nested dict in the summary; writes go through the root summary."""

    __slots__ = ("_path", "_root")

    def __init__(self, root: Summary, path: tuple[str, ...]) -> None:
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_path", path)

    def _value(self) -> dict[str, Any]:
        value = self._root._lookup(self._path)
        return value if isinstance(value, dict) else {}

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._root, (*self._path, key), self._value()[key])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: str, value: Any) -> None:
        self._root._set((*self._path, key), value)

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delitem__(self, key: str) -> None:
        self._root._delete((*self._path, key))

    def update(self, d: Mapping[str, Any] | None = None, /, **kwargs: Any) -> None:
        for key, value in {**(d or {}), **kwargs}.items():
            self[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._value()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._value()))

    def __len__(self) -> int:
        return len(self._value())

    def keys(self) -> list[str]:
        return list(self._value())

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self[k]) for k in self._value()]

    def values(self) -> list[Any]:
        return [self[k] for k in self._value()]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SummarySubDict):
            other = other._value()
        return self._value() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._value())


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
