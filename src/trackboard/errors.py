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
    "RunLogError",
    "RunStoppedError",
    "StoreError",
    "SweepConfigError",
    "UsageError",
]
