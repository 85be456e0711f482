"""The run ``init(mode="disabled")`` returns: every method a silent no-op, nothing written.

As wandb's: the id is random, the name is ``dummy-<id>``, ``config`` and ``summary`` behave like
dicts (with the config's rules, so code that relies on them keeps working), and any other
attribute a script may call is a no-op function.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from trackboard.sdk.config import Config
from trackboard.sdk.metrics import Metric, declare
from trackboard.sdk.names import new_run_id
from trackboard.sdk.summary import Summary, SummaryState


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


def _ignore_summary(values: dict[str, Any], removed: tuple[str, ...]) -> None:
    return None


def _ignore_media(key: str, value: Any) -> None:
    """Media assigned to a disabled run's summary: nothing is written."""
    return None


class DisabledRun:
    """A run that records nothing."""

    def __init__(
        self,
        *,
        config: Config | None = None,
        on_finish: Callable[[DisabledRun, int], None] | None = None,
        settings: Any = None,
    ) -> None:
        self.id = new_run_id()
        self.name = f"dummy-{self.id}"
        self.entity = ""
        self.project = ""
        self.path = f"//{self.id}"
        self.dir = ""
        self.url: str | None = None
        self.notes: str | None = None
        self.group: str | None = None
        self.job_type: str | None = None
        self.tags: tuple[str, ...] = ()
        self.sweep_id: str | None = None
        self.resumed = False
        self.offline = False
        self.disabled = True
        self.settings = settings
        self.start_time = time.time()
        self.step = 0
        self.config = config if config is not None else Config(allow_val_change=True)
        self.summary = Summary(SummaryState(), _ignore_summary, threading.Lock(), _ignore_media)
        self._on_finish = on_finish
        self._finished = False

    def log(
        self,
        data: Mapping[str, Any],
        step: int | None = None,
        commit: bool | None = None,
        sync: bool | None = None,
    ) -> None:
        return None

    def define_metric(self, name: str, *args: Any, **kwargs: Any) -> Metric:
        try:
            return declare(name, warn=_noop)
        except Exception:
            return Metric(name=str(name))

    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        if self._finished:
            return
        self._finished = True
        if self._on_finish is not None:
            self._on_finish(self, 0 if exit_code is None else int(exit_code))

    def _finish(self, exit_code: int, state: str | None = None) -> None:
        self.finish(exit_code)

    def save(self, *args: Any, **kwargs: Any) -> list[str]:
        return []

    def get_url(self) -> str | None:
        return None

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish(exit_code=0 if exc_type is None else 1)

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name.startswith("_"):
            raise AttributeError(name)
        return _noop

    def __repr__(self) -> str:
        return f"<DisabledRun {self.name}>"
