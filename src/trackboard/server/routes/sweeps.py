"""A project's sweeps: the list, one sweep with its runs, its state, and parameter importance;
and the claim protocol for agents on other machines (create, claim, heartbeat, end a claim).

The claim routes parse and validate, then call :mod:`trackboard.sweeps.claims`, the functions
a local agent calls on its own store, so a remote agent gets the same controller and the same
hyperband decisions, computed here from the store's runs.
"""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Body, Depends

from trackboard.errors import InvalidInputError
from trackboard.query.sweeps import list_sweeps, sweep_detail, sweep_importance, sweep_summary
from trackboard.records import JSONValue
from trackboard.server.context import StoreDep
from trackboard.server.responses import SafeJSONResponse
from trackboard.server.write_guard import check_write
from trackboard.store.base import SWEEP_STATES, Store, SweepClaim
from trackboard.sweeps import claims as protocol
from trackboard.sweeps.shape import sweep_shape
from trackboard.sweeps.spec import SweepSpec, parse_sweep_config

router = APIRouter(tags=["sweeps"])


def check_state_body(body: Any) -> str:
    """The state of a PATCH body ``{"state": ...}``, one of :data:`SWEEP_STATES`."""
    if not isinstance(body, dict) or set(body) != {"state"}:
        raise InvalidInputError(
            f'the body must be {{"state": ...}} with a state of {", ".join(SWEEP_STATES)}'
        )
    state = body["state"]
    if state not in SWEEP_STATES:
        raise InvalidInputError(f"unknown sweep state {state!r}; one of {', '.join(SWEEP_STATES)}")
    return str(state)


@router.get("/projects/{entity}/{project}/sweeps", response_class=SafeJSONResponse)
def get_sweeps(store: StoreDep, entity: str, project: str) -> SafeJSONResponse:
    """The project's sweeps, oldest first, with state, method, metric and run counts."""
    return SafeJSONResponse({"sweeps": list_sweeps(store, entity, project, sweep_shape)})


@router.get("/projects/{entity}/{project}/sweeps/{sweep_id}", response_class=SafeJSONResponse)
def get_sweep(store: StoreDep, entity: str, project: str, sweep_id: str) -> SafeJSONResponse:
    """One sweep: config, axes, claims and its runs with their parameters and metric."""
    return SafeJSONResponse(sweep_detail(store, entity, project, sweep_id, sweep_shape))


@router.patch(
    "/projects/{entity}/{project}/sweeps/{sweep_id}",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def set_state(
    store: StoreDep,
    entity: str,
    project: str,
    sweep_id: str,
    body: Any = Body(...),  # noqa: B008
) -> SafeJSONResponse:
    """Pause, resume (running), finish or cancel a sweep, as the CLI's state flags do."""
    state = check_state_body(body)
    sweep = store.set_sweep_state(entity, project, sweep_id, state)
    claims = store.sweep_claims(entity, project, sweep_id)
    return SafeJSONResponse(sweep_summary(sweep, claims, sweep_shape(sweep.config)))


@router.get(
    "/projects/{entity}/{project}/sweeps/{sweep_id}/importance",
    response_class=SafeJSONResponse,
)
def get_importance(store: StoreDep, entity: str, project: str, sweep_id: str) -> SafeJSONResponse:
    """Per parameter: Pearson's r with the sweep metric and a random-forest importance."""
    return SafeJSONResponse(sweep_importance(store, entity, project, sweep_id, sweep_shape))


def _body(body: Any, required: set[str], optional: set[str], shape: str) -> dict[str, Any]:
    """``body`` when it is an object with ``required`` keys and no keys beyond ``optional``."""
    if not isinstance(body, dict) or not required <= set(body) <= required | optional:
        raise InvalidInputError(f"the body must be {shape}")
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body[key]
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{key} must be a non-empty string, got {value!r}")
    return value


def _spec(store: Store, entity: str, project: str, sweep_id: str) -> SweepSpec:
    return parse_sweep_config(store.sweep(entity, project, sweep_id).config)


def _yaml_mapping(text: str) -> Any:
    """YAML text to its value; never read as a file path (the text comes from a client)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"sweep config: not valid YAML ({exc})") from exc


def claim_json(claim: SweepClaim) -> dict[str, JSONValue]:
    """A claim as the claim routes answer it."""
    return {
        "sweep_id": claim.sweep_id,
        "run_id": claim.run_id,
        "params": dict(claim.params),
        "state": claim.state,
        "agent_id": claim.agent_id,
        "created_at": claim.created_at,
        "heartbeat_at": claim.heartbeat_at,
    }


@router.post(
    "/projects/{entity}/{project}/sweeps",
    response_class=SafeJSONResponse,
    status_code=201,
    dependencies=[Depends(check_write)],
)
def create_sweep(
    store: StoreDep,
    entity: str,
    project: str,
    body: Any = Body(...),  # noqa: B008
) -> SafeJSONResponse:
    """Create a ``running`` sweep from ``{"config": {...} or YAML text, "prior_runs": [ids]}``;
    400 names a bad field, 404 an unknown prior run (then no sweep is created)."""
    shape = '{"config": ...} with a mapping or YAML text, and optionally "prior_runs": [run ids]'
    checked = _body(body, {"config"}, {"prior_runs"}, shape)
    config = checked["config"]
    if isinstance(config, str):
        config = _yaml_mapping(config)
    if not isinstance(config, dict):
        raise InvalidInputError(f"config must be a mapping or YAML text, got {config!r}")
    spec = parse_sweep_config(config)
    text = yaml.safe_dump(dict(spec.source), sort_keys=False)
    seeds = protocol.prior_rows(store, entity, project, checked.get("prior_runs"))
    sweep_id = protocol.create_sweep(store, entity, project, text)
    protocol.seed_prior_runs(store, spec, sweep_id, seeds)
    sweep = store.sweep(entity, project, sweep_id)
    return SafeJSONResponse(sweep_summary(sweep, [], sweep_shape(sweep.config)), status_code=201)


@router.post(
    "/projects/{entity}/{project}/sweeps/{sweep_id}/claims",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def claim_run(
    store: StoreDep,
    entity: str,
    project: str,
    sweep_id: str,
    body: Any = Body(...),  # noqa: B008
) -> SafeJSONResponse:
    """The agent's next run ``{"run_id", "params", "state": "pending", ...}``, or with nothing
    to run now ``{"run_id": null, "state": <the sweep's state>}`` (running or paused: wait)."""
    shape = '{"agent_id": ..., "host": ..., "stale_after_s": ...} (host and stale_after_s optional)'
    found = _body(body, {"agent_id"}, {"host", "stale_after_s"}, shape)
    agent_id = _text(found, "agent_id")
    if "host" in found:
        _text(found, "host")
    stale = found.get("stale_after_s", protocol.STALE_AFTER_S)
    if isinstance(stale, bool) or not isinstance(stale, int | float) or not stale > 0:
        raise InvalidInputError(f"stale_after_s must be a number > 0, got {stale!r}")
    spec = _spec(store, entity, project, sweep_id)
    metrics = protocol.sweep_metrics(store, entity, project, sweep_id, spec)
    taken = protocol.take_run(
        store, entity, project, sweep_id, agent_id, spec=spec, metrics=metrics, stale_after_s=stale
    )
    if taken.claim is None:
        return SafeJSONResponse({"run_id": None, "params": None, "state": taken.state})
    return SafeJSONResponse(claim_json(taken.claim))


@router.post(
    "/projects/{entity}/{project}/sweeps/{sweep_id}/heartbeats",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def heartbeat(
    store: StoreDep,
    entity: str,
    project: str,
    sweep_id: str,
    body: Any = Body(...),  # noqa: B008
) -> SafeJSONResponse:
    """Refresh ``{"agent_id", "runs": [run ids]}``; answer the sweep's state, the runs
    hyperband stops (``stop``: run id -> reason) and the claims lost (``lost``)."""
    found = _body(body, {"agent_id", "runs"}, set(), '{"agent_id": ..., "runs": [run ids]}')
    agent_id = _text(found, "agent_id")
    runs = found["runs"]
    if not isinstance(runs, list) or not all(isinstance(r, str) and r for r in runs):
        raise InvalidInputError(f"runs must be a list of run ids, got {runs!r}")
    spec = _spec(store, entity, project, sweep_id)
    metrics = (
        protocol.sweep_metrics(store, entity, project, sweep_id, spec)
        if spec.early_terminate is not None
        else {}
    )
    beat = protocol.heartbeat(
        store, entity, project, sweep_id, agent_id, runs, spec=spec, metrics=metrics
    )
    return SafeJSONResponse({"state": beat.state, "stop": beat.stop, "lost": list(beat.lost)})


@router.patch(
    "/projects/{entity}/{project}/sweeps/{sweep_id}/claims/{run_id}",
    response_class=SafeJSONResponse,
    dependencies=[Depends(check_write)],
)
def end_claim(
    store: StoreDep,
    entity: str,
    project: str,
    sweep_id: str,
    run_id: str,
    body: Any = Body(...),  # noqa: B008
) -> SafeJSONResponse:
    """Move the agent's claim: ``{"agent_id", "state", "stop_reason"?}``; 409 when another
    agent holds it or it was marked crashed."""
    shape = f'{{"agent_id": ..., "state": one of {", ".join(protocol.END_STATES)}}}'
    found = _body(body, {"agent_id", "state"}, {"stop_reason"}, shape)
    claim = protocol.end_claim(
        store,
        entity,
        project,
        sweep_id,
        run_id,
        _text(found, "agent_id"),
        found["state"],
        found.get("stop_reason"),
    )
    return SafeJSONResponse(claim_json(claim))
