"""The ``trackboard`` command line.

    trackboard demo                 train a few runs on scikit-learn's digits and read them back
    trackboard runs PROJECT         list a project's runs (filters as JSON, order as wandb's)
    trackboard ingest               apply new run-log records to the local store

Every command finds the root as ``init`` does (``--dir``, ``TRACKBOARD_DIR``, ``WANDB_DIR``,
``./trackboard``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trackboard import __version__
from trackboard import settings as settings_module
from trackboard.api import Api, Run
from trackboard.errors import Error

_SPARKS = "▁▂▃▄▅▆▇█"


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


def cmd_demo(args: argparse.Namespace) -> int:
    from trackboard.demo.digits import PROJECT, run_demo

    root = _root(args)
    print(f"Training {PROJECT} runs on scikit-learn's digits, stored under {root}")
    ids = run_demo(dir=args.dir, epochs=args.epochs)
    api = Api(root=root)
    runs = api.runs(PROJECT, filters={"name": {"$in": ids}}, order="+config.lr")
    print(f"\nRead back from {root / 'trackboard.db'}:")
    print_runs(runs, ["config.lr", "summary.val_acc", "summary.val_loss"], "train_loss")
    best = max(runs, key=lambda r: r.summary.get("val_acc", -1.0))
    print(
        f"\nBest run: {best.name} (lr={best.config['lr']}), val_acc {best.summary['val_acc']:.2f}"
    )
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    api = Api(root=_root(args))
    filters = json.loads(args.filter) if args.filter else None
    runs = api.runs(args.project, filters=filters, order=args.order)
    columns = [c for c in (args.columns or "").split(",") if c]
    print_runs(runs, columns)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    api = Api(root=_root(args))
    assert api._follower is not None
    report = api._follower.poll()
    print(
        f"{report.files} run logs, {report.records} new records"
        + (f", {report.corrupt_frames} corrupt frames skipped" if report.corrupt_frames else "")
        + (f", marked crashed: {', '.join(report.crashed)}" if report.crashed else "")
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

    demo = add("demo", "train runs on scikit-learn's digits, then read them back")
    demo.add_argument("--epochs", type=int, default=15, help="epochs per run (default 15)")
    demo.set_defaults(func=cmd_demo)

    runs = add("runs", "list a project's runs")
    runs.add_argument("project", help="'project' or 'entity/project'")
    runs.add_argument("--filter", help='MongoDB-style JSON, e.g. \'{"config.lr": {"$gt": 0.01}}\'')
    runs.add_argument("--order", default="+created_at", help="e.g. -summary_metrics.val_acc")
    runs.add_argument("--columns", help="comma-separated: config.lr,summary.val_acc")
    runs.set_defaults(func=cmd_runs)

    ingest = add("ingest", "apply new run-log records to the local store")
    ingest.set_defaults(func=cmd_ingest)
    return parser


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
