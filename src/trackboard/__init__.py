"""trackboard: a self-hosted experiment tracker with a wandb-compatible API.

``import trackboard as wandb`` and a wandb script runs unchanged::

    run = wandb.init(project="mnist", config={"lr": 0.01})
    for epoch in range(10):
        wandb.log({"train_loss": loss}, step=epoch)
    wandb.finish()

As in wandb, ``trackboard.run``, ``config``, ``summary``, ``log``, ``define_metric`` and
``mark_preempting`` refer to the current run after ``init()`` and raise :class:`Error` (``run``:
is None) before it and after ``finish()``. Importing this package loads neither numpy nor the
store; ``Api``, ``sweep`` and ``agent`` are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trackboard import errors
from trackboard.errors import Error
from trackboard.launch import current_run, init, set_globals_hook
from trackboard.sdk.artifacts import Artifact
from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.sdk.run import Run
from trackboard.sdk.user_settings import UserSettings as Settings

if TYPE_CHECKING:
    from trackboard import media as data_types
    from trackboard import plot, plots, sklearn
    from trackboard.api import Api
    from trackboard.media import Audio, Histogram, Html, Image, Table, Video
    from trackboard.plot import plot_table, visualize
    from trackboard.sweep_agent import agent, sweep

__version__ = "0.1.0"

__all__ = [
    "Api",
    "Artifact",
    "Audio",
    "Error",
    "Histogram",
    "Html",
    "Image",
    "Run",
    "Settings",
    "Table",
    "Video",
    "agent",
    "alert",
    "config",
    "data_types",
    "define_metric",
    "errors",
    "finish",
    "init",
    "log",
    "log_artifact",
    "log_code",
    "log_model",
    "login",
    "mark_preempting",
    "plot",
    "plot_table",
    "plots",
    "run",
    "save",
    "sklearn",
    "summary",
    "sweep",
    "unwatch",
    "use_artifact",
    "use_model",
    "visualize",
    "watch",
]


def _before_init(what: str) -> Error:
    return Error(f"You must call trackboard.init() before trackboard.{what}")


class _PreInitObject:
    """``trackboard.config`` / ``trackboard.summary`` before ``init()``: every use raises."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        raise _before_init(f"{self._name}.{key}")

    def __getitem__(self, key: str) -> Any:
        raise _before_init(f"{self._name}[{key!r}]")

    def __setattr__(self, key: str, value: Any) -> None:
        raise _before_init(f"{self._name}.{key}")

    def __setitem__(self, key: str, value: Any) -> None:
        raise _before_init(f"{self._name}[{key!r}]")

    def __repr__(self) -> str:
        return f"<trackboard.{self._name} before init()>"


def _preinit_log(data: Any = None, step: Any = None, commit: Any = None, sync: Any = None) -> None:
    raise _before_init("log()")


def _preinit_define_metric(name: str, *args: Any, **kwargs: Any) -> Any:
    raise _before_init("define_metric()")


def _preinit_mark_preempting() -> None:
    raise _before_init("mark_preempting()")


run: Any = None
config: Any = _PreInitObject("config")
summary: Any = _PreInitObject("summary")
log: Any = _preinit_log
define_metric: Any = _preinit_define_metric
mark_preempting: Any = _preinit_mark_preempting


def _bind_globals(current: Any) -> None:
    """Point the module globals at ``current`` (or back at the pre-init objects)."""
    names = globals()
    if current is None:
        names.update(
            run=None,
            config=_PreInitObject("config"),
            summary=_PreInitObject("summary"),
            log=_preinit_log,
            define_metric=_preinit_define_metric,
            mark_preempting=_preinit_mark_preempting,
        )
    else:
        names.update(
            run=current,
            config=current.config,
            summary=current.summary,
            log=current.log,
            define_metric=current.define_metric,
            mark_preempting=current.mark_preempting,
        )


set_globals_hook(_bind_globals)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run (if any); see :meth:`Run.finish`."""
    current = current_run()
    if current is not None:
        current.finish(exit_code=exit_code, quiet=quiet)


def save(glob_str: str | None = None, base_path: str | None = None, policy: str = "live") -> Any:
    """Copy files into the current run's ``files/`` folder; the paths of the copies."""
    current = current_run()
    if current is None:
        raise _before_init("save()")
    return current.save(glob_str, base_path, policy)


def login(
    anonymous: Any = None,
    key: str | None = None,
    relogin: Any = None,
    host: str | None = None,
    force: Any = None,
    timeout: float | None = None,
    verify: bool = False,
    **kwargs: Any,
) -> bool:
    """Remember a team server's URL and API key for online runs, as ``trackboard login`` does.

    With no ``host`` given and none configured there is nothing to log in to (runs stay in the
    local root): True, as before. A server that cannot be reached is a warning and False, so a
    training script that starts with ``login()`` still trains (its runs can be synced later).
    """
    from trackboard import settings as settings_module

    base_url = host or settings_module.resolve().base_url
    if base_url is None or (host is None and key is None):
        return True
    from trackboard.errors import TransportError
    from trackboard.sync.login import login as save_login

    try:
        save_login(base_url, key, timeout=timeout or 30.0)
    except TransportError as exc:
        DEFAULT_PRINTER.warn_once(f"login: cannot reach {base_url}: {exc}")
        return False
    return True


def alert(title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
    """Print an alert (there is no notification service)."""
    current = current_run()
    if current is not None:
        current.alert(title, text, level, wait_duration)
    else:
        label = getattr(level, "value", level) or "INFO"
        DEFAULT_PRINTER.write(f"trackboard: ALERT [{label}] {title}: {text}")


def log_code(*args: Any, **kwargs: Any) -> None:
    """Not supported yet: warns once and records nothing."""
    DEFAULT_PRINTER.warn_once("log_code() is not supported yet; no code was saved")


def watch(
    models: Any,
    criterion: Any = None,
    log: str | None = "gradients",
    log_freq: int = 1000,
    idx: int | None = None,
    log_graph: bool = False,
) -> None:
    """Histograms of PyTorch models' parameters and gradients; see :meth:`Run.watch`."""
    _current("watch").watch(models, criterion, log, log_freq, idx, log_graph)


def unwatch(models: Any = None) -> None:
    """Remove the hooks of :func:`watch` from ``models``, or from all; see :meth:`Run.unwatch`."""
    _current("unwatch").unwatch(models)


_MEDIA = frozenset({"Audio", "Histogram", "Html", "Image", "Table", "Video"})
_PLOTS = frozenset({"plot", "plots", "sklearn"})


def __getattr__(name: str) -> Any:
    if name == "Api":
        from trackboard.api import Api

        return Api
    if name in ("sweep", "agent"):
        from trackboard import sweep_agent

        return getattr(sweep_agent, name)
    if name in _MEDIA:
        from trackboard import media

        return getattr(media, name)
    if name == "data_types":
        from trackboard import media

        return media
    if name in _PLOTS:
        import importlib

        return importlib.import_module(f"trackboard.{name}")
    if name in ("plot_table", "visualize"):
        from trackboard import plot

        return getattr(plot, name)
    raise AttributeError(f"module 'trackboard' has no attribute {name!r}")


def _current(what: str) -> Run:
    current = current_run()
    if current is None:
        raise _before_init(f"{what}()")
    return current  # type: ignore[return-value]  # a disabled run answers with no-ops


def log_artifact(
    artifact_or_path: Any,
    name: str | None = None,
    type: str | None = None,
    aliases: Any = None,
    tags: Any = None,
) -> Artifact:
    """Store a new version of an artifact with the current run; see :meth:`Run.log_artifact`."""
    return _current("log_artifact").log_artifact(artifact_or_path, name, type, aliases, tags)


def use_artifact(
    artifact_or_name: Any, type: str | None = None, aliases: Any = None, use_as: Any = None
) -> Artifact:
    """A logged artifact version; see :meth:`Run.use_artifact`."""
    return _current("use_artifact").use_artifact(artifact_or_name, type, aliases, use_as)


def log_model(path: Any, name: str | None = None, aliases: Any = None) -> Artifact:
    """Store a model file or folder as a ``model`` artifact of the current run."""
    return _current("log_model").log_model(path, name, aliases)


def use_model(name: str) -> str:
    """Download a ``model`` artifact; the path of its files."""
    return _current("use_model").use_model(name)
