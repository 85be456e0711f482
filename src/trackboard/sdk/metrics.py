"""``define_metric``: what a metric declares and how declarations merge and match keys.

Follows ``research/wandb-api.md`` 2.6. A name is an exact key or a glob with one trailing ``*``
(``"val/*"``). Dots in a name nest (``"a.b"`` is the key ``b`` inside the logged dict ``a``) and
``\\.`` is a literal dot; both end up as the dotted history key ``a.b``, which is how names are
matched and how they are written to the run log. Globs are expanded lazily: the first flushed
row holding a key that matches a glob (and has no definition of its own) copies the glob's
definition to that key, and later changes to the glob do not reach it, as in wandb.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from trackboard.errors import Error
from trackboard.sdk.values import RESERVED_KEYS

SUMMARY_OPS = ("min", "max", "mean", "first", "last", "none")
"""Summary operations in the order their results are listed."""
IGNORED_OPS = ("best", "copy")
GOALS = ("minimize", "maximize")


@dataclass(frozen=True, slots=True)
class Metric:
    """A merged metric definition, as ``define_metric`` returns it."""

    name: str
    step_metric: str | None = None
    step_sync: bool | None = None
    hidden: bool | None = None
    summary: tuple[str, ...] = ()
    goal: str | None = None

    @property
    def key(self) -> str:
        """The history key (or, for a glob, the key prefix followed by ``*``)."""
        return history_key(self.name)

    @property
    def syncs_step(self) -> bool:
        """Whether rows get the step metric's latest value inserted (default with a step metric)."""
        return self.step_metric is not None and self.step_sync is not False


def history_key(name: str) -> str:
    """A define_metric name as the dotted history key it matches (``a\\.b``, ``a.b`` -> ``a.b``)."""
    return name.replace("\\.", ".")


def parse_summary(summary: str | None, warn: Callable[[str], None]) -> tuple[str, ...]:
    """``"Min, max"`` -> ``("min", "max")``; unknown operations raise, deprecated ones warn."""
    if summary is None:
        return ()
    if not isinstance(summary, str):
        raise Error(f"Unhandled define_metric() arg: summary must be a str, got {summary!r}")
    ops: list[str] = []
    for part in summary.split(","):
        op = part.strip().lower()
        if not op:
            continue
        if op in IGNORED_OPS:
            warn(f"define_metric summary {op!r} is not supported and is ignored")
            continue
        if op not in SUMMARY_OPS:
            raise Error(
                f"Unhandled define_metric() arg: summary op {op!r} "
                f"(supported: {', '.join(SUMMARY_OPS)})"
            )
        if op not in ops:
            ops.append(op)
    return tuple(ops)


def _check_flag(name: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise Error(f"Unhandled define_metric() arg: {name} must be a bool, got {value!r}")
    return value


def declare(
    name: Any,
    step_metric: Any = None,
    step_sync: Any = None,
    hidden: Any = None,
    summary: Any = None,
    goal: Any = None,
    *,
    warn: Callable[[str], None],
) -> Metric:
    """Validate one ``define_metric`` call and return its (unmerged) definition."""
    if not isinstance(name, str) or not name:
        raise Error(f"define_metric() needs a non-empty metric name, got {name!r}")
    if "*" in name[:-1]:
        raise Error(f"Unsupported define_metric() name {name!r}: (glob suffixes only)")
    if isinstance(step_metric, Metric):
        step_metric = step_metric.name
    if step_metric is not None:
        if not isinstance(step_metric, str) or not step_metric:
            raise Error(
                "Unhandled define_metric() arg: step_metric must be a str or a Metric, "
                f"got {step_metric!r}"
            )
        if "*" in step_metric:
            raise Error(f"Unhandled define_metric() arg: step_metric {step_metric!r} is a glob")
        step_metric = history_key(step_metric)
    if goal is not None:
        if not isinstance(goal, str) or goal.lower() not in GOALS:
            raise Error(
                f"Unhandled define_metric() arg: goal must be minimize or maximize, got {goal!r}"
            )
        goal = goal.lower()
    return Metric(
        name=history_key(name),
        step_metric=step_metric,
        step_sync=_check_flag("step_sync", step_sync),
        hidden=_check_flag("hidden", hidden),
        summary=parse_summary(summary, warn),
        goal=goal,
    )


def merge(old: Metric, new: Metric) -> Metric:
    """A repeated declaration: flags OR-ed, summary operations united, newer values win."""
    hidden = (
        True
        if (old.hidden or new.hidden)
        else (new.hidden if new.hidden is not None else old.hidden)
    )
    return Metric(
        name=new.name,
        step_metric=new.step_metric if new.step_metric is not None else old.step_metric,
        step_sync=new.step_sync if new.step_sync is not None else old.step_sync,
        hidden=hidden,
        summary=old.summary + tuple(op for op in new.summary if op not in old.summary),
        goal=new.goal if new.goal is not None else old.goal,
    )


class MetricRegistry:
    """The definitions of one run; answers "which definition applies to this key"."""

    def __init__(self) -> None:
        self._exact: dict[str, Metric] = {}
        self._globs: dict[str, Metric] = {}  # prefix -> definition
        self._misses: set[str] = set()
        self._expanded: list[Metric] = []
        self.step_keys: set[str] = set()
        """History keys used as some definition's step metric."""
        self.latest_steps: dict[str, Any] = {}
        """The last value logged for each step metric."""

    def define(self, metric: Metric, overwrite: bool = False) -> Metric:
        """Add a declaration (merged with an earlier one unless ``overwrite``); the result."""
        if metric.name.endswith("*"):
            table, key = self._globs, metric.name[:-1]
            self._misses.clear()
        else:
            table, key = self._exact, metric.name
        old = table.get(key)
        merged = metric if old is None or overwrite else merge(old, metric)
        table[key] = merged
        if merged.step_metric is not None:
            self.step_keys.add(merged.step_metric)
        return merged

    def lookup(self, key: str) -> Metric | None:
        """The definition for a history key, expanding a matching glob the first time."""
        metric = self._exact.get(key)
        if metric is not None or key in self._misses:
            return metric
        if not key.startswith("_"):
            best = max((p for p in self._globs if key.startswith(p)), key=len, default=None)
            if best is not None:
                metric = replace(self._globs[best], name=key)
                if metric.step_metric == key:
                    metric = replace(metric, step_metric=None, step_sync=None)
                self._exact[key] = metric
                self._expanded.append(metric)
                return metric
        self._misses.add(key)
        return None

    def take_expanded(self) -> list[Metric]:
        """Definitions created by glob expansion since the last call."""
        expanded, self._expanded = self._expanded, []
        return expanded

    def sync_steps(self, values: dict[str, Any]) -> None:
        """``step_sync``: give a row holding a metric its step metric's latest value.

        Where the row has no value of the step metric, the last one logged (0 if none) is
        inserted; then the latest values are updated from the row. The automatic keys
        (``_step``...) are the row's own fields and are never inserted.
        """
        latest = self.latest_steps
        for key in list(values):
            metric = self.lookup(key)
            if metric is not None and metric.syncs_step:
                step_key = metric.step_metric
                if (
                    step_key is not None
                    and step_key not in values
                    and step_key not in RESERVED_KEYS
                ):
                    values[step_key] = latest.get(step_key, 0)
        for step_key in self.step_keys:
            if step_key in values:
                latest[step_key] = values[step_key]
