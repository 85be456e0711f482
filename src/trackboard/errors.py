"""The one exception tree. HTTP status codes map from it in one place (the server)."""

from __future__ import annotations


class Error(Exception):
    """Base of every trackboard error (``wandb.Error``)."""


class UsageError(Error):
    """The API was called in a way it does not allow (``wandb.errors.UsageError``)."""


class ConfigError(Error):
    """A config value was changed without ``allow_val_change`` (``wandb.errors.ConfigError``)."""


class InvalidInputError(Error, ValueError):
    """A value, key, path or filter is malformed; the message names the offending part."""


class SweepConfigError(InvalidInputError):
    """A sweep configuration is malformed; the message starts with the field's path."""


class NotFoundError(Error, LookupError):
    """A project, run, key or sweep that does not exist."""


class ConflictError(Error):
    """A write lost a race (for example two ingesters applying the same records)."""


class StoreError(Error):
    """The store failed in a way the caller cannot fix by changing its input."""


class RunLogError(Error):
    """A run log cannot be opened or written."""


class RemoteError(Error):
    """Talking to a trackboard server failed; the run log on disk still holds everything."""


class TransportError(RemoteError):
    """The server could not be reached, or the connection broke or timed out."""


class ServerError(RemoteError):
    """The server answered with an error status; ``message`` is from its JSON error body.

    ``retry_after`` is the server's ``Retry-After`` in seconds (429, 503), and ``payload`` the
    decoded JSON body (a 409 on records carries the session's ``cursor`` there); ``where`` is
    the request (method and URL without its query), for the message.
    """

    def __init__(
        self,
        status: int,
        message: str,
        retry_after: float | None = None,
        payload: object = None,
        *,
        where: str | None = None,
    ) -> None:
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.payload = payload


class RunStoppedError(Error):
    """Raised by ``log()`` of a run its sweep's early termination stopped.

    The run is already finished with state ``killed``; a sweep agent running the function
    catches this and counts the job as stopped, not failed.
    """


__all__ = [
    "ConfigError",
    "ConflictError",
    "Error",
    "InvalidInputError",
    "NotFoundError",
    "RemoteError",
    "RunLogError",
    "RunStoppedError",
    "ServerError",
    "StoreError",
    "SweepConfigError",
    "TransportError",
    "UsageError",
]
