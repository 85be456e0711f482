"""What a sweep's agents ask of the store: create, claim, heartbeat, end a claim.

These are the one implementation of the claim protocol. A local agent calls them on its
root's store; ``trackboard server`` calls them from its sweep routes for agents on other
machines, so both see the same controller (:func:`~trackboard.sweeps.controller.chooser`
inside the claim transaction) and the same hyperband decisions
(:func:`~trackboard.sweeps.hyperband.stop_decisions` over the sweep's claims and metrics).

The caller supplies the metrics (:func:`sweep_metrics` reads them from the store): a local
agent first catches up on its root's run logs; the server's store already holds what online
runs uploaded.

An agent runs one job at a time, so a ``pending`` claim it already holds when it claims
again can only be one whose answer it never received (the request reached the server, the
reply was lost): :func:`take_run` hands that claim out again instead of a new one, so an
agent retrying after a network failure never takes a second point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from trackboard.errors import ConflictError, InvalidInputError
from trackboard.records import STOP_REASON_KEY
from trackboard.sdk.names import new_run_id
from trackboard.store.base import RunRow, Store, SweepClaim
from trackboard.sweeps.controller import RunMetrics, chooser, prior_runs
from trackboard.sweeps.hyperband import StopDecision, stop_decisions
from trackboard.sweeps.spec import SweepSpec

STALE_AFTER_S = 60.0
"""How long after its last heartbeat a claim is marked crashed by the next claim."""
END_STATES = ("running", "finished", "failed", "crashed", "stopped")
"""The states an agent may move its own claim to (``pending`` is only ever set by a claim)."""


@dataclass(frozen=True)
class Taken:
    """The answer to a claim: the claim, or None with the sweep's state.

    With no claim, ``state`` says what the agent does: ``running`` (other agents' runs may
    still crash and hand their points out again) and ``paused`` mean wait and claim again;
    ``finished`` and ``cancelled`` mean exit.
    """

    claim: SweepClaim | None
    state: str


@dataclass(frozen=True)
class Beat:
    """The answer to a heartbeat: the sweep's state, runs to stop (run id -> reason), and
    runs whose claims were taken from the agent (marked crashed: it missed its heartbeats)."""

    state: str
    stop: dict[str, str] = field(default_factory=dict)
    lost: tuple[str, ...] = ()


def create_sweep(
    store: Store,
    entity: str,
    project: str,
    config_text: str,
    new_id: Callable[[], str] = new_run_id,
) -> str:
    """Record a ``running`` sweep under a fresh 8-character id; return the id."""
    while True:
        sweep_id = new_id()
        try:
            store.create_sweep(entity, project, sweep_id, config_text)
            return sweep_id
        except ConflictError:
            continue


PRIOR_AGENT = "prior-runs"
"""The agent id of the claims that stand for a sweep's prior runs."""
_PRIOR_STATES = {"finished": "finished", "running": "running"}


def prior_rows(
    store: Store, entity: str, project: str, run_ids: Sequence[str] | None
) -> list[RunRow]:
    """The project's runs named by ``prior_runs``; NotFoundError for an unknown id."""
    if not run_ids:
        return []
    if isinstance(run_ids, str) or not all(isinstance(r, str) for r in run_ids):
        raise InvalidInputError("prior_runs must be a list of run ids, not one string")
    return [store.run(entity, project, run_id) for run_id in dict.fromkeys(run_ids)]


def seed_prior_runs(store: Store, spec: SweepSpec, sweep_id: str, rows: Sequence[RunRow]) -> None:
    """Record each prior run as a claim holding its values of the sweep's parameters,
    ``finished`` or ``failed`` as the run ended (``running`` while it goes on), so its config
    and metric seed the search. The runs themselves are not moved into the sweep."""
    for row in rows:
        params = {name: row.config[name] for name in spec.parameters if name in row.config}
        claim = store.claim_sweep_run(
            row.entity,
            row.project,
            sweep_id,
            PRIOR_AGENT,
            _fixed(row.run_id, params),
            stale_after_s=STALE_AFTER_S,
        )
        if claim is not None:
            state = _PRIOR_STATES.get(row.state, "failed")
            store.update_sweep_claim(
                row.entity, row.project, sweep_id, row.run_id, PRIOR_AGENT, state=state
            )


def _fixed(run_id: str, params: dict[str, Any]) -> Callable[..., tuple[str, dict[str, Any]]]:
    """A chooser that always picks ``run_id`` with ``params`` (a prior run's claim)."""
    return lambda sweep, claims: (run_id, params)


def sweep_metrics(
    store: Store, entity: str, project: str, sweep_id: str, spec: SweepSpec
) -> RunMetrics:
    """The sweep's runs' metric (best value, finite history) as the store holds them.

    Empty when the sweep has no ``metric``. The history is the metric's logged series; a run
    that only set it in its summary has that one value.
    """
    metric = spec.metric
    if metric is None:
        return {}
    best = max if metric.goal == "maximize" else min
    claimed = {claim.run_id for claim in store.sweep_claims(entity, project, sweep_id)}
    found: dict[str, tuple[float | None, tuple[float, ...]]] = {}
    for row in store.runs(entity, project):
        if row.sweep_id != sweep_id and row.run_id not in claimed:
            continue
        values = tuple(
            float(v) for v in store.series(row.pk, metric.name).values if math.isfinite(v)
        )
        last = row.summary.get(metric.name)
        if not values and isinstance(last, int | float) and not isinstance(last, bool):
            values = (float(last),) if math.isfinite(last) else ()
        found[row.run_id] = (best(values) if values else None, values)
    return found


def take_run(
    store: Store,
    entity: str,
    project: str,
    sweep_id: str,
    agent_id: str,
    *,
    spec: SweepSpec,
    metrics: RunMetrics,
    stale_after_s: float = STALE_AFTER_S,
    new_id: Callable[[], str] = new_run_id,
) -> Taken:
    """The agent's next run (see :class:`Taken` and the module docstring).

    With nothing to hand out while no claim is live, the sweep is marked ``finished``.
    """
    held = [
        claim
        for claim in store.sweep_claims(entity, project, sweep_id)
        if claim.agent_id == agent_id and claim.state == "pending"
    ]
    if held:
        return Taken(held[-1], "running")
    choose = chooser(spec, new_id, metrics=metrics)
    claim = store.claim_sweep_run(
        entity, project, sweep_id, agent_id, choose, stale_after_s=stale_after_s
    )
    if claim is not None:
        return Taken(claim, "running")
    state = store.sweep(entity, project, sweep_id).state
    if state == "running" and _finish_if_done(store, entity, project, sweep_id):
        state = "finished"
    return Taken(None, state)


def _finish_if_done(store: Store, entity: str, project: str, sweep_id: str) -> bool:
    """Mark the sweep finished unless other agents' runs may still fail and come back.

    While another agent holds a live claim the sweep may yet hand its parameters out again
    (a grid point whose agent died), so the caller waits instead of exiting.
    """
    claims = store.sweep_claims(entity, project, sweep_id)
    if any(c.state in ("pending", "running") for c in claims):
        return False
    store.set_sweep_state(entity, project, sweep_id, "finished")
    return True


def stop_decisions_for(
    spec: SweepSpec, claims: Sequence[SweepClaim], metrics: RunMetrics, run_ids: Sequence[str]
) -> list[StopDecision]:
    """Hyperband's decisions to stop any of ``run_ids`` now (none without hyperband)."""
    hyperband, metric = spec.early_terminate, spec.metric
    if hyperband is None or metric is None:
        return []
    runs = prior_runs(spec, claims, metrics)
    wanted = set(run_ids)
    maximize = metric.goal == "maximize"
    return [d for d in stop_decisions(hyperband, runs, maximize=maximize) if d.run_id in wanted]


def heartbeat(
    store: Store,
    entity: str,
    project: str,
    sweep_id: str,
    agent_id: str,
    run_ids: Sequence[str],
    *,
    spec: SweepSpec,
    metrics: RunMetrics,
) -> Beat:
    """Refresh the agent's claims of ``run_ids``; say which to stop and which were lost."""
    lost: list[str] = []
    for run_id in run_ids:
        try:
            store.update_sweep_claim(entity, project, sweep_id, run_id, agent_id)
        except ConflictError:
            lost.append(run_id)
    alive = [run_id for run_id in run_ids if run_id not in lost]
    claims = store.sweep_claims(entity, project, sweep_id)
    decisions = stop_decisions_for(spec, claims, metrics, alive)
    state = store.sweep(entity, project, sweep_id).state
    return Beat(state, {d.run_id: d.reason for d in decisions}, tuple(lost))


def end_claim(
    store: Store,
    entity: str,
    project: str,
    sweep_id: str,
    run_id: str,
    agent_id: str,
    state: str,
    stop_reason: str | None = None,
) -> SweepClaim:
    """Move the agent's claim to ``state`` (one of :data:`END_STATES`).

    ``stopped`` (hyperband ended the run) also shows the run, when the store has it, as
    ``killed`` with ``stop_reason`` in its summary under :data:`STOP_REASON_KEY`, whatever
    its process left behind when it was terminated.
    """
    if state not in END_STATES:
        raise InvalidInputError(
            f"claim state must be one of {', '.join(END_STATES)}, got {state!r}"
        )
    if stop_reason is not None and (state != "stopped" or not isinstance(stop_reason, str)):
        raise InvalidInputError("stop_reason is a string, and only for the state 'stopped'")
    claim = store.update_sweep_claim(entity, project, sweep_id, run_id, agent_id, state=state)
    if state == "stopped":
        try:
            row = store.run(entity, project, run_id)
        except LookupError:
            return claim  # the job never started its run
        mark_killed(store, row, stop_reason)
    return claim


def mark_killed(store: Store, row: RunRow, stop_reason: str | None) -> RunRow:
    """Show a stopped run as ``killed``, keeping its stop reason in the summary."""
    summary = dict(row.summary)
    if stop_reason is not None:
        summary[STOP_REASON_KEY] = stop_reason
    if row.state == "killed" and summary == row.summary:
        return row
    return store.update_run(row.pk, state="killed", summary=summary)


class SweepBackend(Protocol):
    """Where an agent's claims go: the local root's store, or a trackboard server.

    Every method takes the sweep the backend was made for. :meth:`end` raises
    :class:`~trackboard.errors.ConflictError` when the claim was taken from the agent.
    """

    def config(self) -> str:
        """The sweep's configuration text."""
        ...

    def claim(self, agent_id: str, stale_after_s: float) -> Taken:
        """:func:`take_run` for ``agent_id``."""
        ...

    def beat(self, agent_id: str, run_ids: Sequence[str]) -> Beat:
        """:func:`heartbeat` for ``agent_id``'s running runs."""
        ...

    def end(self, agent_id: str, run_id: str, state: str, stop_reason: str | None = None) -> None:
        """:func:`end_claim` (``running`` too: the job started)."""
        ...

    def close(self) -> None: ...
