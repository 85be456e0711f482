"""``init()``: wiring a :class:`~trackboard.sdk.run.Run` to its run log, and the process's runs.

This composition module resolves the settings (on every call), picks the run folder
``<root>/<entity>/<project>/<run_id>/`` (run log ``run.log``, files ``files/``), applies wandb's
``resume``, ``reinit`` and ``mode`` rules (``research/wandb-api.md`` 1.3-1.5), builds the config,
creates the :class:`~trackboard.runlog.RunLogWriter` and the run, and keeps the module globals of
the ``trackboard`` facade (``run``, ``config``, ``summary``, ``log``...) pointing at the current
run through a hook the facade registers. An ``atexit`` hook finishes every run still open, with
exit code 1 when the script died of an exception (or called ``sys.exit`` with a failure code).

``resume="auto"`` remembers the run in ``<root>/resume-auto.json`` until it finishes with exit
code 0, so a crashed script that is started again continues the same run.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackboard import settings as settings_module
from trackboard.errors import UsageError
from trackboard.runlog import RunLogWriter
from trackboard.sdk.config import Config, load_yaml, parse_config
from trackboard.sdk.console_capture import ConsoleCapture
from trackboard.sdk.disabled import DisabledRun
from trackboard.sdk.exit_hooks import ExitHooks
from trackboard.sdk.identity import RunSpec
from trackboard.sdk.names import check_folder_name, check_run_id, new_run_id, new_run_name
from trackboard.sdk.printer import DEFAULT_PRINTER
from trackboard.sdk.resume import FILES_DIR_NAME, RUN_LOG_NAME, StoredRun, read_stored_run
from trackboard.sdk.run import Run
from trackboard.sdk.system_monitor import SystemMonitor
from trackboard.sdk.user_settings import overrides_from
from trackboard.settings import DEFAULT_PROJECT, RESUME_MODES, Settings

if TYPE_CHECKING:
    from trackboard.sync.uploader import Uploader

AnyRun = Run | DisabledRun
RESUME_FILE_NAME = "resume-auto.json"
CONFIG_DEFAULTS_FILE = "config-defaults.yaml"
REINIT_MODES = ("default", "return_previous", "finish_previous", "create_new")
UNSUPPORTED = (
    "save_code",
    "tensorboard",
    "sync_tensorboard",
    "monitor_gym",
    "force",
    "anonymous",
    "resume_from",
    "fork_from",
    "magic",
)

_active: list[AnyRun] = []
_uploaders: dict[int, Uploader] = {}
"""Online runs' uploaders, by ``id(run)``."""
_current: AnyRun | None = None
_globals_hook: Callable[[AnyRun | None], None] | None = None


def set_globals_hook(hook: Callable[[AnyRun | None], None] | None) -> None:
    """Called with the new current run (or None) whenever it changes; the facade's binder."""
    global _globals_hook
    _globals_hook = hook


def current_run() -> AnyRun | None:
    """The run ``trackboard.run`` refers to."""
    return _current


def active_runs() -> list[AnyRun]:
    """Every run of this process not finished yet, oldest first."""
    return list(_active)


def init(
    project: str | None = None,
    entity: str | None = None,
    config: Any = None,
    name: str | None = None,
    notes: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    tags: Sequence[str] | None = None,
    dir: str | os.PathLike[str] | None = None,
    id: str | None = None,
    resume: bool | str | None = None,
    mode: str | None = None,
    reinit: bool | str | None = None,
    settings: Any = None,
    allow_val_change: bool | None = None,
    config_exclude_keys: Sequence[str] | None = None,
    config_include_keys: Sequence[str] | None = None,
    save_code: bool | None = None,
    tensorboard: bool | None = None,
    sync_tensorboard: bool | None = None,
    monitor_gym: bool | None = None,
    force: bool | None = None,
    anonymous: str | None = None,
    resume_from: str | None = None,
    fork_from: str | None = None,
    magic: Any = None,
    **kwargs: Any,
) -> AnyRun:
    """Start a run (or return the current one), as ``wandb.init``; see the module docstring."""
    printer = DEFAULT_PRINTER
    given = dict(
        save_code=save_code,
        tensorboard=tensorboard,
        sync_tensorboard=sync_tensorboard,
        monitor_gym=monitor_gym,
        force=force,
        anonymous=anonymous,
        resume_from=resume_from,
        fork_from=fork_from,
        magic=magic,
        **kwargs,
    )
    for key, value in given.items():
        if value is not None and value is not False:
            printer.warn_once(f"init({key}=...) is not supported yet and is ignored")
    overrides = overrides_from(settings)
    policy = _reinit_policy(reinit if reinit is not None else overrides.pop("reinit", None))
    overrides.pop("reinit", None)
    if policy == "return_previous" and _active:
        return _active[-1]
    if policy == "finish_previous":
        for previous in reversed(list(_active)):
            previous.finish()
    common: dict[str, Any] = {
        "dir": dir,
        "mode": mode,
        "name": name,
        "notes": notes,
        "group": group,
        "job_type": job_type,
        "tags": None if tags is None else _tags(tags),
        "resume": None,
        "overrides": overrides,
    }
    resolved = settings_module.resolve(entity=entity, project=project, run_id=id, **common)
    if resolved.sweep_id is not None:
        # In a sweep the agent's project, entity and run id win, as in wandb.
        given = {"project": project, "entity": entity, "id": id}
        for what, value in given.items():
            if value is not None:
                printer.warn(f"Ignoring {what} {value!r} when running a sweep.")
        if any(v is not None for v in given.values()):
            resolved = settings_module.resolve(**common)
    resume_mode = _resume_mode(resume if resume is not None else resolved.resume)
    notebook = _in_notebook()
    cfg = Config(
        allow_val_change=notebook if allow_val_change is None else bool(allow_val_change),
        warn=printer.warn,
    )
    if resolved.mode == "disabled":
        run: AnyRun = DisabledRun(config=cfg, on_finish=_on_finish, settings=resolved)
        cfg.update(_config_defaults(), True)
        cfg.update(parse_config(config, config_include_keys, config_exclude_keys), True)
        _register(run, policy)
        return run
    if resolved.mode == "online" and not resolved.base_url:
        printer.warn_once(
            "online mode needs a trackboard server: set TRACKBOARD_BASE_URL or run "
            "'trackboard login URL'; this run is recorded locally (offline)"
        )
    _install_exit_hooks()
    return _start(
        resolved,
        resume_mode,
        cfg,
        parse_config(config, config_include_keys, config_exclude_keys),
        tags_given=tags is not None or bool(resolved.tags),
        policy=policy,
    )


def _start(
    resolved: Settings,
    resume_mode: str | None,
    cfg: Config,
    init_config: dict[str, Any],
    *,
    tags_given: bool,
    policy: str,
) -> Run:
    printer = DEFAULT_PRINTER
    entity = check_folder_name("entity", resolved.entity)
    project = check_folder_name("project", resolved.project or DEFAULT_PROJECT)
    root = resolved.root
    project_dir = root / entity / project
    run_id = resolved.run_id
    if run_id is None and resume_mode == "auto":
        run_id = _read_resume_file(root, entity, project)
    if run_id is None:
        if resume_mode == "must":
            raise UsageError("resume='must' needs the id of the run to resume: init(id=...)")
        run_id = new_run_id()
        while (project_dir / run_id).exists():
            run_id = new_run_id()
    run_id = check_run_id(run_id)
    run_dir = project_dir / run_id
    log_path = run_dir / RUN_LOG_NAME
    exists = log_path.exists()
    if exists and resume_mode == "never":
        raise UsageError(
            f"run {run_id} already exists in {project_dir} and resume='never'; "
            "choose another id or allow resuming"
        )
    if not exists and resume_mode == "must":
        raise UsageError(
            f"resume='must' but run {run_id} does not exist in {project_dir}; "
            "resume='must' only continues a run that has been started"
        )
    stored = read_stored_run(log_path) if exists else None
    resuming = stored is not None and resume_mode is not None
    if stored is not None and (stored.corrupt_frames or stored.torn_tail_bytes):
        printer.warn(
            f"run log {log_path} has {stored.corrupt_frames} corrupt frame(s) and "
            f"{stored.torn_tail_bytes} bytes of an unfinished write; the good records are kept"
        )
    name = resolved.name or (stored.name if stored else None) or new_run_name(project_dir)
    kept = stored or StoredRun()
    cfg.update(_config_defaults(), True)
    cfg.update(init_config, True)
    if resuming:
        cfg.update(kept.config, True)
    if resolved.sweep_param_path:
        cfg._merge_locked(load_yaml(resolved.sweep_param_path), "sweep")
    spec = RunSpec(
        run_id=run_id,
        entity=entity,
        project=project,
        name=name,
        run_dir=run_dir,
        notes=resolved.notes if resolved.notes is not None else kept.notes,
        group=resolved.group if resolved.group is not None else kept.group,
        job_type=resolved.job_type if resolved.job_type is not None else kept.job_type,
        tags=resolved.tags if tags_given else kept.tags,
        sweep_id=resolved.sweep_id if resolved.sweep_id is not None else kept.sweep_id,
        resumed=resuming,
        starting_step=kept.next_step if resuming else 0,
        runtime_offset=kept.runtime if resuming else 0.0,
        summary=kept.summary if resuming else {},
        aggregates=kept.aggregates if resuming else {},
    )
    (run_dir / FILES_DIR_NAME).mkdir(parents=True, exist_ok=True)
    holder: list[Run] = []
    writer = RunLogWriter(
        log_path,
        flush_interval=resolved.flush_interval,
        fsync_interval=resolved.fsync_interval,
        backlog_bytes=resolved.backlog_bytes,
        on_tick=lambda: holder[0]._on_tick() if holder else None,
        warn=printer.warn,
    )
    try:
        run = Run(writer=writer, settings=resolved, spec=spec, config=cfg, on_finish=_on_finish)
    except BaseException:
        writer.close()
        raise
    holder.append(run)
    if resume_mode == "auto":
        _write_resume_file(root, run)
    _register(run, policy)
    if not resolved.silent:
        action = f"resuming at step {spec.starting_step}, logging to" if resuming else "logging to"
        printer.info(f"run {name} ({run_id}) {action} {run_dir}")
        printer.info(f"list runs with: {_view_command(root, project)}")
    _watch_process(run, resolved)
    if resolved.mode == "online" and resolved.base_url:
        _start_upload(run, resolved, run_dir)
    return run


def _start_upload(run: Run, resolved: Settings, run_dir: Path) -> None:
    """Online mode: an uploader thread beside the writer; ``_on_finish`` waits for it.

    Loaded here, not at the top: an offline run never imports the HTTP client."""
    from trackboard.errors import InvalidInputError
    from trackboard.sync.http import ServerClient
    from trackboard.sync.uploader import Uploader, upload_entity

    assert resolved.base_url is not None
    try:
        client = ServerClient(resolved.base_url, resolved.api_key)
    except InvalidInputError as exc:
        DEFAULT_PRINTER.warn(f"{exc}; run {run.id} is recorded locally only")
        return
    entity = upload_entity(run.entity, resolved.user_entity)
    uploader = Uploader(run_dir, client, entity, run.project, run.id, warn=DEFAULT_PRINTER.warn)
    uploader.start()
    _uploaders[id(run)] = uploader
    if not resolved.silent:
        DEFAULT_PRINTER.info(f"uploading to {client.base_url} as {entity}/{run.project}/{run.id}")


def _finish_upload(run: Run, uploader: Uploader) -> None:
    """Wait ``upload_timeout`` for the upload, then say what is left and how to send it."""
    timeout = run.settings.upload_timeout
    done = uploader.drain(timeout)
    uploader.close()
    left = uploader.pending()
    if done or left.empty:
        return
    why = uploader.error or f"not confirmed within {timeout:g} s"
    DEFAULT_PRINTER.warn(
        f"run {run.id}: {left.records} records and {left.files} files are not uploaded "
        f"({why}); they are kept in {uploader.run_folder}, send them with: "
        f"trackboard sync {uploader.run_folder}"
    )


def _watch_process(run: Run, resolved: Settings) -> None:
    """System metrics and console capture, for local and online runs alike (DECISIONS); a
    platform where either cannot start still gets its run, with a warning."""
    try:
        if not resolved.disable_stats:
            monitor = SystemMonitor(run._emit_system, resolved.stats_sampling_interval)
            monitor.start()
            run._add_before_exit(monitor.stop)
        if resolved.console != "off":
            capture = ConsoleCapture(run._emit_console)
            capture.start()
            run._add_before_exit(capture.stop)
    except Exception as exc:
        DEFAULT_PRINTER.warn(f"run {run.id}: system metrics or console capture are off: {exc!r}")


def _tags(tags: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(tags, str):
        return (tags,)
    return tuple(str(t) for t in tags)


def _view_command(root: Path, project: str) -> str:
    if root.name == "trackboard":
        return f"trackboard runs {project} --dir {root.parent}"
    return f"TRACKBOARD_DIR={root} trackboard runs {project}"


def _config_defaults() -> dict[str, Any]:
    path = Path.cwd() / CONFIG_DEFAULTS_FILE
    return load_yaml(path) if path.is_file() else {}


def _reinit_policy(reinit: Any) -> str:
    if reinit is None or reinit == "default":
        return "finish_previous" if _in_notebook() else "return_previous"
    if reinit is True:
        return "finish_previous"
    if reinit is False:
        return "return_previous"
    if reinit not in REINIT_MODES:
        raise UsageError(
            f"reinit must be one of {', '.join(REINIT_MODES)} or a bool, got {reinit!r}"
        )
    return str(reinit)


def _resume_mode(resume: Any) -> str | None:
    if resume is None or resume is False:
        return None
    if resume is True:
        return "auto"
    if isinstance(resume, str) and resume.lower() in RESUME_MODES:
        return resume.lower()
    if isinstance(resume, str) and resume.lower() in ("true", "false"):
        return "auto" if resume.lower() == "true" else None
    raise UsageError(
        f"resume must be one of {', '.join(RESUME_MODES)}, True or False; got {resume!r}"
    )


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter (IPython) kernel."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    if get is None:
        return False
    try:
        shell = get()
    except Exception:
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


# -------------------------------------------------------------------------- the current run
def _register(run: AnyRun, policy: str) -> None:
    global _current
    _active.append(run)
    if policy != "create_new":
        _current = run
        if _globals_hook is not None:
            _globals_hook(run)


def _on_finish(run: AnyRun, exit_code: int) -> None:
    global _current
    if run in _active:
        _active.remove(run)
    if _current is run:
        _current = None
        if _globals_hook is not None:
            _globals_hook(None)
    if exit_code == 0 and isinstance(run, Run):
        _remove_resume_file(run.settings.root, run.id)
    uploader = _uploaders.pop(id(run), None)
    if uploader is not None and isinstance(run, Run):
        _finish_upload(run, uploader)


def _read_resume_file(root: Path, entity: str, project: str) -> str | None:
    try:
        data = json.loads((root / RESUME_FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or (data.get("entity"), data.get("project")) != (entity, project):
        return None
    run_id = data.get("run_id")
    return run_id if isinstance(run_id, str) and run_id else None


def _write_resume_file(root: Path, run: Run) -> None:
    data = {"run_id": run.id, "entity": run.entity, "project": run.project}
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / RESUME_FILE_NAME).write_text(json.dumps(data), encoding="utf-8")
    except OSError as exc:
        DEFAULT_PRINTER.warn(f"cannot write {root / RESUME_FILE_NAME}: {exc}")


def _remove_resume_file(root: Path, run_id: str) -> None:
    path = root / RESUME_FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("run_id") == run_id:
        with contextlib.suppress(OSError):
            path.unlink()


# ------------------------------------------------------------------------ process exit
_exit_hooks = ExitHooks()


def _install_exit_hooks() -> None:
    _exit_hooks.install(finish_all_at_exit)


def finish_all_at_exit() -> None:
    """Finish every run still open (the atexit hook)."""
    code = _exit_hooks.code()
    for run in reversed(list(_active)):
        try:
            run.finish(exit_code=code)
        except Exception as exc:
            DEFAULT_PRINTER.warn(f"could not finish run {run.id} at exit: {exc!r}")
