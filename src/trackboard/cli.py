"""The ``trackboard`` command line.

    trackboard demo                 train a few runs on scikit-learn's digits and read them back
    trackboard runs PROJECT         list a project's runs (filters as JSON, order as wandb's)
    trackboard ingest               apply new run-log records to the local store
    trackboard ui                   the dashboard over the local root, followed live
    trackboard server --db URL      the dashboard and HTTP API over any store (API keys needed)
    trackboard users|teams|keys     manage the server's users, teams and API keys
    trackboard sweep CONFIG.yaml    create a sweep; --pause/--resume/--stop/--cancel ID
    trackboard agent SWEEP_ID       run a sweep's jobs as subprocesses
    trackboard login URL            save a team server's URL and API key for online runs
    trackboard sync [PATHS...]      upload run folders to the team server

Every command finds the root as ``init`` does (``--dir``, ``TRACKBOARD_DIR``, ``WANDB_DIR``,
``./trackboard``).
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trackboard import __version__
from trackboard import settings as settings_module
from trackboard.api import Api, Run
from trackboard.errors import Error, UsageError
from trackboard.store.base import Store
from trackboard.sync.command import add_commands as add_online_commands

_SPARKS = "▁▂▃▄▅▆▇█"


MAX_REQUEST_HEAD_BYTES = 4 << 20
"""The longest request line and headers the server reads (run ids in chart URLs)."""


def _root(args: argparse.Namespace) -> Path:
    return settings_module.resolve(dir=args.dir).root


def sparkline(values: Sequence[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    lo, hi = min(finite), max(finite)
    span = (hi - lo) or 1.0
    return "".join(
        _SPARKS[int((v - lo) / span * (len(_SPARKS) - 1))] if math.isfinite(v) else "×"
        for v in values
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return ""
    return str(value)


def print_runs(runs: Sequence[Run], columns: Sequence[str], spark_key: str | None = None) -> None:
    """A plain text table of runs; ``columns`` are config. / summary. paths or run fields."""
    header = ["run", "state", *columns]
    table: list[list[str]] = []
    for run in runs:
        row = [f"{run.name} ({run.id})", run.state]
        for column in columns:
            source, _, key = column.partition(".")
            data = run.config if source == "config" else run.summary
            row.append(_fmt(data.get(key)))
        if spark_key:
            points = [r[spark_key] for r in run.scan_history(keys=[spark_key])]
            row.append(sparkline(points))
        table.append(row)
    if spark_key:
        header.append(spark_key)
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for line in [header, *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def _demo_sweep(args: argparse.Namespace, root: Path) -> None:
    """Run the seed's sweep of the CNN (``count=6``) and print its best run."""
    from trackboard.demo.digits import PROJECT, load_digits_split
    from trackboard.demo.sweep import SWEEP_COUNT, SWEPT_KEYS, run_sweep

    print(f"\nRunning a sweep of the CNN ({SWEEP_COUNT} runs)")
    sweep_id = run_sweep(load_digits_split(), epochs=args.epochs, dir=args.dir)
    runs = Api(root=root).sweep(f"{PROJECT}/{sweep_id}").runs  # a fresh catch-up
    best = max(runs, key=lambda r: r.summary.get("val_acc", -1.0))
    params = ", ".join(f"{key}={best.config[key]}" for key in SWEPT_KEYS)
    print(
        f"Sweep {sweep_id}: {len(runs)} runs; best run: {best.name} ({params}), "
        f"val_acc {best.summary['val_acc']:.2f}"
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from trackboard.demo.digits import PROJECT, run_demo

    root = _root(args)
    print(f"Training {PROJECT} runs on scikit-learn's digits, stored under {root}")
    ids = run_demo(dir=args.dir, epochs=args.epochs)
    api = Api(root=root)
    runs = api.runs(PROJECT, filters={"name": {"$in": ids}}, order="+config.lr")
    print(f"\nRead back from {root / 'trackboard.db'}:")
    print_runs(
        runs, ["config.model", "config.lr", "summary.val_acc", "summary.val_loss"], "train_loss"
    )
    best = max(runs, key=lambda r: r.summary.get("val_acc", -1.0))
    print(
        f"\nBest run: {best.name} (lr={best.config['lr']}), val_acc {best.summary['val_acc']:.2f}"
    )
    _demo_sweep(args, root)
    if args.no_ui:
        return 0
    print("\nOpening the dashboard (Ctrl-C to stop)")
    return cmd_ui(args)


def cmd_runs(args: argparse.Namespace) -> int:
    api = Api(root=_root(args))
    filters = json.loads(args.filter) if args.filter else None
    runs = api.runs(args.project, filters=filters, order=args.order)
    columns = [c for c in (args.columns or "").split(",") if c]
    print_runs(runs, columns)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    report = Api(root=_root(args)).caught_up
    assert report is not None  # a local root always has a follower
    print(
        f"{report.files} run logs, {report.records} new records"
        + (f", {report.corrupt_frames} corrupt frames skipped" if report.corrupt_frames else "")
        + (f", marked crashed: {', '.join(report.crashed)}" if report.crashed else "")
    )
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    store: Store,
    settings: settings_module.Settings,
    root: Path | None,
    host: str,
    port: int,
    *,
    open_browser: bool,
    allowed_hosts: Sequence[str] | None = None,
    auth: bool = False,
    **app_options: Any,
) -> int:
    """Serve the app on ``host:port`` (0: a free port) until SIGINT or SIGTERM.

    ``app_options`` go to ``create_app`` (``limits``, ``media_store``)."""
    import uvicorn

    from trackboard.server import create_app

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        sock.listen(128)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        url = f"http://{shown}:{bound}"
        app = create_app(
            store, settings, root=root, allowed_hosts=allowed_hosts, auth=auth, **app_options
        )
        config = uvicorn.Config(
            app,
            http="h11",
            ws="none",
            lifespan="on",
            log_level="warning",
            access_log=False,
            # A chart over 10,000 runs names them all in its URL (about 90 KB); h11's 16 KB
            # default answers such a request 400 whenever it arrives in more than one read.
            h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
        )
        server = uvicorn.Server(config)
        print(f"trackboard: dashboard at {url}", flush=True)
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        # uvicorn shuts down gracefully on SIGINT / SIGTERM, then raises the signal again:
        # let both end up here as KeyboardInterrupt, after the shutdown, and exit cleanly.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        sock.close()
        store.close()
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from trackboard.api import local_store

    settings = settings_module.resolve(dir=args.dir)
    store = local_store(settings.root)
    loopback = ("127.0.0.1", "localhost", "::1")
    return serve(
        store,
        settings,
        settings.root,
        args.host,
        args.port,
        open_browser=not args.no_browser,
        allowed_hosts=loopback if args.host in loopback else None,
    )


def cmd_server(args: argparse.Namespace) -> int:
    from trackboard.store import open_store

    store = open_store(args.db, durable=True)
    root = Path(args.root).expanduser().absolute() if args.root else None
    uploads = _upload_options(args)
    if args.no_auth and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"trackboard: warning: serving on {args.host} with --no-auth; "
            "anyone who can reach it can read and edit runs",
            file=sys.stderr,
        )
    elif not args.no_auth and not store.users():
        print(
            f"trackboard: no users yet: add one with 'trackboard users add NAME --db {args.db}' "
            f"and give it a key with 'trackboard keys create NAME --db {args.db}'",
            file=sys.stderr,
        )
    return serve(
        store,
        settings_module.resolve(),
        root,
        args.host,
        args.port,
        open_browser=False,
        auth=not args.no_auth,
        **uploads,
    )


def _upload_options(args: argparse.Namespace) -> dict[str, Any]:
    """``limits`` and ``media_store`` for the server's upload routes, from the flags."""
    from trackboard.server.limits import MIB, ServerLimits
    from trackboard.server.media_store import open_media_store

    for flag in ("max_request_mb", "max_file_mb"):
        if not getattr(args, flag) > 0:
            raise UsageError(f"--{flag.replace('_', '-')} must be > 0, got {getattr(args, flag)}")
    limits = ServerLimits(
        max_records_bytes=int(args.max_request_mb * MIB), max_file_bytes=int(args.max_file_mb * MIB)
    )
    media = open_media_store(args.media) if args.media else None
    return {"limits": limits, "media_store": media}


def _with_store(args: argparse.Namespace, action: Any) -> int:
    """Run ``action(store)`` on the ``--db`` store, closed afterwards."""
    from trackboard.store import open_store

    store = open_store(args.db)
    try:
        action(store)
    finally:
        store.close()
    return 0


def _when(seconds: float | None) -> str:
    import datetime

    if seconds is None:
        return "-"
    return datetime.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def cmd_users(args: argparse.Namespace) -> int:
    def act(store: Store) -> None:
        if args.action == "add":
            user = store.add_user(args.name, admin=args.admin)
            print(f"trackboard: added user {user.name}" + (" (admin)" if user.admin else ""))
            return
        for user in store.users():
            print(f"{user.name}\t{'admin' if user.admin else 'user'}\t{_when(user.created_at)}")

    return _with_store(args, act)


def cmd_teams(args: argparse.Namespace) -> int:
    def act(store: Store) -> None:
        for member in args.member or ():  # all known before the team exists: no half team
            store.user(member)
        store.add_team(args.name)
        for member in args.member or ():
            store.add_member(args.name, member)
        print(f"trackboard: added team {args.name} ({len(args.member or ())} members)")

    return _with_store(args, act)


def cmd_keys(args: argparse.Namespace) -> int:
    def act(store: Store) -> None:
        if args.action == "create":
            text, row = store.create_key(args.user, args.description)
            print(text)
            print(
                f"trackboard: key {row.key_id} for {row.user}; it is shown only this once "
                "and cannot be shown again",
                file=sys.stderr,
            )
        elif args.action == "list":
            print("id\tcreated\tlast used\trevoked\tdescription")
            for key in store.api_keys(args.user):
                print(
                    f"{key.key_id}\t{_when(key.created_at)}\t{_when(key.last_used_at)}\t"
                    f"{_when(key.revoked_at)}\t{key.description}"
                )
        else:
            row = store.revoke_key(args.key_id)
            print(f"trackboard: key {row.key_id} of {row.user} is revoked")

    return _with_store(args, act)


_SWEEP_STATES = {"pause": "paused", "resume": "running", "stop": "finished", "cancel": "cancelled"}


def cmd_sweep(args: argparse.Namespace) -> int:
    from trackboard import sweep_agent

    chosen = [flag for flag in _SWEEP_STATES if getattr(args, flag)]
    if len(chosen) > 1:
        raise UsageError(f"give one of --{', --'.join(chosen)}, not several")
    if chosen:
        state = sweep_agent.set_sweep_state(
            args.target,
            _SWEEP_STATES[chosen[0]],
            entity=args.entity,
            project=args.project,
            dir=args.dir,
        )
        print(f"trackboard: sweep {args.target} is now {state}")
        return 0
    path = Path(args.target)
    if not path.is_file():
        raise UsageError(f"sweep config file {args.target!r} not found")
    sweep_agent.sweep(path.read_text(encoding="utf-8"), args.entity, args.project, dir=args.dir)
    return 0


def cmd_agent(args: argparse.Namespace) -> int:
    from trackboard import sweep_agent

    sweep_agent.agent(
        args.sweep_id,
        entity=args.entity,
        project=args.project,
        count=args.count,
        max_consecutive_failed_runs=args.max_consecutive_failed_runs,
        stale_after_s=args.stale_after,
        dir=args.dir,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trackboard", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"trackboard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--dir", help="directory holding the trackboard root (as init(dir=...))")
        return p

    demo = add("demo", "train runs on scikit-learn's digits, read them back, open the dashboard")
    demo.add_argument("--epochs", type=int, default=15, help="epochs per run (default 15)")
    demo.add_argument("--no-ui", action="store_true", help="stop after training; no dashboard")
    demo.add_argument("--host", default="127.0.0.1", help="dashboard address (default loopback)")
    demo.add_argument("--port", type=int, default=8080, help="dashboard port (0: a free one)")
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser")
    demo.set_defaults(func=cmd_demo)

    runs = add("runs", "list a project's runs")
    runs.add_argument("project", help="'project' or 'entity/project'")
    runs.add_argument("--filter", help='MongoDB-style JSON, e.g. \'{"config.lr": {"$gt": 0.01}}\'')
    runs.add_argument("--order", default="+created_at", help="e.g. -summary_metrics.val_acc")
    runs.add_argument("--columns", help="comma-separated: config.lr,summary.val_acc")
    runs.set_defaults(func=cmd_runs)

    ingest = add("ingest", "apply new run-log records to the local store")
    ingest.set_defaults(func=cmd_ingest)

    ui = add("ui", "the dashboard over the local root, following its run logs live")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: a free one)")
    ui.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    ui.set_defaults(func=cmd_ui)

    server = sub.add_parser(
        "server",
        help="the dashboard and HTTP API over a store",
        description="the dashboard and HTTP API over a store (SQLite or PostgreSQL)",
    )
    server.add_argument(
        "--db", required=True, help="sqlite:///abs/path.db, a file path, or postgresql://..."
    )
    server.add_argument("--root", help="a root of run logs to follow into the store")
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    server.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: a free one)")
    server.add_argument(
        "--media",
        metavar="PATH_OR_URL",
        help="where run files live: a folder or s3://bucket/prefix (default: the root)",
    )
    server.add_argument(
        "--max-request-mb", type=float, default=16, help="largest records upload (default 16)"
    )
    server.add_argument(
        "--max-file-mb", type=float, default=1024, help="largest file upload (default 1024)"
    )
    server.add_argument(
        "--no-auth",
        action="store_true",
        help="serve without API keys (anyone reaching it may edit)",
    )
    server.set_defaults(func=cmd_server)
    _add_access_commands(sub)

    sweep = add("sweep", "create a sweep from a YAML config, or pause, resume, stop or cancel one")
    sweep.add_argument("target", help="the config file, or with a state flag the sweep id")
    sweep.add_argument("-p", "--project", help="project (default: the config's, then settings)")
    sweep.add_argument("-e", "--entity", help="entity (default: the config's, then settings)")
    for flag, meaning in (
        ("pause", "agents wait"),
        ("resume", "agents continue"),
        ("stop", "no new runs; running runs finish"),
        ("cancel", "no new runs; running runs are killed"),
    ):
        sweep.add_argument(f"--{flag}", action="store_true", help=f"the sweep id: {meaning}")
    sweep.set_defaults(func=cmd_sweep)

    agent = add("agent", "run a sweep's jobs, each a subprocess of the sweep's command")
    agent.add_argument("sweep_id", help="'id', 'project/id' or 'entity/project/id'")
    agent.add_argument("-p", "--project", help="the sweep's project when the id has none")
    agent.add_argument("-e", "--entity", help="the sweep's entity when the id has none")
    agent.add_argument("--count", type=int, help="the most jobs this agent runs")
    agent.add_argument(
        "--max-consecutive-failed-runs", type=int, help="stop after this many failures in a row"
    )
    agent.add_argument(
        "--stale-after",
        type=float,
        default=60.0,
        help="seconds without a heartbeat before another agent's run is marked crashed",
    )
    agent.set_defaults(func=cmd_agent)
    add_online_commands(add)
    return parser


def _add_access_commands(sub: Any) -> None:
    """``users``, ``teams`` and ``keys``: who may use ``trackboard server``."""
    db_help = "the server's store: sqlite:///abs/path.db, a file path, or postgresql://..."

    def add(parent: Any, name: str, help: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help, description=help)
        p.add_argument("--db", required=True, help=db_help)
        return p

    users = sub.add_parser("users", help="add or list the server's users")
    users_sub = users.add_subparsers(dest="action", required=True)
    add(users_sub, "add", "add a user (its name is its entity)").add_argument("name")
    users_sub.choices["add"].add_argument("--admin", action="store_true", help="an admin user")
    add(users_sub, "list", "list the users")
    users.set_defaults(func=cmd_users)

    teams = sub.add_parser("teams", help="add teams (entities their members share)")
    teams_sub = teams.add_subparsers(dest="action", required=True)
    team_add = add(teams_sub, "add", "add a team with its members")
    team_add.add_argument("name")
    team_add.add_argument("--member", nargs="+", metavar="USER", help="users in the team")
    teams.set_defaults(func=cmd_teams)

    keys = sub.add_parser("keys", help="create, list or revoke API keys")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    create = add(keys_sub, "create", "create a key for a user (printed once)")
    create.add_argument("user")
    create.add_argument("--description", default="", help="what the key is for")
    add(keys_sub, "list", "list a user's keys (ids only, never the secrets)").add_argument("user")
    add(keys_sub, "revoke", "revoke a key by its id").add_argument("key_id")
    keys.set_defaults(func=cmd_keys)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except Error as exc:
        print(f"trackboard: error: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
