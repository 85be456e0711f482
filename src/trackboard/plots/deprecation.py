"""The legacy helpers' shared manners: warn that they are deprecated, warn and skip on errors."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from trackboard.errors import Error

T = TypeVar("T")

SKIPPED = (ValueError, TypeError, ImportError, Error)
"""The errors a legacy helper turns into a warning and ``None``."""


def legacy(replacement: str) -> Callable[[Callable[..., T]], Callable[..., T | None]]:
    """Make a helper warn that it is deprecated for ``replacement``, and skip on bad input."""

    def wrap(helper: Callable[..., T]) -> Callable[..., T | None]:
        name = helper.__name__

        @functools.wraps(helper)
        def call(*args: Any, **kwargs: Any) -> T | None:
            warnings.warn(
                f"trackboard.plots.{name} is deprecated (wandb removed wandb.plots); "
                f"use {replacement}",
                FutureWarning,
                stacklevel=2,
            )
            try:
                return helper(*args, **kwargs)
            except SKIPPED as exc:
                warnings.warn(
                    f"trackboard.plots.{name}: {exc}; nothing to log", UserWarning, stacklevel=2
                )
                return None

        return call

    return wrap
