"""The HTTP backend's retry rule: unreachable or busy servers are retried, answers are not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from trackboard.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ServerError,
    TransportError,
)
from trackboard.sweeps.remote import call, local_error, project_path


def failing(errors: list[Exception]) -> Callable[[], str]:
    """A request that raises ``errors`` in turn, then answers "ok"."""

    def send() -> str:
        if errors:
            raise errors.pop(0)
        return "ok"

    return send


def test_unreachable_and_busy_servers_are_retried_after_a_wait() -> None:
    waits: list[float] = []
    warnings: list[str] = []
    errors: list[Exception] = [
        TransportError("refused"),
        ServerError(503, "busy", retry_after=7.0),
        ServerError(500, "oops"),
    ]
    assert call(failing(errors), retry=True, warn=warnings.append, sleep=waits.append) == "ok"
    assert len(waits) == 3 and waits[1] == 7.0  # the server's Retry-After
    assert 0 < waits[0] <= 0.5 and all("retrying in" in w for w in warnings)


@pytest.mark.parametrize(
    ("status", "kind"), [(400, InvalidInputError), (404, NotFoundError), (409, ConflictError)]
)
def test_answers_become_local_errors_and_are_not_retried(status: int, kind: type) -> None:
    waits: list[float] = []
    send = failing([ServerError(status, "no")])
    with pytest.raises(kind, match="no"):
        call(send, retry=True, warn=lambda _: None, sleep=waits.append)
    assert waits == []


def test_without_retry_a_transport_error_is_raised() -> None:
    with pytest.raises(TransportError):
        call(failing([TransportError("down")]), retry=False, warn=lambda _: None)


def test_other_statuses_stay_server_errors_and_paths_are_quoted() -> None:
    error = ServerError(401, "no key")
    assert local_error(error) is error
    assert project_path("a b", "p/q") == "/api/v1/projects/a%20b/p%2Fq"
