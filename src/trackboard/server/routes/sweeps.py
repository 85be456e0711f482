"""A project's sweeps: the list, one sweep with its runs, its state, and parameter importance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from trackboard.errors import InvalidInputError
from trackboard.query.sweeps import list_sweeps, sweep_detail, sweep_importance, sweep_summary
from trackboard.server.context import StoreDep
from trackboard.server.responses import SafeJSONResponse
from trackboard.server.write_guard import check_write
from trackboard.store.base import SWEEP_STATES
from trackboard.sweeps.shape import sweep_shape

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
