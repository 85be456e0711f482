"""``watch()``: histograms of a PyTorch model's parameters and gradients (``wandb-api.md`` 3).

A :class:`Watcher` belongs to one run and holds the torch hooks it registered:

* ``log="parameters"`` or ``"all"``: one forward hook on the top-level module. Every
  ``log_freq``-th forward call (the ``log_freq``-th, the ``2 * log_freq``-th, ...) logs
  ``parameters/<prefix><name>`` for every entry of ``named_parameters()``.
* ``log="gradients"`` or ``"all"``: one tensor hook per parameter that requires grad, each with
  its own counter of backward passes; every ``log_freq``-th one logs ``gradients/<prefix><name>``.
* ``log_graph=True``: forward hooks on every submodule record each one's class, output shape and
  parameters on the first forward call; the list goes to the summary as ``graph_<index>``.

Histograms are handed to the run's ``log_values`` callback, which merges them into the pending
row without committing it (``commit=False``): they join the next row the script logs and never
make a row of their own.

The model prefix comes from a process-wide counter, as in wandb: the first model watched in the
process has prefix ``""``, the k-th ``"graph_<k>"``, with no separator
(``gradients/graph_1fc.bias``). ``idx=i`` numbers the models of that call ``i, i+1, ...``.

torch is imported only when ``watch()`` is called.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

NUM_BINS = 64
"""Bins per histogram; bin edges are ``linspace(min, max, NUM_BINS + 1)``."""

LOG_CHOICES = ("gradients", "parameters", "all", None)
_FLOAT32_MAX = 3.4028234663852886e38

LogValues = Callable[[dict[str, Any]], None]
"""``log_values(values)``: merge values into the run's pending row without committing it."""

SetSummary = Callable[[str, Any], None]
"""``set_summary(key, value)``: store a value in the run's summary."""


class _ModelCounter:
    """The process-wide count of watched models that gives each model its index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def take(self, n: int) -> int:
        """Reserve ``n`` indices; the first of them."""
        with self._lock:
            first = self._count
            self._count += n
            return first


MODEL_COUNTER = _ModelCounter()
_GRAPHED: weakref.WeakSet[Any] = weakref.WeakSet()
"""Modules whose graph was already requested (``log_graph=True`` works once per module)."""


def prefix_for(index: int) -> str:
    """The key prefix of the model with process-wide ``index``: ``""`` for 0, else ``graph_<i>``."""
    return f"graph_{index}" if index > 0 else ""


def tensor_histogram(tensor: torch.Tensor) -> dict[str, Any] | None:
    """A 64-bin histogram of a tensor's finite values, as ``Histogram(...).to_json()``; or None.

    Computed where the tensor lives, with ``torch.histc``'s bins, in float32 for half precision
    and integer tensors. Non-finite values are left out; None when nothing finite remains. When
    every value is equal there is one bin ``[count]`` with edges ``[v, v]``. A sparse tensor's
    implicit zeros are counted in the bin holding 0 (its range is widened to include 0).
    """
    import torch

    t = tensor.detach()
    zeros = 0
    if t.is_sparse:
        t = t.coalesce()
        values = t.values()
        zeros = t.numel() - values.numel()
        t = values
    flat = t.reshape(-1)
    if flat.dtype not in (torch.float32, torch.float64):
        if flat.is_complex():
            return None
        flat = flat.float()
    if flat.numel():
        lo_t, hi_t = torch.aminmax(flat)
        lo, hi = lo_t.item(), hi_t.item()
        if not (math.isfinite(lo) and math.isfinite(hi)):
            flat = flat[torch.isfinite(flat)]
            if flat.numel():
                lo_t, hi_t = torch.aminmax(flat)
                lo, hi = lo_t.item(), hi_t.item()
    if not flat.numel():
        if not zeros:
            return None
        lo = hi = 0.0
    if zeros:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if lo == hi:
        return {"_type": "histogram", "values": [flat.numel() + zeros], "bins": [lo, hi]}
    if flat.dtype == torch.float32 and (hi - lo) * NUM_BINS > _FLOAT32_MAX:
        flat = flat.double()  # (x - min) * bins would overflow float32
    # torch.histc's binning, floor((x - min) * bins / (max - min)) with max in the last bin, in
    # elementwise passes and a bincount: a third of histc's time on a CPU.
    index = (
        torch.sub(flat, lo).mul_(NUM_BINS).div_(hi - lo).to(torch.uint8).clamp_(max=NUM_BINS - 1)
    )
    counts = torch.bincount(index, minlength=NUM_BINS).tolist()
    edges = torch.linspace(lo, hi, NUM_BINS + 1, dtype=torch.float64).tolist()
    if zeros:
        zero_bin = min(int((0.0 - lo) / (hi - lo) * NUM_BINS), NUM_BINS - 1)
        counts[zero_bin] += zeros
    return {"_type": "histogram", "values": counts, "bins": edges}


class Watcher:
    """The hooks one run placed on the models it watches."""

    def __init__(self, log_values: LogValues, set_summary: SetSummary) -> None:
        self._log_values = log_values
        self._set_summary = set_summary
        self._lock = threading.Lock()
        self._handles: dict[str, Any] = {}
        self._models: list[tuple[Any, list[str]]] = []

    def watch(
        self,
        models: Any,
        criterion: Any = None,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: int | None = None,
        log_graph: bool = False,
    ) -> None:
        """Hook ``models`` (a module or a list or tuple of them); see the module docstring.

        Raises ValueError for a ``log`` other than ``"gradients"``, ``"parameters"``, ``"all"``
        or None, a ``log_freq`` below 1, a hook name this run already has, or ``log_graph`` on
        a module whose graph was already requested; TypeError for a model that is not a
        ``torch.nn.Module``. Nothing is hooked when any check fails.
        """
        if log not in LOG_CHOICES:
            raise ValueError(
                f"watch: log must be 'gradients', 'parameters', 'all' or None, got {log!r}"
            )
        if isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1:
            raise ValueError(f"watch: log_freq must be a positive int, got {log_freq!r}")
        if idx is not None and (isinstance(idx, bool) or not isinstance(idx, int) or idx < 0):
            raise ValueError(f"watch: idx must be a non-negative int or None, got {idx!r}")
        module_list = _as_modules(models)
        if log_graph:
            for model in module_list:
                if model in _GRAPHED:
                    raise ValueError(
                        "You can only call trackboard.watch once per model with log_graph=True; "
                        f"{type(model).__name__} already has a graph hook"
                    )
        first = MODEL_COUNTER.take(len(module_list))
        if idx is not None:
            first = idx
        plans = [
            self._plan(model, prefix_for(first + i), log, log_freq)
            for i, model in enumerate(module_list)
        ]
        with self._lock:
            names = [name for plan in plans for name, _ in plan]
            clash = next((n for n in names if n in self._handles), None)
            if clash is None and len(set(names)) < len(names):
                clash = next(n for n in names if names.count(n) > 1)
            if clash is not None:
                raise ValueError(f"watch: a hook named {clash!r} was already added to this run")
            for model, plan in zip(module_list, plans, strict=True):
                hooked = [name for name, _ in plan]
                for name, register in plan:
                    self._handles[name] = register()
                self._models.append((model, hooked))
        if log_graph:
            for i, model in enumerate(module_list):
                _GRAPHED.add(model)
                self._hook_graph(model, first + i)

    def unwatch(self, models: Any = None) -> list[Any]:
        """Remove the hooks of ``models`` (a module or a list of them), or of every model.

        Returns the models given that this run was not watching (the caller warns about them).
        """
        with self._lock:
            if models is None:
                targets = [model for model, _ in self._models]
            else:
                targets = list(models) if isinstance(models, list | tuple) else [models]
            missing = []
            for target in targets:
                found = [entry for entry in self._models if entry[0] is target]
                if not found:
                    missing.append(target)
                for entry in found:
                    for name in entry[1]:
                        handle = self._handles.pop(name, None)
                        if handle is not None:
                            handle.remove()
                    self._models.remove(entry)
            return missing

    # ------------------------------------------------------------------------- hooks
    def _plan(
        self, model: Any, prefix: str, log: str | None, log_freq: int
    ) -> list[tuple[str, Callable[[], Any]]]:
        """(hook name, register function) for each hook ``model`` gets; nothing registered yet."""
        plan: list[tuple[str, Callable[[], Any]]] = []
        if log in ("parameters", "all"):
            name = f"parameters/{prefix}"
            plan.append((name, lambda: self._hook_parameters(model, prefix, log_freq)))
        if log in ("gradients", "all"):
            for param_name, param in model.named_parameters():
                if param.requires_grad:
                    key = f"gradients/{prefix}{param_name}"
                    plan.append((key, _bind(self._hook_gradient, param, key, log_freq)))
        return plan

    def _hook_parameters(self, model: Any, prefix: str, log_freq: int) -> Any:
        calls = 0
        log_values = self._log_values

        def on_forward(module: Any, inputs: Any, output: Any) -> None:
            nonlocal calls
            calls += 1
            if calls % log_freq:
                return
            values = {}
            for name, param in module.named_parameters():
                hist = tensor_histogram(param)
                if hist is not None:
                    values[f"parameters/{prefix}{name}"] = hist
            if values:
                log_values(values)

        return model.register_forward_hook(on_forward)

    def _hook_gradient(self, param: Any, key: str, log_freq: int) -> Any:
        calls = 0
        log_values = self._log_values

        def on_backward(grad: Any) -> None:
            nonlocal calls
            calls += 1
            if calls % log_freq:
                return
            hist = tensor_histogram(grad)
            if hist is not None:
                log_values({key: hist})

        return param.register_hook(on_backward)

    def _hook_graph(self, model: Any, index: int) -> None:
        """Record each submodule's output shape on the first forward; summary ``graph_<i>``."""
        nodes: dict[str, dict[str, Any]] = {}
        handles: list[Any] = []

        def on_child(name: str) -> Callable[[Any, Any, Any], None]:
            def record(module: Any, inputs: Any, output: Any) -> None:
                if name not in nodes:
                    nodes[name] = _node(name, module, output)

            return record

        def on_top(module: Any, inputs: Any, output: Any) -> None:
            for handle in handles:
                handle.remove()
            ordered = [nodes[n] for n, _ in module.named_modules() if n and n in nodes]
            ordered.append(_node("", module, output))
            self._set_summary(
                f"graph_{index}", {"_type": "graph", "format": "torch", "nodes": ordered}
            )

        for name, child in model.named_modules():
            if name:
                handles.append(child.register_forward_hook(on_child(name)))
        handles.append(model.register_forward_hook(on_top))


def _bind(
    hook: Callable[[Any, str, int], Any], param: Any, key: str, log_freq: int
) -> Callable[[], Any]:
    return lambda: hook(param, key, log_freq)


def _as_modules(models: Any) -> list[Any]:
    """``models`` as a list of ``torch.nn.Module``; TypeError naming what else was given."""
    import torch

    items: Sequence[Any] = models if isinstance(models, list | tuple) else [models]
    if not items:
        raise ValueError("watch: no models given")
    for model in items:
        if not isinstance(model, torch.nn.Module):
            raise TypeError(
                "watch: expected a PyTorch model (torch.nn.Module), got "
                f"{type(model).__module__}.{type(model).__qualname__}"
            )
    return list(items)


def _shape(output: Any) -> Any:
    shape = getattr(output, "shape", None)
    if shape is not None:
        return list(shape)
    if isinstance(output, list | tuple):
        return [_shape(o) for o in output]
    return None


def _node(name: str, module: Any, output: Any) -> dict[str, Any]:
    params = [(n, list(p.shape)) for n, p in module.named_parameters(recurse=False)]
    return {
        "name": name,
        "class_name": type(module).__name__,
        "output_shape": _shape(output),
        "parameters": [{"name": n, "shape": s} for n, s in params],
        "num_parameters": sum(math.prod(s) for _, s in params),
    }
