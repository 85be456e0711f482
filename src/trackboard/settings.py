"""One Settings value, resolved from arguments > TRACKBOARD_* > WANDB_* > defaults.

Nothing else in the package reads the environment. Settings are resolved on every ``init()``
(a function-mode sweep agent changes the run id between jobs in one process), and by ``Api()``,
the CLI and the server, so all of them find the same root by the same rule:

* ``TRACKBOARD_DIR`` is the root itself;
* ``init(dir=D)`` or ``WANDB_DIR=D`` means ``D/trackboard``;
* otherwise ``./trackboard`` in the working directory.

Runs live under ``<root>/<entity>/<project>/<run_id>/``; an entity left out is
:data:`DEFAULT_ENTITY`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_ENTITY = "local"
DEFAULT_PROJECT = "uncategorized"
MODES = ("online", "offline", "disabled")
_MODE_ALIASES = {"dryrun": "offline", "run": "online", "shared": "online"}
RESUME_MODES = ("allow", "must", "never", "auto")


def _env(environ: Mapping[str, str], name: str) -> str | None:
    """TRACKBOARD_<name>, else WANDB_<name>; empty strings count as unset."""
    for prefix in ("TRACKBOARD_", "WANDB_"):
        value = environ.get(prefix + name)
        if value:
            return value
    return None


def _truthy(value: str | bool | None) -> bool:
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() in ("1", "true", "yes", "on")


def normalize_mode(mode: str | None) -> str | None:
    if mode is None:
        return None
    mode = _MODE_ALIASES.get(mode, mode)
    if mode not in MODES:
        from trackboard.errors import UsageError

        raise UsageError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def resolve_root(
    dir: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The root of the run folders, by the rule in this module's docstring."""
    env = os.environ if environ is None else environ
    if dir is not None:
        return Path(dir).expanduser().absolute() / "trackboard"
    if env.get("TRACKBOARD_DIR"):
        return Path(env["TRACKBOARD_DIR"]).expanduser().absolute()
    if env.get("WANDB_DIR"):
        return Path(env["WANDB_DIR"]).expanduser().absolute() / "trackboard"
    return Path.cwd() / "trackboard"


def split_project_path(path: str | None, default_entity: str = DEFAULT_ENTITY) -> tuple[str, str]:
    """``"project"`` or ``"entity/project"`` to ``(entity, project)``."""
    from trackboard.errors import InvalidInputError

    if not path:
        raise InvalidInputError("a project path is required: 'project' or 'entity/project'")
    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) == 1:
        return default_entity, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise InvalidInputError(f"project path {path!r} must be 'project' or 'entity/project'")


@dataclass(frozen=True)
class Settings:
    """Everything a run, the API or the server needs to know about where and how."""

    root: Path
    entity: str = DEFAULT_ENTITY
    project: str | None = None
    mode: str = "offline"
    run_id: str | None = None
    name: str | None = None
    notes: str | None = None
    group: str | None = None
    job_type: str | None = None
    tags: tuple[str, ...] = ()
    resume: str | None = None
    sweep_id: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    silent: bool = False
    heartbeat_interval: float = 30.0
    flush_interval: float = 1.0
    fsync_interval: float = 10.0
    backlog_bytes: int = 256 * 1024 * 1024
    extra: dict[str, Any] = field(default_factory=dict)
    sweep_param_path: str | None = None
    """A YAML file of sweep parameters that ``init`` merges into the config, locked."""

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def resolve(
    *,
    dir: str | os.PathLike[str] | None = None,
    entity: str | None = None,
    project: str | None = None,
    mode: str | None = None,
    run_id: str | None = None,
    name: str | None = None,
    notes: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    tags: tuple[str, ...] | None = None,
    resume: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: explicit arguments, then ``overrides``, then the environment."""
    env = os.environ if environ is None else environ
    over = dict(overrides or {})

    def pick(arg: Any, key: str, env_name: str) -> Any:
        if arg is not None:
            return arg
        if over.get(key) is not None:
            return over[key]
        return _env(env, env_name)

    base_url = pick(None, "base_url", "BASE_URL")
    resolved_mode = normalize_mode(pick(mode, "mode", "MODE"))
    if resolved_mode is None:
        # Online only when a trackboard server is configured (DECISIONS 9). A WANDB_BASE_URL
        # alone points at wandb's service, never at ours.
        resolved_mode = "online" if env.get("TRACKBOARD_BASE_URL") else "offline"
    env_tags = _env(env, "TAGS")
    resolved_tags = (
        tags
        if tags is not None
        else tuple(t.strip() for t in env_tags.split(",") if t.strip())
        if env_tags
        else ()
    )
    resolved_resume = pick(resume, "resume", "RESUME")
    return Settings(
        root=resolve_root(dir if dir is not None else over.get("dir"), env),
        entity=pick(entity, "entity", "ENTITY") or DEFAULT_ENTITY,
        project=pick(project, "project", "PROJECT"),
        mode=resolved_mode,
        run_id=pick(run_id, "run_id", "RUN_ID"),
        name=pick(name, "name", "NAME"),
        notes=pick(notes, "notes", "NOTES"),
        group=pick(group, "group", "RUN_GROUP"),
        job_type=pick(job_type, "job_type", "JOB_TYPE"),
        tags=resolved_tags,
        resume=resolved_resume,
        sweep_id=pick(None, "sweep_id", "SWEEP_ID"),
        base_url=base_url,
        api_key=pick(None, "api_key", "API_KEY"),
        silent=_truthy(pick(None, "silent", "SILENT")),
        extra={k: v for k, v in over.items() if k not in _KNOWN},
        sweep_param_path=pick(None, "sweep_param_path", "SWEEP_PARAM_PATH"),
        **_intervals(over),
    )


def _intervals(over: Mapping[str, Any]) -> dict[str, Any]:
    """The writer's timings when ``overrides`` set them (validated: positive numbers)."""
    out: dict[str, Any] = {}
    for key, kind in (
        ("heartbeat_interval", float),
        ("flush_interval", float),
        ("fsync_interval", float),
        ("backlog_bytes", int),
    ):
        value = over.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            from trackboard.errors import InvalidInputError

            raise InvalidInputError(f"setting {key} must be a positive number, got {value!r}")
        out[key] = kind(value)
    return out


_KNOWN = frozenset(
    [
        "dir",
        "entity",
        "project",
        "mode",
        "run_id",
        "name",
        "notes",
        "group",
        "job_type",
        "tags",
        "resume",
        "sweep_id",
        "base_url",
        "api_key",
        "silent",
        "sweep_param_path",
        "heartbeat_interval",
        "flush_interval",
        "fsync_interval",
        "backlog_bytes",
    ]
)
