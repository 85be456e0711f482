"""The HTTP side of the claim protocol: a sweep on a trackboard server.

:class:`HttpBackend` is the :class:`~trackboard.sweeps.claims.SweepBackend` of an agent whose
sweep lives on a server (``docs/http-api.md``, "Sweeps"): the server runs
:mod:`trackboard.sweeps.claims` on its store, so the controller and hyperband are the same
as for a local agent. The server's error answers come back as the local errors (400
:class:`~trackboard.errors.InvalidInputError`, 404 :class:`~trackboard.errors.NotFoundError`,
409 :class:`~trackboard.errors.ConflictError`).

A server that cannot be reached, or answers 5xx or 429, is retried with backoff: claims and
claim ends until it answers (the agent has nothing else to do, and the server keeps the
claim's outcome), heartbeats not at all (the job goes on; the next beat tries again). A
claim retried after a lost answer gets the same claim back (see
:mod:`trackboard.sweeps.claims`).
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from trackboard.errors import (
    ConflictError,
    Error,
    InvalidInputError,
    NotFoundError,
    RemoteError,
    ServerError,
)
from trackboard.store.base import SweepClaim
from trackboard.sweeps.claims import Beat, Taken
from trackboard.sync.http import Backoff, ServerClient

T = TypeVar("T")
_LOCAL_ERRORS: dict[int, type[Error]] = {
    400: InvalidInputError,
    404: NotFoundError,
    409: ConflictError,
}


def project_path(entity: str, project: str) -> str:
    quote = urllib.parse.quote
    return f"/api/v1/projects/{quote(entity, safe='')}/{quote(project, safe='')}"


def local_error(exc: ServerError) -> Error:
    """A 400, 404 or 409 answer as the local error it stands for; others stay as they are."""
    kind = _LOCAL_ERRORS.get(exc.status)
    return kind(exc.message) if kind is not None else exc


def _retryable(exc: RemoteError) -> bool:
    return not isinstance(exc, ServerError) or exc.status >= 500 or exc.status == 429


def call(
    send: Callable[[], T],
    *,
    retry: bool,
    warn: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``send()``; with ``retry``, again after a backoff while the server is unreachable."""
    backoff = Backoff()
    while True:
        try:
            return send()
        except ServerError as exc:
            if not retry or not _retryable(exc):
                raise local_error(exc) from None
            error: RemoteError = exc
        except RemoteError as exc:
            if not retry:
                raise
            error = exc
        delay = backoff.next_delay(error)
        warn(f"{error}; retrying in {delay:.1f} s")
        sleep(delay)


def create_sweep(
    client: ServerClient,
    entity: str,
    project: str,
    config: dict[str, Any],
    prior_runs: Sequence[str] | None = None,
) -> str:
    """Create a sweep on the server from a parsed configuration (and ``prior_runs``: ids of
    the project's runs on the server that seed the search); its id."""
    body: dict[str, Any] = {"config": config}
    if prior_runs:
        body["prior_runs"] = prior_runs if isinstance(prior_runs, str) else list(prior_runs)
    reply = call(
        lambda: client.request("POST", f"{project_path(entity, project)}/sweeps", json=body),
        retry=False,
        warn=lambda _: None,
    )
    return str(reply.json()["id"])


def set_sweep_state(
    client: ServerClient, entity: str, project: str, sweep_id: str, state: str
) -> str:
    """Move the server's sweep to ``state``; the state it is now in."""
    path = f"{project_path(entity, project)}/sweeps/{urllib.parse.quote(sweep_id, safe='')}"
    reply = call(
        lambda: client.request("PATCH", path, json={"state": state}),
        retry=False,
        warn=lambda _: None,
    )
    return str(reply.json()["state"])


class HttpBackend:
    """The claim protocol over HTTP for one sweep (see the module docstring)."""

    def __init__(
        self,
        client: ServerClient,
        entity: str,
        project: str,
        sweep_id: str,
        *,
        host: str,
        warn: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.sweep_id = sweep_id
        self.host = host
        self._path = (
            f"{project_path(entity, project)}/sweeps/{urllib.parse.quote(sweep_id, safe='')}"
        )
        self._warn = warn
        self._sleep = sleep

    def _send(self, method: str, path: str, body: Any, *, retry: bool) -> Any:
        reply = call(
            lambda: self.client.request(method, self._path + path, json=body),
            retry=retry,
            warn=self._warn,
            sleep=self._sleep,
        )
        return reply.json()

    def config(self) -> str:
        return str(self._send("GET", "", None, retry=True)["config_text"])

    def claim(self, agent_id: str, stale_after_s: float) -> Taken:
        body = {"agent_id": agent_id, "host": self.host, "stale_after_s": stale_after_s}
        found = self._send("POST", "/claims", body, retry=True)
        if found.get("run_id") is None:
            return Taken(None, str(found["state"]))
        claim = SweepClaim(
            sweep_id=self.sweep_id,
            run_id=str(found["run_id"]),
            params=dict(found["params"]),
            state=str(found["state"]),
            agent_id=str(found["agent_id"]),
            created_at=float(found["created_at"]),
            heartbeat_at=float(found["heartbeat_at"]),
        )
        return Taken(claim, "running")

    def beat(self, agent_id: str, run_ids: Sequence[str]) -> Beat:
        try:
            found = self._send(
                "POST", "/heartbeats", {"agent_id": agent_id, "runs": list(run_ids)}, retry=False
            )
        except RemoteError as exc:
            self._warn(f"heartbeat not delivered ({exc}); the job goes on")
            return Beat("running")
        stop = {str(k): str(v) for k, v in dict(found["stop"]).items()}
        return Beat(str(found["state"]), stop, tuple(str(r) for r in found["lost"]))

    def end(self, agent_id: str, run_id: str, state: str, stop_reason: str | None = None) -> None:
        body: dict[str, Any] = {"agent_id": agent_id, "state": state}
        if stop_reason is not None:
            body["stop_reason"] = stop_reason
        self._send("PATCH", f"/claims/{urllib.parse.quote(run_id, safe='')}", body, retry=True)

    def close(self) -> None:
        return None
