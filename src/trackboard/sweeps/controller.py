"""The local controller: which run a sweep hands out next, as a pure function of its claims.

:func:`chooser` builds the ``choose(sweep, claims)`` callback that
:meth:`~trackboard.store.base.Store.claim_sweep_run` calls inside its claim transaction, so
every agent of a sweep, in any process, sees the claims of all the others and
:func:`~trackboard.sweeps.search.next_params` never hands one choice out twice.

Claims become :class:`~trackboard.sweeps.search.PriorRun` values: ``pending`` and
``running`` claims count as ``running`` runs, ``finished`` and ``failed`` as themselves.
A ``crashed`` claim (its agent stopped sending heartbeats) is left out for a grid sweep, so
its grid point is handed out again under a new run id, and is a ``crashed`` run for the
other methods (its parameters count as tried). A grid point whose claims crashed
:data:`MAX_CRASHES` times (a job that keeps killing its agent) counts as one ``failed`` run
and is not handed out again. Metrics come from ``metrics``: what the
caller read of the sweep's runs (best value and history of ``spec.metric.name``) before
claiming.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from trackboard.store.base import SweepClaim, SweepRow
from trackboard.sweeps.search import PriorRun, next_params
from trackboard.sweeps.spec import SweepSpec

MAX_CRASHES = 3
"""How many crashed claims of one grid point make it a failed point, not handed out again."""

RunMetrics = Mapping[str, tuple[float | None, tuple[float, ...]]]
"""Run id -> (best metric value or None, the metric's finite history in logging order)."""

_PRIOR_STATE = {
    "pending": "running",
    "running": "running",
    "finished": "finished",
    "failed": "failed",
    "crashed": "crashed",
    "stopped": "killed",
}


def prior_runs(
    spec: SweepSpec, claims: Sequence[SweepClaim], metrics: RunMetrics
) -> list[PriorRun]:
    """The sweep's claims as the search methods see them (see the module docstring)."""
    found: list[PriorRun] = []
    crashes: Counter[str] = Counter()
    for claim in claims:
        state = _PRIOR_STATE[claim.state]
        if claim.state == "crashed" and spec.method == "grid":
            point = point_key(claim.params)
            crashes[point] += 1
            if crashes[point] != MAX_CRASHES:
                continue
            state = "failed"
        metric, history = metrics.get(claim.run_id, (None, ()))
        found.append(
            PriorRun(
                config=claim.params,
                state=state,
                metric=metric,
                history=history,
                name=claim.run_id,
            )
        )
    return found


def point_key(params: Mapping[str, Any]) -> str:
    """One text per set of parameter values (key order does not matter)."""
    return json.dumps(params, sort_keys=True, default=repr)


def chooser(
    spec: SweepSpec,
    new_run_id: Callable[[], str],
    *,
    metrics: RunMetrics | None = None,
    rng: np.random.Generator | None = None,
) -> Callable[[SweepRow, list[SweepClaim]], tuple[str, Mapping[str, Any]] | None]:
    """The ``choose`` callback for one claim: the next parameters under a fresh run id."""
    generator = rng if rng is not None else np.random.default_rng()
    known = metrics if metrics is not None else {}

    def choose(sweep: SweepRow, claims: list[SweepClaim]) -> tuple[str, Mapping[str, Any]] | None:
        suggestion = next_params(spec, prior_runs(spec, claims, known), generator)
        if suggestion is None:
            return None
        taken = {c.run_id for c in claims}
        run_id = new_run_id()
        while run_id in taken:
            run_id = new_run_id()
        return run_id, suggestion.params

    return choose


def grid_size(spec: SweepSpec) -> int | None:
    """How many runs a grid sweep has in all (``None`` for random and bayes)."""
    if spec.method != "grid":
        return None
    from trackboard.sweeps.grid import grid_axes

    total = 1
    for values in grid_axes(spec).values():
        total *= len(values)
    return total if spec.run_cap is None else min(total, spec.run_cap)
