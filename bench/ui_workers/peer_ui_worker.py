"""Peer side of bench_ui.py, run on the peers' venv (bench/.peers/venv).

peer_ui_worker.py write TRACKER DIR --runs R --steps S --metrics M
    logs R runs x S steps x M metrics (m0..m{M-1}) with TRACKER's own SDK under DIR and prints
    one `BENCH_RESULT {json}` line (the run ids, the write time).
peer_ui_worker.py serve-trackio DIR PORT
    serves trackio's dashboard over DIR on 127.0.0.1:PORT until terminated.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

RESULT_PREFIX = "BENCH_RESULT "


def metrics_row(rng: random.Random, metrics: int) -> dict[str, float]:
    return {f"m{i}": rng.random() for i in range(metrics)}


def write_mlflow(root: Path, runs: int, steps: int, metrics: int) -> list[str]:
    import mlflow
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{root / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("bench_ui", artifact_location=(root / "artifacts").as_uri())
    rng = random.Random(0)
    ids = []
    for r in range(runs):
        run = client.create_run(exp, run_name=f"run-{r}")
        rid = run.info.run_id
        batch: list[Metric] = []
        now = int(time.time() * 1000)
        for s in range(steps):
            for k, v in metrics_row(rng, metrics).items():
                batch.append(Metric(k, v, now, s))
            if len(batch) >= 1000:
                client.log_batch(rid, metrics=batch)
                batch = []
        if batch:
            client.log_batch(rid, metrics=batch)
        client.set_terminated(rid)
        ids.append(rid)
    return ids


def write_aim(root: Path, runs: int, steps: int, metrics: int) -> list[str]:
    from aim import Repo, Run

    Repo.from_path(str(root), init=True)
    rng = random.Random(0)
    ids = []
    for r in range(runs):
        run = Run(repo=str(root), experiment="bench_ui", system_tracking_interval=None)
        run.name = f"run-{r}"
        for s in range(steps):
            run.track(metrics_row(rng, metrics), step=s)
        ids.append(run.hash)
        run.close()
    # Index the finished runs now, as `aim up` would do in the background.
    from aim.sdk.index_manager import RepoIndexManager

    repo = Repo.from_path(str(root))
    manager = RepoIndexManager.get_index_manager(repo)
    for rid in ids:
        manager.index(rid)
    return ids


def write_trackio(root: Path, runs: int, steps: int, metrics: int) -> list[str]:
    os.environ["TRACKIO_DIR"] = str(root)
    import trackio

    rng = random.Random(0)
    names = []
    for r in range(runs):
        trackio.init(project="bench_ui", name=f"run-{r}")
        for s in range(steps):
            trackio.log(metrics_row(rng, metrics), step=s)
        trackio.finish()
        names.append(f"run-{r}")
    return names


def write_tensorboard(root: Path, runs: int, steps: int, metrics: int) -> list[str]:
    from tensorboardX import SummaryWriter

    rng = random.Random(0)
    names = []
    for r in range(runs):
        writer = SummaryWriter(str(root / f"run-{r}"))
        for s in range(steps):
            for k, v in metrics_row(rng, metrics).items():
                writer.add_scalar(k, v, s)
        writer.close()
        names.append(f"run-{r}")
    return names


WRITERS = {
    "mlflow": write_mlflow,
    "aim": write_aim,
    "trackio": write_trackio,
    "tensorboard": write_tensorboard,
}


def serve_trackio(root: Path, port: int) -> None:
    os.environ["TRACKIO_DIR"] = str(root)
    import trackio

    trackio.show(host="127.0.0.1", server_port=port, open_browser=False, block_thread=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("tracker", choices=sorted(WRITERS))
    w.add_argument("dir", type=Path)
    w.add_argument("--runs", type=int, default=50)
    w.add_argument("--steps", type=int, default=2000)
    w.add_argument("--metrics", type=int, default=5)
    s = sub.add_parser("serve-trackio")
    s.add_argument("dir", type=Path)
    s.add_argument("port", type=int)
    args = parser.parse_args()
    if args.cmd == "serve-trackio":
        serve_trackio(args.dir, args.port)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    ids = WRITERS[args.tracker](args.dir, args.runs, args.steps, args.metrics)
    result = {"tracker": args.tracker, "ids": ids, "write_s": time.perf_counter() - t0}
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
