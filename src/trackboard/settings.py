"""One Settings value, resolved from arguments > TRACKBOARD_* > WANDB_* > defaults.

Nothing else in the package reads the environment. Settings are resolved on every ``init()``
(a function-mode sweep agent changes the run id between jobs in one process), and by ``Api()``,
the CLI and the server, so all of them find the same root by the same rule:

* ``TRACKBOARD_DIR`` is the root itself;
* ``init(dir=D)`` or ``WANDB_DIR=D`` means ``D/trackboard``;
* otherwise ``./trackboard`` in the working directory.

Runs live under ``<root>/<entity>/<project>/<run_id>/``; an entity left out is
:data:`DEFAULT_ENTITY`.

Online mode (DECISIONS 9) needs a trackboard server's URL, found by the first of: the
``base_url`` setting; ``TRACKBOARD_BASE_URL``; ``WANDB_BASE_URL`` unless it names wandb's own
service (``*.wandb.ai``, which trackboard cannot talk to); the credentials file that
``trackboard login`` writes (``$TRACKBOARD_CONFIG_DIR/credentials.json``). The key is the
``api_key`` setting, ``TRACKBOARD_API_KEY``, ``WANDB_API_KEY`` only with a URL from
``WANDB_BASE_URL`` (a wandb key is never sent elsewhere), else the credentials file's key for
that host. With a URL the mode is ``online`` unless ``mode`` says otherwise.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_ENTITY = "local"
DEFAULT_PROJECT = "uncategorized"
MODES = ("online", "offline", "disabled")
_MODE_ALIASES = {"dryrun": "offline", "run": "online", "shared": "online"}
RESUME_MODES = ("allow", "must", "never", "auto")
CREDENTIALS_FILE = "credentials.json"
UPLOAD_TIMEOUT = 60.0
"""Seconds ``finish()`` waits for the uploader by default (``upload_timeout``)."""


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
    user_entity: str | None = None
    """The server user's entity from the credentials file: runs of the default entity are
    uploaded under it."""
    upload_timeout: float = UPLOAD_TIMEOUT
    """Seconds ``finish()`` waits for the upload in online mode; the rest goes by ``sync``."""
    stats_sampling_interval: float = 15.0
    """Seconds between system metric samples (wandb's ``x_stats_sampling_interval``)."""
    disable_stats: bool = False
    """No system metrics at all (wandb's ``x_disable_stats`` / ``_disable_stats``)."""
    console: str = "auto"
    """Console capture: ``auto``, ``wrap`` or ``redirect`` tee stdout/stderr (Python-level
    writes; ``redirect`` works as ``wrap``), ``off`` captures nothing."""

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

    server = _server(over, env)
    resolved_mode = normalize_mode(pick(mode, "mode", "MODE"))
    if resolved_mode is None:
        # Online only when a trackboard server is configured (DECISIONS 9).
        resolved_mode = "online" if server["base_url"] else "offline"
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
        **server,
        silent=_truthy(pick(None, "silent", "SILENT")),
        extra={k: v for k, v in over.items() if k not in _KNOWN},
        sweep_param_path=pick(None, "sweep_param_path", "SWEEP_PARAM_PATH"),
        **_intervals(over),
        **_system(over, env),
    )


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``TRACKBOARD_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/trackboard``, else
    ``~/.config/trackboard``: where ``trackboard login`` keeps the credentials."""
    env = os.environ if environ is None else environ
    if env.get("TRACKBOARD_CONFIG_DIR"):
        return Path(env["TRACKBOARD_CONFIG_DIR"]).expanduser().absolute()
    base = env.get("XDG_CONFIG_HOME") or os.path.join("~", ".config")
    return Path(base).expanduser().absolute() / "trackboard"


def read_credentials(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The credentials file as ``trackboard login`` wrote it: ``{"base_url": ...,
    "keys": {host: key}, "entity": ...}``; ``{}`` when there is none or it cannot be read."""
    try:
        data = json.loads((config_dir(environ) / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def server_host(url: str) -> str:
    """``host:port`` of a server URL (the port made explicit): what a key is issued for."""
    parts = urllib.parse.urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return f"{(parts.hostname or '').lower()}:{port}"


def is_wandb_service(url: str) -> bool:
    """Whether ``url`` is wandb's hosted service, which only the wandb client can talk to."""
    host = (urllib.parse.urlsplit(url.strip()).hostname or "").lower()
    return host == "wandb.ai" or host.endswith(".wandb.ai")


def _server(over: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """``base_url``, ``api_key``, ``user_entity`` and ``upload_timeout`` by the rule in this
    module's docstring."""
    url = over.get("base_url") or env.get("TRACKBOARD_BASE_URL") or None
    key = over.get("api_key") or env.get("TRACKBOARD_API_KEY") or None
    wandb_url = env.get("WANDB_BASE_URL")
    if url is None and wandb_url and not is_wandb_service(wandb_url):
        url = wandb_url
        key = key or env.get("WANDB_API_KEY") or None
    creds = read_credentials(env)
    saved_url = creds.get("base_url") if isinstance(creds.get("base_url"), str) else None
    if url is None:
        url = saved_url
    entity = None
    if url is not None:
        keys = creds.get("keys") if isinstance(creds.get("keys"), dict) else {}
        saved_key = keys.get(server_host(url)) if keys else None
        key = key or (saved_key if isinstance(saved_key, str) else None)
        same_server = saved_url is not None and server_host(saved_url) == server_host(url)
        if same_server and isinstance(creds.get("entity"), str):
            entity = creds["entity"]
    timeout = over.get("upload_timeout")
    if timeout is None:
        timeout = env.get("TRACKBOARD_UPLOAD_TIMEOUT") or UPLOAD_TIMEOUT
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(timeout, bool) or not seconds >= 0:
        from trackboard.errors import InvalidInputError

        raise InvalidInputError(
            f"setting upload_timeout must be a number of seconds >= 0, got {timeout!r}"
        )
    return {"base_url": url, "api_key": key, "user_entity": entity, "upload_timeout": seconds}


CONSOLE_MODES = ("auto", "wrap", "redirect", "off")


def _system(over: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """System metrics and console capture: overrides (wandb's names mapped by
    ``sdk/user_settings.py``), then ``TRACKBOARD_``/``WANDB_`` variables of wandb's names."""
    from trackboard.errors import InvalidInputError

    interval = over.get("stats_sampling_interval")
    if interval is None:
        interval = _env(env, "X_STATS_SAMPLING_INTERVAL") or _env(env, "STATS_SAMPLING_INTERVAL")
    disable = over.get("disable_stats")
    if disable is None:
        disable = _env(env, "X_DISABLE_STATS") or _env(env, "_DISABLE_STATS")
    console = over.get("console") or _env(env, "CONSOLE") or "auto"
    out: dict[str, Any] = {"disable_stats": _truthy(disable), "console": str(console).lower()}
    if interval is not None:
        try:
            seconds = float(interval)
        except (TypeError, ValueError):
            seconds = -1.0
        if isinstance(interval, bool) or not seconds > 0:
            raise InvalidInputError(
                f"setting x_stats_sampling_interval must be a positive number of seconds, "
                f"got {interval!r}"
            )
        out["stats_sampling_interval"] = seconds
    if out["console"] not in CONSOLE_MODES:
        raise InvalidInputError(
            f"setting console must be one of {', '.join(CONSOLE_MODES)}, got {console!r}"
        )
    return out


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
        "upload_timeout",
        "silent",
        "sweep_param_path",
        "heartbeat_interval",
        "flush_interval",
        "fsync_interval",
        "backlog_bytes",
        "stats_sampling_interval",
        "disable_stats",
        "console",
    ]
)
